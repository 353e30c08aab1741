"""Idempotency-Key on writes that create things: a repeat replays the first answer.

A key belongs to the API key that sent it (its id, not just the retailer) and to the endpoint
(method and route rule), so a publishable key in any browser cannot take the key the shop's
backend books with. The key is claimed (a row with no answer yet) before the work runs, so
two identical requests racing each other cannot both create; the second is told the first is
still in progress (409 idempotency_in_progress, distinct from idempotency_conflict: same key,
another request). Only successful answers are kept, for IDEMPOTENCY_KEY_HOURS: after an error
the key is free again, and an expired record neither replays nor conflicts.

A claim is taken over only once it is older than IDEMPOTENCY_CLAIM_SECONDS, which must exceed
the longest a request can run: gunicorn kills a sync worker whose request outlives --timeout,
and the worker's database connection, hence its transaction, dies with it. A lease renewed by
the running request would cost a thread and a second connection per request for the same
guarantee. The request that finishes writes (or frees) only its own claim, found by row id, so
even one that outlived the bound cannot overwrite or free the claim that took over.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, make_response, request
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from slotbooking.bookings.models import IdempotencyRecord
from slotbooking.clock import now
from slotbooking.common.errors import IdempotencyConflict, IdempotencyInProgress, ValidationFailed
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.extensions import db
from slotbooking.security.encryption import UndecryptableSecret


@dataclass(frozen=True)
class Scope:
    """Where an Idempotency-Key is unique: one API key, one endpoint."""

    retailer_id: int
    api_key_id: int
    endpoint: str  # "POST /api/v1/holds": the route rule, not the concrete path
    key: str


@dataclass(frozen=True)
class Lifetimes:
    """How long answers are kept, and how long a claim is presumed to be still running."""

    keep: timedelta
    claim: timedelta


# The header in the OpenAPI document of each endpoint that honours it.
IDEMPOTENCY_KEY_DOC = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[ -~]+$"},
            "description": (
                "Retry-safe create: the same key and body (same API key, same endpoint) replay "
                "the first 2xx answer with Idempotent-Replayed: true for IDEMPOTENCY_KEY_HOURS "
                "(24); another body is 409 idempotency_conflict; while the first request runs, "
                "409 idempotency_in_progress. Errors free the key."
            ),
        }
    ]
}


@dataclass(frozen=True)
class Claim:
    """The key claimed for this request by one statement: no answer yet."""

    id: int
    status_code: None = None


_RECORDS = IdempotencyRecord.__table__
_INSERTS_ON_CONFLICT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_CLAIM_COLUMNS = ("retailer_id", "api_key_id", "endpoint", "key", "fingerprint", "created_at", "expires_at")


@functools.cache
def _claim_statement(dialect_name: str):
    """INSERT the claim unless the scope's key has a row; RETURNING its id (built once per dialect)."""
    return (
        _INSERTS_ON_CONFLICT[dialect_name](_RECORDS)
        .values({name: bindparam(f"claim_{name}", type_=_RECORDS.c[name].type) for name in _CLAIM_COLUMNS})
        .on_conflict_do_nothing(index_elements=["api_key_id", "endpoint", "key"])
        .returning(_RECORDS.c.id)
    )


def _claim_if_free(session, scope: Scope, fingerprint: str, lifetimes: Lifetimes, at: datetime) -> int | None:
    """Claim a key nobody holds in one statement (the common case: a new key); return its id.

    None: the key has a row (a replay, a conflict, a claim running or stale), or the database
    has no INSERT ... ON CONFLICT; ``_record_or_new_claim`` then reads it. A racing request's
    claim not committed yet makes this statement wait for it, then do nothing.
    """
    dialect = session.get_bind().dialect.name
    if dialect not in _INSERTS_ON_CONFLICT:
        return None
    values = {
        "retailer_id": scope.retailer_id,
        "api_key_id": scope.api_key_id,
        "endpoint": scope.endpoint,
        "key": scope.key,
        "fingerprint": fingerprint,
        "created_at": at,
        "expires_at": at + lifetimes.keep,
    }
    params = {f"claim_{name}": value for name, value in values.items()}
    return session.execute(_claim_statement(dialect), params).scalar_one_or_none()


def replay_or_claim(session, scope: Scope, fingerprint: str, lifetimes: Lifetimes, at: datetime):
    """Return the record to replay (it has a status code), or the claim just taken for this request.

    :raises IdempotencyConflict: the key was used with another request.
    :raises IdempotencyInProgress: the first request with the key may still be running.
    """
    try:
        with unit_of_work(session):
            claimed = _claim_if_free(session, scope, fingerprint, lifetimes, at)
            if claimed is not None:
                record = Claim(claimed)
            else:
                record = _record_or_new_claim(session, scope, fingerprint, lifetimes, at)
    except IntegrityError:  # a request racing this one claimed the key first
        raise IdempotencyInProgress(
            "a request with this Idempotency-Key is still in progress; try again shortly",
            {"key": scope.key},
        ) from None
    return record


def _record_or_new_claim(session, scope: Scope, fingerprint: str, lifetimes: Lifetimes, at: datetime):
    """Return the record to replay, or add the claim for this request (its unit commits it)."""
    existing = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.api_key_id == scope.api_key_id,
            IdempotencyRecord.endpoint == scope.endpoint,
            IdempotencyRecord.key == scope.key,
        )
    )
    if existing is not None and existing.expires_at > at:
        if existing.fingerprint != fingerprint:
            raise IdempotencyConflict(
                "this Idempotency-Key was used with another request", {"key": scope.key}
            )
        if existing.status_code is not None:
            return existing
        if at - existing.created_at < lifetimes.claim:
            raise IdempotencyInProgress(
                "a request with this Idempotency-Key is still in progress; try again shortly",
                {"key": scope.key},
            )
    if existing is not None:  # expired, or a claim whose request cannot be running any more
        # A bulk delete, not session.delete: a concurrent taker may have removed it already.
        session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
    claim = IdempotencyRecord(
        retailer_id=scope.retailer_id,
        api_key_id=scope.api_key_id,
        endpoint=scope.endpoint,
        key=scope.key,
        fingerprint=fingerprint,
        created_at=at,
        expires_at=at + lifetimes.keep,
    )
    session.add(claim)
    return claim


def keep_answer(session, claim_id: int, status_code: int, body) -> None:
    """Store a successful answer in its claim so repeats replay it."""
    with unit_of_work(session):
        session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == claim_id, IdempotencyRecord.status_code.is_(None))
            .values(status_code=status_code, response=body)
        )


def free_claim(session, claim_id: int) -> None:
    """Drop a claim whose request failed, so the key may be used again (after what the failure left)."""
    with unit_of_work(session, fresh=True):
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.id == claim_id, IdempotencyRecord.status_code.is_(None)
            )
        )


def forget_expired_idempotency(session, now: datetime) -> int:
    """Delete the records whose keeping time is over; return how many went."""
    with unit_of_work(session):
        return session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now)).rowcount


def _fingerprint() -> str:
    body = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("utf-8", "replace")
    # The concrete path: the same key on two resources of one endpoint is a conflict, not a replay.
    return hashlib.sha256(f"{request.method} {request.path} {canonical}".encode()).hexdigest()


def _lifetimes(config) -> Lifetimes:
    return Lifetimes(
        keep=timedelta(hours=config["IDEMPOTENCY_KEY_HOURS"]),
        claim=timedelta(seconds=config["IDEMPOTENCY_CLAIM_SECONDS"]),
    )


def _seal(body) -> dict:
    box = current_app.extensions["secret_box"]
    return {"sealed": box.encrypt(json.dumps(body, separators=(",", ":")))}


def _unseal(stored: dict, key: str):
    """The kept answer in the clear; one sealed under a retired key can no longer be replayed."""
    try:
        return json.loads(current_app.extensions["secret_box"].decrypt(stored["sealed"]))
    except UndecryptableSecret:
        raise IdempotencyConflict(
            "the first answer for this Idempotency-Key can no longer be replayed: use a new key",
            {"key": key},
        ) from None


def idempotent(view=None, *, seal_answer: bool = False):
    """Honour the Idempotency-Key header on a create (place after require_key).

    ``seal_answer``: the answer carries a secret (a booking session's link), so it is kept
    encrypted under ENCRYPTION_KEYS, like webhook secrets, never in the clear.
    """
    if view is None:
        return functools.partial(idempotent, seal_answer=seal_answer)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 255 or not (key.isascii() and key.isprintable()):
            raise ValidationFailed(
                "bad Idempotency-Key", {"Idempotency-Key": ["1 to 255 printable ASCII characters"]}
            )
        session = db.session
        scope = Scope(g.tenant.id, g.api_key_id, f"{request.method} {request.url_rule.rule}", key)
        record = replay_or_claim(session, scope, _fingerprint(), _lifetimes(current_app.config), now())
        if record.status_code is not None:
            body = _unseal(record.response, key) if seal_answer else record.response
            response = make_response(body, record.status_code)
            response.headers["Idempotent-Replayed"] = "true"
            return response
        claim_id = record.id
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            free_claim(session, claim_id)
            raise
        if 200 <= response.status_code < 300:
            body = response.get_json()
            keep_answer(session, claim_id, response.status_code, _seal(body) if seal_answer else body)
        else:
            free_claim(session, claim_id)
        return response

    return wrapper
