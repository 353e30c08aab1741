"""Quotes: a signed, expiring token naming a price sheet kept in the database (and cached)."""

import hashlib
import json
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_encode
from itsdangerous.serializer import Serializer
from sqlalchemy.exc import IntegrityError

from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.slots.models import PriceSheet

SHEET_CACHE_SECONDS = 3600


class _UncompressedURLSafeSerializer(URLSafeSerializer):
    """URLSafeSerializer without its attempt to zlib-compress each payload.

    A quote's payload (two numbers and a 40-character hex digest) almost never gets shorter
    compressed (one token in a thousand, by a byte or two), yet the attempt (a deflate stream set
    up per token) was about a thirtieth of a warm GET /slots' instructions. The tokens are the
    very ones the library writes when compression does not help, and reading still accepts
    compressed ones (tokens issued before).
    """

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


class QuoteSigner:
    def __init__(self, secret: str):
        self._serializer = _UncompressedURLSafeSerializer(secret, salt="quote")

    def issue(self, retailer_id: int, sheet_id: str, expires_at: datetime) -> str:
        return self._serializer.dumps({"r": retailer_id, "s": sheet_id, "e": int(expires_at.timestamp())})

    def read(self, token: str) -> dict | None:
        """Return {"r", "s", "e"} of a genuine token, or None."""
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and {"r", "s", "e"} <= set(data) else None


def sheet_id_for(body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:40]


def save_sheet(session, cache, retailer_id: int, body: dict) -> str:
    """Persist a price sheet once (content-addressed) and return its id."""
    sheet_id = sheet_id_for(body)
    if cache.get(f"sheet:{sheet_id}") is not None:
        return sheet_id
    with unit_of_work(session) as unit:
        if session.get(PriceSheet, sheet_id) is None:
            try:
                with session.begin_nested():
                    session.add(PriceSheet(id=sheet_id, retailer_id=retailer_id, body=body))
            except IntegrityError:  # another process saved the same sheet a moment ago
                pass
        # Cached only once stored: a quote never names a sheet the database does not have.
        unit.after_commit(lambda: cache.put(f"sheet:{sheet_id}", body, SHEET_CACHE_SECONDS))
    return sheet_id


def load_sheet(session, cache, retailer_id: int, sheet_id: str) -> dict | None:
    body = cache.get(f"sheet:{sheet_id}")
    if body is None:
        sheet = session.get(PriceSheet, sheet_id)
        if sheet is None or sheet.retailer_id != retailer_id:
            return None
        body = sheet.body
        cache.put(f"sheet:{sheet_id}", body, SHEET_CACHE_SECONDS)
    return body


def quoted_price(session, cache, signer, token, retailer_id, slot_id, zone_id, cell, now):
    """Return the quoted price dict for a slot if the quote is genuine, current and fits; else None."""
    data = signer.read(token) if token else None
    if not data or data["r"] != retailer_id:
        return None
    if datetime.fromtimestamp(data["e"], UTC) <= now:
        return None
    body = load_sheet(session, cache, retailer_id, data["s"])
    if not body or body.get("zone_id") != zone_id or body.get("cell") != cell:
        return None
    return body["prices"].get(slot_id)


def quote_expiry(now: datetime, minutes: int) -> datetime:
    return (now + timedelta(minutes=minutes)).replace(microsecond=0)
