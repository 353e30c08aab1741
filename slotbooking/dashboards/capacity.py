"""Capacity used per day and window: (booked + live holds) / capacity, for the heat map.

Windows are grouped by their times (every zone's 08:00-10:00 of a day is one cell), so a depot or
retailer view adds up its zones' windows; a zone filter shows that zone's alone. Counted as
capacity.py counts room: bookings in an occupying status and holds still live at ``now``.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.dashboards.scope import Scope
from slotbooking.slots.models import Slot


@dataclass(frozen=True)
class CapacityCell:
    day: date
    window: str  # local "HH:MM-HH:MM"
    capacity: int
    booked: int
    held: int

    @property
    def used(self) -> float | None:
        """Share of the capacity taken (None for a window with no capacity)."""
        return (self.booked + self.held) / self.capacity if self.capacity else None


def _per_slot(model, *conditions):
    return (
        select(model.slot_id, func.count().label("n")).where(*conditions).group_by(model.slot_id).subquery()
    )


def capacity_used(session, scope: Scope, now: datetime) -> list[CapacityCell]:
    """Return one cell per day and window time of the scope, in day then start order."""
    in_range = (scope.first, scope.last)
    booked = _per_slot(
        Booking,
        Booking.retailer_id == scope.retailer_id,
        Booking.service_date.between(*in_range),
        Booking.status.in_(OCCUPYING_STATUSES),
    )
    held = _per_slot(
        Hold,
        Hold.retailer_id == scope.retailer_id,
        Hold.service_date.between(*in_range),
        Hold.is_live(now),
    )
    query = (
        select(
            Slot.service_date,
            Slot.starts_at,
            Slot.ends_at,
            func.sum(Slot.capacity),
            func.coalesce(func.sum(booked.c.n), 0),
            func.coalesce(func.sum(held.c.n), 0),
        )
        .outerjoin(booked, booked.c.slot_id == Slot.id)
        .outerjoin(held, held.c.slot_id == Slot.id)
        .where(
            Slot.retailer_id == scope.retailer_id,
            Slot.service_date.between(*in_range),
            or_(Slot.active, booked.c.n.is_not(None)),  # a window closed after booking still counts
        )
        .group_by(Slot.service_date, Slot.starts_at, Slot.ends_at)
        .order_by(Slot.service_date, Slot.starts_at, Slot.ends_at)
    )
    if scope.zone_id is not None:
        query = query.where(Slot.zone_id == scope.zone_id)
    if scope.depot_id is not None:
        query = query.where(Slot.depot_id == scope.depot_id)
    tz = ZoneInfo(scope.timezone)
    return [
        CapacityCell(day, window_label(starts_at, ends_at, tz), int(capacity), int(n_booked), int(n_held))
        for day, starts_at, ends_at, capacity, n_booked, n_held in session.execute(query)
    ]


def window_label(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    """Name a window by its local times, as shoppers see it."""
    return f"{starts_at.astimezone(tz):%H:%M}-{ends_at.astimezone(tz):%H:%M}"
