"""What a depot-day's plan is made from: its confirmed bookings as stops, the fleet, the rules.

Read from the database into the planner's plain dataclasses (``pricing.routing``), with a
digest of them: two reads with the same digest would give the same planning problem, so a
plan is only made again when something it depends on changed.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from pricing import GeoPoint, VehicleGroup
from pricing.routing import PlanRequest, PlanStop, settings_from_rules
from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking
from slotbooking.offers.dynamic_pricing import engine_rules, local_minutes
from slotbooking.retailers.models import Depot, Zone
from slotbooking.slots.clock import minute_of_day
from slotbooking.slots.models import DepotDay, Slot


@dataclass(frozen=True)
class PlanLimits:
    """How long a plan may search (ROUTES_MAX_SECONDS, ROUTES_MAX_ITERATIONS)."""

    max_seconds: float = 5.0
    max_iterations: int = 3000

    @classmethod
    def from_config(cls, config) -> "PlanLimits":
        return cls(config["ROUTES_MAX_SECONDS"], config["ROUTES_MAX_ITERATIONS"])


@dataclass(frozen=True)
class BookingsState:
    """A cheap fingerprint of a depot-day's bookings: how many occupy a place, and the last change."""

    count: int
    changed_at: datetime | None


@dataclass(frozen=True)
class DepotDayInputs:
    request: PlanRequest
    stop_details: dict[str, dict]  # booking id -> what the API shows of the stop
    digest: str
    seq: int  # the depot day's lock_seq, read before the bookings
    bookings: BookingsState


def bookings_state(session, depot_id: int, day: date) -> BookingsState:
    """Return the depot-day's booking count and latest change (one indexed aggregate)."""
    occupying = func.coalesce(func.sum(case((Booking.status.in_(OCCUPYING_STATUSES), 1), else_=0)), 0)
    count, changed_at = session.execute(
        select(occupying, func.max(Booking.updated_at)).where(
            Booking.depot_id == depot_id, Booking.service_date == day
        )
    ).one()
    return BookingsState(int(count), changed_at)


def read_inputs(session, depot: Depot, tenant, day: date, limits: PlanLimits) -> DepotDayInputs:
    """Read everything the depot-day's plan depends on."""
    seq = session.scalar(
        select(DepotDay.lock_seq).where(DepotDay.depot_id == depot.id, DepotDay.service_date == day)
    )
    state = bookings_state(session, depot.id, day)
    rows = session.execute(
        select(Booking, Slot.starts_at, Slot.ends_at, Zone.code, Zone.lat, Zone.lon)
        .join(Slot, Slot.id == Booking.slot_id)
        .join(Zone, Zone.id == Booking.zone_id)
        .where(
            Booking.depot_id == depot.id,
            Booking.service_date == day,
            Booking.status.in_(OCCUPYING_STATUSES),
        )
        .order_by(Booking.id)
    ).all()
    tz = tenant.tz
    stops, details = [], {}
    for booking, starts_at, ends_at, zone_code, zone_lat, zone_lon in rows:
        located = booking.lat is not None and booking.lon is not None
        point = GeoPoint(booking.lat, booking.lon) if located else GeoPoint(zone_lat, zone_lon)
        stops.append(
            PlanStop(booking.id, point, local_minutes(starts_at, tz, day), local_minutes(ends_at, tz, day))
        )
        details[booking.id] = {
            "order_ref": booking.order_ref,
            "zone": zone_code,
            "postcode": booking.postcode,
            "lat": point.lat,
            "lon": point.lon,
            "located": located,  # False: planned at the zone's centre, the booking has no coordinates
            "window": [starts_at.isoformat(), ends_at.isoformat()],
        }
    fleet = tuple(
        VehicleGroup(
            vehicle=group.vehicle,
            count=group.count,
            stops_per_vehicle=group.stops_per_vehicle,
            shift_start_minute=minute_of_day(group.shift_start),
            shift_end_minute=minute_of_day(group.shift_end),
        )
        for group in depot.fleet
    )
    settings = settings_from_rules(
        engine_rules(tenant.pricing, 0), max_seconds=limits.max_seconds, max_iterations=limits.max_iterations
    )
    request = PlanRequest(GeoPoint(depot.lat, depot.lon), fleet, tuple(stops), settings)
    return DepotDayInputs(request, details, _digest(request, details), int(seq or 0), state)


def _digest(request: PlanRequest, details: dict) -> str:
    text = json.dumps({"request": asdict(request), "details": details}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
