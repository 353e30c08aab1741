"""Bookings by window width and green per day, fee revenue, and discount spend against the budget.

All from the bookings' stored prices, by delivery day (``service_date``), counting bookings that
hold a place (confirmed or rescheduled), as the engine's daily budget counts them
(offers/dynamic_pricing.py ``_discount_given``): the discount is the base fee minus the price
paid where the price is below it. A booking is green when its stored incentives carry a
``green`` incentive (the engine's green discount).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Text, case, cast, func, select

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking
from slotbooking.dashboards.scope import Scope
from slotbooking.slots.models import Slot


@dataclass(frozen=True)
class WidthDay:
    day: date
    width_minutes: int
    bookings: int


@dataclass(frozen=True)
class GreenDay:
    day: date
    bookings: int
    green: int

    @property
    def share(self) -> float | None:
        return self.green / self.bookings if self.bookings else None


@dataclass(frozen=True)
class MoneyDay:
    day: date
    bookings: int
    revenue: int  # minor units: the prices paid
    discount: int  # minor units below the base fee
    budget: int | None  # the retailer's daily discount budget, None: no budget

    @property
    def budget_used(self) -> float | None:
        return self.discount / self.budget if self.budget else None


def _occupying(scope: Scope):
    conditions = [
        Booking.retailer_id == scope.retailer_id,
        Booking.service_date.between(scope.first, scope.last),
        Booking.status.in_(OCCUPYING_STATUSES),
    ]
    if scope.zone_id is not None:
        conditions.append(Booking.zone_id == scope.zone_id)
    if scope.depot_id is not None:
        conditions.append(Booking.depot_id == scope.depot_id)
    return conditions


def is_green():
    """SQL: the booking's incentives hold a green one (JSON as the app writes it, on both databases)."""
    return cast(Booking.incentives, Text).like('%"kind": "green"%')


def widths(session, scope: Scope) -> list[WidthDay]:
    """Return per day and window width the bookings (counted per slot first, then by the slots' widths)."""
    per_slot = (
        select(Booking.slot_id, func.count().label("n"))
        .where(*_occupying(scope))
        .group_by(Booking.slot_id)
        .subquery()
    )
    width = (func.extract("epoch", Slot.ends_at) - func.extract("epoch", Slot.starts_at)) / 60
    if session.get_bind().dialect.name != "postgresql":
        width = (func.julianday(Slot.ends_at) - func.julianday(Slot.starts_at)) * 1440
    width = func.round(width).label("width")
    query = (
        select(Slot.service_date, width, func.sum(per_slot.c.n))
        .join(per_slot, per_slot.c.slot_id == Slot.id)
        .group_by(Slot.service_date, width)
        .order_by(Slot.service_date, width)
    )
    return [WidthDay(day, int(w), int(n)) for day, w, n in session.execute(query)]


def green_by_day(session, scope: Scope) -> list[GreenDay]:
    """Return per day the bookings and how many of them took a green discount."""
    query = (
        select(Booking.service_date, func.count(), func.sum(case((is_green(), 1), else_=0)))
        .where(*_occupying(scope))
        .group_by(Booking.service_date)
        .order_by(Booking.service_date)
    )
    return [GreenDay(day, int(n), int(g or 0)) for day, n, g in session.execute(query)]


def money_by_day(session, scope: Scope, daily_budget: int | None) -> list[MoneyDay]:
    """Return per day the bookings, the fees paid and the discount given (against ``daily_budget``)."""
    discount = case((Booking.price < Booking.base_price, Booking.base_price - Booking.price), else_=0)
    query = (
        select(Booking.service_date, func.count(), func.sum(Booking.price), func.sum(discount))
        .where(*_occupying(scope))
        .group_by(Booking.service_date)
        .order_by(Booking.service_date)
    )
    return [
        MoneyDay(day, int(n), int(revenue or 0), int(given or 0), daily_budget)
        for day, n, revenue, given in session.execute(query)
    ]
