"""Idempotency-Key on writes that create things: a repeat replays the first answer.

The key is claimed (a row with no answer yet) before the work runs, so two identical requests
racing each other cannot both create; the second is told the first is still in progress.
Only successful answers are kept: after an error the key is free to be used again.
"""

import functools
import hashlib
import json
from datetime import timedelta

from flask import g, make_response, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from slotbooking.bookings.models import IdempotencyRecord
from slotbooking.clock import now
from slotbooking.common.errors import IdempotencyConflict, ValidationFailed
from slotbooking.extensions import db

STALE_CLAIM = timedelta(seconds=60)


def _fingerprint() -> str:
    body = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    return hashlib.sha256(f"{request.method} {request.path} {canonical}".encode()).hexdigest()


def _claim(session, retailer_id: int, key: str, fingerprint: str):
    """Return a replayable record, or None once the key is claimed for this request."""
    existing = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.retailer_id == retailer_id, IdempotencyRecord.key == key
        )
    )
    if existing is not None:
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict("this Idempotency-Key was used with another request", {"key": key})
        if existing.status_code is not None:
            return existing
        if now() - existing.created_at < STALE_CLAIM:
            raise IdempotencyConflict(
                "a request with this Idempotency-Key is still in progress", {"key": key}
            )
        session.delete(existing)
        session.flush()
    session.add(IdempotencyRecord(retailer_id=retailer_id, key=key, fingerprint=fingerprint))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise IdempotencyConflict(
            "a request with this Idempotency-Key is still in progress", {"key": key}
        ) from None
    return None


def idempotent(view):
    """Honour the Idempotency-Key header on a create (place after require_key)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise ValidationFailed(
                "bad Idempotency-Key", {"Idempotency-Key": ["1 to 255 printable characters"]}
            )
        session, retailer_id = db.session, g.tenant.id
        record = _claim(session, retailer_id, key, _fingerprint())
        if record is not None:
            response = make_response(record.response, record.status_code)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            session.rollback()
            session.execute(
                delete(IdempotencyRecord).where(
                    IdempotencyRecord.retailer_id == retailer_id, IdempotencyRecord.key == key
                )
            )
            session.commit()
            raise
        claimed = session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.retailer_id == retailer_id, IdempotencyRecord.key == key
            )
        )
        if 200 <= response.status_code < 300:
            claimed.status_code, claimed.response = response.status_code, response.get_json()
        else:
            session.delete(claimed)
        session.commit()
        return response

    return wrapper
