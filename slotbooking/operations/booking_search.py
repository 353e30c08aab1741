"""Bookings as depots and the call centre look for them: day, zone, window, status, order ref or postcode.

A window is the retailer's local "HH:MM-HH:MM" on a given day, the same in every zone; it is
turned into the slots' UTC start and end here, so the filter needs a day. A search matches the
start of an order ref (any case) or of a postcode (normalised as the bookings' are).
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from math import ceil

from sqlalchemy import func, or_, select

from slotbooking.bookings.models import Booking
from slotbooking.common.errors import ValidationFailed
from slotbooking.retailers.models import Depot, Zone
from slotbooking.retailers.postcodes import normalise_postcode
from slotbooking.slots.models import Slot

STATUSES = ("confirmed", "rescheduled", "cancelled")
PER_PAGE = 50
MAX_SEARCH = 100


@dataclass(frozen=True)
class BookingFilter:
    """What the bookings list is narrowed to; every field optional (None: no narrowing)."""

    day: date | None = None
    zone: str | None = None  # zone code
    window: str | None = None  # "HH:MM-HH:MM", the retailer's local time; needs a day
    status: str | None = None
    search: str | None = None  # start of an order ref or of a postcode


@dataclass(frozen=True)
class BookingRow:
    """One booking as listed: the booking with its window, zone and depot."""

    booking: Booking
    slot: Slot
    zone: Zone
    depot: Depot


@dataclass(frozen=True)
class BookingPage:
    rows: list[BookingRow]
    page: int
    pages: int
    total: int


def parse_window(text: str) -> tuple[time, time]:
    """Return a window's start and end from "HH:MM-HH:MM".

    :raises ValidationFailed: another shape, or an end not after its start.
    """
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ValidationFailed("a window reads HH:MM-HH:MM", {"window": [text]}) from None
    if end <= start:
        raise ValidationFailed("a window ends after it starts", {"window": [text]})
    return start, end


def _window_bounds(tenant, day: date, window: str) -> tuple[datetime, datetime]:
    start, end = parse_window(window)
    return (datetime.combine(day, start, tenant.tz), datetime.combine(day, end, tenant.tz))


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _query(tenant, wanted: BookingFilter):
    """:raises ValidationFailed: an unknown status, a window without a day, a search too long."""
    query = (
        select(Booking, Slot, Zone, Depot)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Zone, Zone.id == Booking.zone_id)
        .join(Depot, Depot.id == Booking.depot_id)
        .where(Booking.retailer_id == tenant.id)
    )
    if wanted.day is not None:
        query = query.where(Booking.service_date == wanted.day)
    if wanted.zone:
        query = query.where(Zone.code == wanted.zone)
    if wanted.window:
        if wanted.day is None:
            raise ValidationFailed("choose a day to filter by window", {"window": ["needs a day"]})
        starts_at, ends_at = _window_bounds(tenant, wanted.day, wanted.window)
        query = query.where(Slot.starts_at == starts_at, Slot.ends_at == ends_at)
    if wanted.status:
        if wanted.status not in STATUSES:
            raise ValidationFailed("unknown status", {"status": [f"one of {', '.join(STATUSES)}"]})
        query = query.where(Booking.status == wanted.status)
    search = (wanted.search or "").strip()
    if len(search) > MAX_SEARCH:
        raise ValidationFailed("search is too long", {"search": [f"at most {MAX_SEARCH} characters"]})
    if search:
        query = query.where(
            or_(
                func.lower(Booking.order_ref).like(_like_prefix(search.lower()), escape="\\"),
                Booking.postcode.like(_like_prefix(normalise_postcode(search)), escape="\\"),
            )
        )
    return query


def _rows(result) -> list[BookingRow]:
    return [BookingRow(booking, slot, zone, depot) for booking, slot, zone, depot in result]


def find_bookings(
    session, tenant, wanted: BookingFilter, page: int = 1, per_page: int = PER_PAGE
) -> BookingPage:
    """Return one page of the retailer's bookings, by window start then order ref.

    :raises ValidationFailed: see ``BookingFilter``; a page below 1.
    """
    if page < 1:
        raise ValidationFailed("pages start at 1", {"page": [str(page)]})
    query = _query(tenant, wanted)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(Slot.starts_at, Booking.order_ref, Booking.id)
    result = session.execute(ordered.offset((page - 1) * per_page).limit(per_page)).all()
    return BookingPage(_rows(result), page, max(1, ceil(total / per_page)), total)


def all_bookings(session, tenant, wanted: BookingFilter) -> list[BookingRow]:
    """Return every booking the filter matches, in the list's order (for the export)."""
    query = _query(tenant, wanted).order_by(Slot.starts_at, Booking.order_ref, Booking.id)
    return _rows(session.execute(query).all())


def windows_of_day(session, tenant, day: date) -> list[str]:
    """Return the day's windows as "HH:MM-HH:MM" (local time), earliest first, for the window filter."""
    bounds = session.execute(
        select(Slot.starts_at, Slot.ends_at)
        .where(Slot.retailer_id == tenant.id, Slot.service_date == day)
        .distinct()
        .order_by(Slot.starts_at, Slot.ends_at)
    ).all()
    local = (f"{s.astimezone(tenant.tz):%H:%M}-{e.astimezone(tenant.tz):%H:%M}" for s, e in bounds)
    return list(dict.fromkeys(local))


def zone_codes(session, tenant) -> list[str]:
    """Return the retailer's zone codes, for the zone filter."""
    return list(session.scalars(select(Zone.code).where(Zone.retailer_id == tenant.id).order_by(Zone.code)))
