"""A retailer's API keys as staff see them (by prefix only), and rotating one with a confirmation.

A key's secret is never stored (retailers/keys.py keeps a digest and a visible prefix), so the
console can show only prefixes. Rotating a kind of key revokes its live key and makes a new
one whose token is returned once, for the page to show once. The admin confirms twice over:
they tick that the old key stops working, and the page sends back the prefix of the key they
saw, so a page left open while someone else rotated cannot revoke the key just made.
"""

from dataclasses import dataclass

from sqlalchemy import select, update

from slotbooking.common.errors import Conflict, ValidationFailed
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.operations.audit_trail import OnBehalf
from slotbooking.retailers.keys import KEY_PREFIXES, new_key
from slotbooking.retailers.models import ApiKey


class NotConfirmed(ValidationFailed):
    code = "not_confirmed"


@dataclass(frozen=True)
class RotatedKey:
    key: ApiKey
    token: str  # shown once; never stored
    revoked_prefix: str | None


def live_keys(session, tenant) -> dict[str, ApiKey | None]:
    """Return each kind's live key (None when it has none), secret first."""
    rows = session.scalars(
        select(ApiKey)
        .where(ApiKey.retailer_id == tenant.id, ApiKey.revoked_at.is_(None))
        .order_by(ApiKey.created_at, ApiKey.id)
    )
    found = {kind: None for kind in KEY_PREFIXES}
    for row in rows:
        found[row.kind] = row  # the newest of a kind, were there ever two
    return found


def rotate_key(
    session, tenant, kind: str, seen_prefix: str | None, confirmed: bool, now, on_behalf: OnBehalf
) -> RotatedKey:
    """Revoke the kind's live key and make a new one, with an audit row; return the new token (once).

    :raises ValidationFailed: an unknown kind.
    :raises NotConfirmed: the admin did not confirm.
    :raises Conflict: the live key is not the one the admin saw (``seen_prefix``): rotated meanwhile.
    """
    if kind not in KEY_PREFIXES:
        raise ValidationFailed("unknown kind of key", {"kind": [f"one of {', '.join(KEY_PREFIXES)}"]})
    if not confirmed:
        raise NotConfirmed("confirm that the old key stops working", {"confirm": ["required"]})
    with unit_of_work(session):
        live = [
            key
            for key in session.scalars(
                select(ApiKey)
                .where(ApiKey.retailer_id == tenant.id, ApiKey.kind == kind, ApiKey.revoked_at.is_(None))
                .with_for_update()
            )
        ]
        current = live[-1].prefix if live else None
        if (seen_prefix or None) != current:
            raise Conflict("this key was rotated meanwhile; look at the new one first", {"kind": kind})
        session.execute(update(ApiKey).where(ApiKey.id.in_([k.id for k in live])).values(revoked_at=now))
        key, token = new_key(session, tenant.id, kind)
        session.flush()
        on_behalf(session, "api_key.rotated", kind, {"prefix": [current, key.prefix]})
    return RotatedKey(key, token, current)
