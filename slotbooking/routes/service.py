"""Plan a depot-day and store the plan as a new version; read the latest one back.

Planning reads its inputs, lets go of the database while PyVRP searches (seconds, bounded by
``PlanLimits``), then stores the result in a short transaction that locks the depot day's
row, the same lock every booking takes. The lock's UPDATE bumps ``depot_days.lock_seq``,
which is the grid cache's version (``docs/cache.md``), so the next /slots prices against the
new plan. Under the lock the newest stored plan is read again: a plan made from older reads
than the stored one (two workers at once) is dropped, never stored over it.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select

from pricing.routing import plan_routes
from slotbooking.bookings.capacity import lock_depot_day
from slotbooking.common.errors import NotFound
from slotbooking.common.unit_of_work import read_only, unit_of_work
from slotbooking.retailers.models import Depot
from slotbooking.retailers.tenant import Tenant
from slotbooking.routes.codec import plan_to_json
from slotbooking.routes.inputs import BookingsState, DepotDayInputs, PlanLimits, bookings_state, read_inputs
from slotbooking.routes.models import RoutePlanVersion
from slotbooking.slots.clock import local_today

TRIGGERS = ("bookings", "cutoff", "setup")


@dataclass(frozen=True)
class PlanOutcome:
    """What one planning run did: "stored", "unchanged", "superseded", "no_bookings", "past", "no_depot"."""

    status: str
    version: int | None = None
    stops: int = 0
    unassigned: int = 0
    solve_seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "version": self.version,
            "stops": self.stops,
            "unassigned": self.unassigned,
            "solve_seconds": round(self.solve_seconds, 3),
        }


@dataclass(frozen=True)
class PlannedRoutes:
    """What a new version stores: a fresh search's routes, or the newest version's, kept."""

    stops: int
    unassigned: int
    km: float
    co2_grams: int
    feasible: bool
    solve_seconds: float
    body: dict

    @classmethod
    def searched(cls, plan, inputs: DepotDayInputs) -> "PlannedRoutes":
        return cls(
            plan.stops,
            len(plan.unassigned),
            round(plan.km, 3),
            plan.co2_grams,
            plan.feasible,
            round(plan.solve_seconds, 3),
            plan_to_json(plan, inputs.stop_details),
        )

    @classmethod
    def kept(cls, latest: RoutePlanVersion) -> "PlannedRoutes":
        return cls(
            latest.stops, latest.unassigned, latest.km, latest.co2_grams, latest.feasible, 0.0, latest.body
        )


def latest_version(session, depot_id: int, day: date) -> RoutePlanVersion | None:
    """Return the newest stored plan of a depot-day, or None."""
    return session.scalar(
        select(RoutePlanVersion)
        .where(RoutePlanVersion.depot_id == depot_id, RoutePlanVersion.service_date == day)
        .order_by(RoutePlanVersion.version.desc())
        .limit(1)
    )


def _nothing_new(
    latest: RoutePlanVersion | None, inputs: DepotDayInputs, trigger: str, setup_changed_at: datetime
) -> bool:
    if latest is None:
        return not inputs.request.stops  # a day that never had a booking needs no plan
    same = latest.inputs_digest == inputs.digest
    if trigger == "cutoff":  # made once even when nothing changed: it is the day's final plan
        return same and latest.trigger == "cutoff"
    if trigger == "setup":  # checked once against each new setup, even when the routes stand
        return same and latest.planned_at >= setup_changed_at
    return same


def plan_depot_day(
    session,
    depot_id: int,
    day: date,
    now: datetime,
    limits: PlanLimits,
    trigger: str = "bookings",
    keep_versions: int = 20,
) -> PlanOutcome:
    """Plan the depot's routes for the day if its bookings (or fleet, or rules) changed; store it.

    ``trigger``: "bookings" (they changed), "cutoff" (the day's booking closed: its final plan)
    or "setup" (the retailer's setup changed since the newest plan: depots, fleet, windows).

    :raises ValueError: an unknown trigger.
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")
    with read_only(session):  # no transaction stays open while the planner searches
        depot = session.get(Depot, depot_id)
        if depot is None:
            return PlanOutcome("no_depot")
        tenant = Tenant.of(depot.retailer)
        if day < local_today(tenant.tz, now):
            return PlanOutcome("past")
        inputs = read_inputs(session, depot, tenant, day, limits)
        latest = latest_version(session, depot_id, day)
        if _nothing_new(latest, inputs, trigger, tenant.updated_at):
            return PlanOutcome("unchanged" if latest else "no_bookings", latest.version if latest else None)
        # A new setup that leaves the planning problem as it was (a price changed, not the
        # fleet) keeps the routes: the new version records the check, without a search.
        same = latest is not None and latest.inputs_digest == inputs.digest
        kept = latest if trigger == "setup" and same else None
    planned = (
        PlannedRoutes.kept(kept) if kept else PlannedRoutes.searched(plan_routes(inputs.request), inputs)
    )
    with unit_of_work(session) as unit:
        return _store_plan(session, unit, tenant, depot_id, day, now, inputs, planned, trigger, keep_versions)


def _store_plan(
    session, unit, tenant, depot_id, day, now, inputs, plan: PlannedRoutes, trigger, keep_versions
) -> PlanOutcome:
    """Store the plan as the depot-day's next version, unless a newer one came first (under its lock)."""
    lock_depot_day(session, depot_id, day)
    latest = latest_version(session, depot_id, day)
    superseded = latest is not None and (
        latest.inputs_seq > inputs.seq or _nothing_new(latest, inputs, trigger, tenant.updated_at)
    )
    if superseded:
        unit.rollback()  # nothing of ours to store: the lock is let go unchanged
        return PlanOutcome("superseded", latest.version)
    version = (latest.version if latest else 0) + 1
    session.add(
        RoutePlanVersion(
            retailer_id=tenant.id,
            depot_id=depot_id,
            service_date=day,
            version=version,
            trigger=trigger,
            planned_at=now,
            inputs_digest=inputs.digest,
            inputs_seq=inputs.seq,
            bookings_count=inputs.bookings.count,
            bookings_changed_at=inputs.bookings.changed_at,
            stops=plan.stops,
            unassigned=plan.unassigned,
            km=plan.km,
            co2_grams=plan.co2_grams,
            feasible=plan.feasible,
            solve_seconds=plan.solve_seconds,
            body=plan.body,
        )
    )
    session.execute(
        delete(RoutePlanVersion).where(
            RoutePlanVersion.depot_id == depot_id,
            RoutePlanVersion.service_date == day,
            RoutePlanVersion.version <= version - max(1, keep_versions),
        )
    )
    return PlanOutcome("stored", version, plan.stops, plan.unassigned, plan.solve_seconds)


@dataclass(frozen=True)
class StoredPlan:
    """The newest plan of a depot-day, and whether the bookings still are what it was made from."""

    record: RoutePlanVersion
    depot_code: str
    bookings_now: BookingsState


def newest_plan(session, tenant, day: date, depot_code: str) -> StoredPlan:
    """Return the retailer's newest plan of the depot on the day.

    :raises NotFound: no such depot for this retailer, or no plan of that day yet.
    """
    depot = session.scalar(select(Depot).where(Depot.retailer_id == tenant.id, Depot.code == depot_code))
    if depot is None:
        raise NotFound(f"no depot {depot_code!r}", {"depot": depot_code})
    record = latest_version(session, depot.id, day)
    if record is None:
        raise NotFound(
            f"no route plan of depot {depot_code!r} on {day} yet: plans follow its bookings within seconds",
            {"depot": depot_code, "date": day.isoformat()},
        )
    return StoredPlan(record, depot.code, bookings_state(session, depot.id, day))
