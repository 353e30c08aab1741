"""API keys: made once, shown once, stored as a SHA-256 digest with a visible prefix."""

import hashlib
import secrets

from sqlalchemy import select, update

from slotbooking.clock import now as clock_now
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.retailers.models import ApiKey, AuditEvent

KEY_PREFIXES = {"secret": "sk_", "publishable": "pk_"}


def digest(token: str) -> str:
    """Return the stored form of a key (the keys are random, so a plain hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_keys(session, retailer_id: int) -> dict[str, str]:
    """Revoke the retailer's live keys and make a new secret and publishable key."""
    now = clock_now()
    session.execute(
        update(ApiKey)
        .where(ApiKey.retailer_id == retailer_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return {f"{kind}_key": new_key(session, retailer_id, kind)[1] for kind in KEY_PREFIXES}


def new_key(session, retailer_id: int, kind: str) -> tuple[ApiKey, str]:
    """Add a new live key of this kind; return its row and its token (the one time it is seen)."""
    token = KEY_PREFIXES[kind] + secrets.token_urlsafe(24)
    key = ApiKey(retailer_id=retailer_id, kind=kind, prefix=token[:10], digest=digest(token))
    session.add(key)
    return key, token


def rotate_keys(session, retailer_id: int, actor: str) -> dict[str, str]:
    """Replace the retailer's keys with new ones, in its audit trail; return them (shown once)."""
    with unit_of_work(session):
        keys = issue_keys(session, retailer_id)
        session.add(AuditEvent(retailer_id=retailer_id, actor=actor, action="keys.rotated", details={}))
    return keys


def find_key(session, token: str) -> ApiKey | None:
    """Return the live key for a presented token, or None."""
    if not token or len(token) > 200:
        return None
    return session.scalar(select(ApiKey).where(ApiKey.digest == digest(token), ApiKey.revoked_at.is_(None)))
