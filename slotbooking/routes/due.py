"""Which depot-days need planning now: the periodic run behind the after-commit jobs.

A booking change sends its depot-day's planning job right after commit (``jobs/enqueue.py``);
this run finds what such a job missed (a lost message, a broker that was down) and the days
whose booking has closed, which get their final plan once:

- **bookings**: the bookings' count or latest change differs from what the newest plan was
  made from, and the change is at least ``ROUTES_DEBOUNCE_SECONDS`` old;
- **cutoff**: the day's last window has closed for booking (``slots.rules.closes_at`` of its
  latest window: the eve's cut-off, or the lead time), the day has bookings, and no plan was
  made at or after that moment;
- **setup**: the retailer's setup was imported (``Retailer.updated_at``: depots, fleet, windows,
  rules) after the newest plan was made, at least ``ROUTES_DEBOUNCE_SECONDS`` ago; the plan job
  searches again only if the planning problem changed, and otherwise stores the routes as they
  stand as a new version, so each setup is checked once.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking
from slotbooking.retailers.models import Depot, Retailer
from slotbooking.retailers.tenant import Tenant
from slotbooking.routes.models import RoutePlanVersion
from slotbooking.slots.booking_rules import closes_at
from slotbooking.slots.clock import local_today
from slotbooking.slots.models import Slot

TRIGGER_ORDER = ("cutoff", "bookings", "setup")


@dataclass(frozen=True)
class DueDepotDay:
    depot_id: int
    day: date
    trigger: str


@dataclass(frozen=True)
class _LatestSlot:
    """What closes_at reads of a slot."""

    starts_at: datetime
    service_date: date


def due_depot_days(session, now: datetime, debounce_seconds: float) -> list[DueDepotDay]:
    """Return the depot-days to plan now, each once, cut-off plans first."""
    since = (now - timedelta(days=1)).date()  # local today is at most a day behind UTC's
    occupying = func.sum(case((Booking.status.in_(OCCUPYING_STATUSES), 1), else_=0))
    booked = session.execute(
        select(Booking.depot_id, Booking.service_date, occupying, func.max(Booking.updated_at))
        .where(Booking.service_date >= since)
        .group_by(Booking.depot_id, Booking.service_date)
    ).all()
    if not booked:
        return []
    newest = (
        select(
            RoutePlanVersion.depot_id,
            RoutePlanVersion.service_date,
            func.max(RoutePlanVersion.version).label("version"),
        )
        .where(RoutePlanVersion.service_date >= since)
        .group_by(RoutePlanVersion.depot_id, RoutePlanVersion.service_date)
        .subquery()
    )
    plans = {
        (p.depot_id, p.service_date): p
        for p in session.scalars(
            select(RoutePlanVersion).join(
                newest,
                (newest.c.depot_id == RoutePlanVersion.depot_id)
                & (newest.c.service_date == RoutePlanVersion.service_date)
                & (newest.c.version == RoutePlanVersion.version),
            )
        )
    }
    latest_starts = dict(
        ((depot_id, day), starts_at)
        for depot_id, day, starts_at in session.execute(
            select(Slot.depot_id, Slot.service_date, func.max(Slot.starts_at))
            .where(Slot.service_date >= since, Slot.active.is_(True))
            .group_by(Slot.depot_id, Slot.service_date)
        ).all()
    )
    tenants = {
        depot_id: Tenant.of(retailer)
        for depot_id, retailer in session.execute(
            select(Depot.id, Retailer).join(Retailer, Retailer.id == Depot.retailer_id)
        ).all()
    }
    quiet_since = now - timedelta(seconds=debounce_seconds)
    due = []
    for depot_id, day, count, changed_at in booked:
        tenant = tenants.get(depot_id)
        if tenant is None or day < local_today(tenant.tz, now):
            continue
        plan = plans.get((depot_id, day))
        count = int(count or 0)
        closing = latest_starts.get((depot_id, day))
        closed_at = closes_at(tenant, _LatestSlot(closing, day)) if closing else None
        if closed_at and closed_at <= now and count and (plan is None or plan.planned_at < closed_at):
            due.append(DueDepotDay(depot_id, day, "cutoff"))
        elif _stale(plan, count, changed_at) and (changed_at is None or changed_at <= quiet_since):
            due.append(DueDepotDay(depot_id, day, "bookings"))
        elif plan is not None and count and plan.planned_at < tenant.updated_at <= quiet_since:
            due.append(DueDepotDay(depot_id, day, "setup"))
    return sorted(due, key=lambda d: (TRIGGER_ORDER.index(d.trigger), d.day, d.depot_id))


def _stale(plan: RoutePlanVersion | None, count: int, changed_at: datetime | None) -> bool:
    if plan is None:
        return count > 0
    return (plan.bookings_count, plan.bookings_changed_at) != (count, changed_at)
