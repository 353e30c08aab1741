"""Caps on live holds from browsers: per client address, counted in the database.

Holds asked for from a browser (a publishable key, the embed, the hosted page) carry the
client's address. Before such a hold is stored, the client's live holds with this retailer
are counted (one indexed range: ``ix_holds_client_live``); at the cap the hold is refused with
409 ``too_many_holds``. Counting rows instead of keeping a counter in Redis is what makes the
cap hold across processes and survive a Redis flush, and an expired hold stops counting by
itself, as it does for capacity.

The count must not race a second hold from the same client on another slot, which the slot
locks do not serialise. On PostgreSQL a transaction-scoped advisory lock on the client is
taken first, before any slot lock, so the order of locks stays fixed (client, slots, depot
days) and two transactions cannot deadlock. On SQLite the slot lock is already the database's
one write lock, so the count that follows it cannot race.

The secret key's holds (the shop's own backend, one address for every shopper) carry no
client and are not capped.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, text

from slotbooking.bookings.models import Hold
from slotbooking.common.errors import TooManyHolds
from slotbooking.db_types import UTCDateTime

_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_LIVE_OF_CLIENT = select(func.count()).where(
    Hold.retailer_id == bindparam("retailer_id"),
    Hold.client == bindparam("client"),
    Hold.is_live(bindparam("now", type_=UTCDateTime)),
)


@dataclass(frozen=True)
class HoldOrigin:
    """Where a hold is asked for: the browser's address and its cap, and the booking session."""

    client: str | None = None
    max_per_client: int | None = None
    session_id: str | None = None


def _lock_key(retailer_id: int, client: str) -> int:
    raw = hashlib.sha256(f"hold-client:{retailer_id}:{client}".encode()).digest()[:8]
    return int.from_bytes(raw, "big", signed=True)


def lock_client(session, retailer_id: int, origin: HoldOrigin | None) -> None:
    """Serialise the holds of one client (PostgreSQL); take it before any slot lock."""
    if origin is None or not origin.client or not origin.max_per_client:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_ADVISORY_LOCK, {"key": _lock_key(retailer_id, origin.client)})


def check_client_cap(session, retailer_id: int, origin: HoldOrigin | None, now) -> None:
    """Refuse one more hold when the client already has its cap of live holds.

    :raises TooManyHolds:
    """
    if origin is None or not origin.client or not origin.max_per_client:
        return
    live = session.scalar(_LIVE_OF_CLIENT, {"retailer_id": retailer_id, "client": origin.client, "now": now})
    if live >= origin.max_per_client:
        raise TooManyHolds(
            f"this device already holds {live} delivery windows; book or release one first "
            "(a hold also ends by itself when its time runs out)",
            {"limit": origin.max_per_client},
        )
