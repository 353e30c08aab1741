"""Booking sessions: create one for an order, open its link, hold and book inside it.

Holding and booking in a session take turns on the session's row (an UPDATE of ``lock_seq``,
the first write of the transaction, as for slots): under that lock the session's earlier live
hold is released before the new one is placed, so a session never has more than one live hold,
and a session whose hold was booked takes no more holds. The session lock comes before the
client and slot locks (``bookings.hold_limits``, ``bookings.capacity``), always in that order.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import bindparam, select, update

from slotbooking.booking_sessions.models import BookingSession
from slotbooking.bookings.hold_limits import HoldOrigin
from slotbooking.bookings.models import Booking, Hold
from slotbooking.common.errors import Conflict, DomainError, NotFound, ValidationFailed
from slotbooking.common.owned import find_owned, get_owned
from slotbooking.common.retry import transaction
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.db_types import new_id
from slotbooking.reservations import service as reservations
from slotbooking.retailers.postcodes import normalise_postcode
from slotbooking.slots.pricers import Address

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_LOCK = (
    update(BookingSession)
    .where(BookingSession.id == bindparam("lock_session_id"))
    .values(lock_seq=BookingSession.lock_seq + 1)
)


class SessionExpired(DomainError):
    """The session's link has run out: the shop must send a new one."""

    status, code = 410, "booking_session_expired"


class SessionSpent(Conflict):
    """The session has been booked already; its link now leads to the booking."""

    code = "booking_session_booked"


@dataclass(frozen=True)
class NewSession:
    """A session just made, with its link's token (shown this once, never stored)."""

    booking_session: BookingSession
    token: str


def token_digest(token: str) -> str:
    """Return the stored form of a link's token (random, so a plain hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_address(booking_session: BookingSession) -> Address:
    """Return the address the session was made for."""
    return Address.of(booking_session)


def check_return_url(tenant, url: str | None) -> None:
    """Allow https anywhere, and http only to one of the retailer's allowed origins.

    :raises ValidationFailed:
    """
    if url is None:
        return
    parts = urlsplit(url)
    problem = None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        problem = "must be an absolute http(s) URL"
    elif parts.username is not None or parts.password is not None:
        problem = "must not carry a user name or password"
    elif parts.scheme == "http" and f"http://{parts.netloc.lower()}" not in tenant.allowed_origins:
        problem = "must be https, or http on one of the retailer's allowed_origins"
    if problem:
        raise ValidationFailed("the request is not valid", {"return_url": [problem]})


def create_session(
    session, finder, tenant, order_ref, address: Address, customer_ref, return_url, now, lifetime: timedelta
) -> NewSession:
    """Open a booking session for an order delivered to an address the retailer serves.

    :raises AddressNotServed, ValidationFailed:
    """
    postcode = normalise_postcode(address.postcode)
    finder.find(session, tenant, postcode)
    check_return_url(tenant, return_url)
    token = secrets.token_urlsafe(32)
    created = BookingSession(
        id=new_id("bks"),
        retailer_id=tenant.id,
        token_digest=token_digest(token),
        order_ref=order_ref,
        customer_ref=customer_ref,
        return_url=return_url,
        postcode=postcode,
        lat=address.lat,
        lon=address.lon,
        line1=address.line1,
        expires_at=(now + lifetime).replace(microsecond=0),
        created_at=now,
    )
    with unit_of_work(session):
        session.add(created)
    return NewSession(created, token)


def get_session(session, tenant, session_id) -> BookingSession:
    """:raises NotFound: no such session for this retailer."""
    return get_owned(session, BookingSession, tenant.id, session_id, "booking session")


def session_for_token(session, tenant, token: str) -> BookingSession:
    """Return the retailer's session a link's token opens (whatever its state).

    :raises NotFound: the token is wrong, or it is another retailer's.
    """
    found = None
    if _TOKEN.match(token or ""):
        found = session.scalar(
            select(BookingSession).where(BookingSession.token_digest == token_digest(token))
        )
    if found is None or found.retailer_id != tenant.id:
        raise NotFound("this booking link is not one we know")
    return found


def booking_of(session, booking_session: BookingSession) -> Booking | None:
    """Return the booking made in the session, if one was."""
    return session.scalar(
        select(Booking)
        .join(Hold, Hold.id == Booking.hold_id)
        .where(Hold.session_id == booking_session.id)
        .order_by(Booking.created_at)
        .limit(1)
    )


def status_of(session, booking_session: BookingSession, now: datetime) -> tuple[str, Booking | None]:
    """Return "booked" (with its booking), "expired" or "open"."""
    booking = booking_of(session, booking_session)
    if booking is not None:
        return "booked", booking
    return ("expired" if booking_session.expires_at <= now else "open"), None


def _lock_unspent(session, booking_session: BookingSession, now: datetime, may_be_expired: bool) -> None:
    """Lock the session's row and check it has not been booked (nor expired, unless allowed).

    :raises SessionExpired, SessionSpent:
    """
    session.execute(_LOCK, {"lock_session_id": booking_session.id})
    status, booking = status_of(session, booking_session, now)
    if status == "booked":
        raise SessionSpent(
            "this booking link has been used; it now shows the booking", {"booking_id": booking.id}
        )
    if status == "expired" and not may_be_expired:
        raise SessionExpired("this booking link has expired")


@transaction
def hold_in_session(
    session, deps, tenant, booking_session, slot_id, quote_id, origin: HoldOrigin, now
) -> Hold:
    """Hold a window for the session's address, giving back the session's earlier hold.

    One transaction, retried whole: if this window cannot be held, the earlier hold is kept.

    :raises SessionExpired, SessionSpent, SlotFull, SlotUnavailable, AddressNotServed, NotFound,
        TooManyHolds:
    """
    _lock_unspent(session, booking_session, now, may_be_expired=False)
    session.execute(
        update(Hold)
        .where(Hold.session_id == booking_session.id, Hold.status == "active")
        .values(status="released"),
        execution_options={"synchronize_session": False},
    )
    # Joins this transaction: its retries are ours, and the earlier hold comes back if it fails.
    return reservations.place_hold(
        session,
        deps,
        tenant,
        slot_id,
        session_address(booking_session),
        quote_id,
        booking_session.customer_ref,
        now,
        HoldOrigin(origin.client, origin.max_per_client, booking_session.id),
    )


@transaction
def book_in_session(session, deps, tenant, booking_session, hold_id, now) -> Booking:
    """Book the session's live hold for the session's order; the session is then spent.

    A hold taken while the link was open may be booked while it lasts, even once the link has
    expired: a shopper paying for it is never charged for a window they cannot keep.

    :raises SessionSpent, HoldExpired, PaymentRequired, NotFound:
    """
    _lock_unspent(session, booking_session, now, may_be_expired=True)
    hold = find_owned(session, Hold, booking_session.retailer_id, hold_id)
    if hold is None or hold.session_id != booking_session.id:
        raise NotFound("this hold is not one of this booking link's", {"hold_id": hold_id})
    return reservations.book_hold(session, deps, tenant, hold.id, booking_session.order_ref, now)


def session_of_booking(session, booking: Booking) -> BookingSession | None:
    """Return the session a booking was made in, if it was made in one."""
    if booking.hold_id is None:
        return None
    return session.scalar(
        select(BookingSession)
        .join(Hold, Hold.session_id == BookingSession.id)
        .where(Hold.id == booking.hold_id)
    )
