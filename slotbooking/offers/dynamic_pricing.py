"""The pricing engine behind the Pricer interface: `dynamic` (and `static`) pricing modes.

Translates one zone-day of the database into the engine's plain dataclasses: the depot and
its fleet, the windows with what is left of them, the day's booked stops, the shopper's
coordinates and the retailer's rules, and the engine's prices back into SlotPrices.
"""

import dataclasses
import threading
from datetime import datetime

from cachetools import LRUCache, cachedmethod
from sqlalchemy import bindparam, func, select

import pricing
from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking
from slotbooking.retailers.models import Depot
from slotbooking.slots.clock import minute_of_day
from slotbooking.slots.models import Slot
from slotbooking.slots.pricers import Address, DayToPrice, GridReads, SlotPrice
from slotbooking.wording import in_locale, reason_text

RULE_FIELDS = {f.name for f in dataclasses.fields(pricing.PricingRules)}
CHOICE_FIELDS = {f.name for f in dataclasses.fields(pricing.ChoiceParameters)}
# About 110 m by 70 m in London: near enough for "a van is on your street".
CELL_DECIMALS = 3


def local_minutes(instant: datetime, tz, day) -> int:
    """Return an instant as minutes since the local midnight of a day (windows, plans)."""
    local = instant.astimezone(tz)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def engine_rules(settings: dict, discount_spent: int, solver: str | None = None) -> pricing.PricingRules:
    """Map the setup document's pricing section onto the engine's rules."""
    values = {key: value for key, value in settings.items() if key in RULE_FIELDS}
    if solver and "solver" not in values:
        values["solver"] = solver
    return pricing.PricingRules(**values, discount_spent=discount_spent)


def choice_parameters(settings: dict) -> pricing.ChoiceParameters:
    overrides = {k: v for k, v in (settings.get("choice") or {}).items() if k in CHOICE_FIELDS}
    return pricing.ChoiceParameters(**overrides)


# A depot's booked stops on the days first..last, each with its day (a day alone: first = last).
# Built once: a cache miss prices seven days, and building it per day cost more CPU than running
# it (bench/README.md).
_STOPS = (
    select(Booking.service_date, Slot.starts_at, Slot.ends_at, Booking.lat, Booking.lon, Booking.zone_id)
    .join(Slot, Slot.id == Booking.slot_id)
    .where(
        Booking.depot_id == bindparam("stops_depot_id"),
        Booking.service_date >= bindparam("stops_first"),
        Booking.service_date <= bindparam("stops_last"),
        Booking.status.in_(OCCUPYING_STATUSES),
    )
)


def _stop_rows(session, depot_id: int, day, grid: GridReads | None) -> list:
    """Return the depot-day's booked stops as (starts_at, ends_at, lat, lon, zone_id) rows.

    Priced for a grid, the first day reads the stops of all the grid's days in one query and
    keeps them in the grid's memo for the others.
    """

    def read(first, last) -> dict:
        by_day = {}
        span = {"stops_depot_id": depot_id, "stops_first": first, "stops_last": last}
        for service_date, *row in session.execute(_STOPS, span):
            by_day.setdefault(service_date, []).append(row)
        return by_day

    if grid is None or day not in grid.days:
        return read(day, day).get(day, [])
    return grid.once(("engine_stops", depot_id), lambda: read(grid.days[0], grid.days[-1])).get(day, [])


def _depot_day_stops(session, zone, day, zone_slots, grid: GridReads | None = None) -> tuple[tuple, tuple]:
    """Return the day's booked stops (this zone's, the depot's other zones'), on this zone's windows.

    Vans cross zone borders, so a booking next door at the same time makes a window green
    here too; a booking is placed on this zone's window with the same start and end.
    """
    window_of = {(slot.starts_at, slot.ends_at): slot.id for slot, _ in zone_slots}
    own, neighbours = [], []
    for starts_at, ends_at, lat, lon, zone_id in _stop_rows(session, zone.depot_id, day, grid):
        key = window_of.get((starts_at, ends_at))
        if key is None or (lat is None and zone_id != zone.id):
            continue  # no matching window here, or a neighbour's booking with no coordinates
        point = pricing.GeoPoint(lat, lon) if lat is not None else pricing.GeoPoint(zone.lat, zone.lon)
        (own if zone_id == zone.id else neighbours).append(pricing.BookedStop(point=point, window_key=key))
    return tuple(own), tuple(neighbours)


def _discount_given(session, tenant, day, grid: GridReads | None = None) -> int:
    """Return the discount the retailer has given on bookings for the day (for its daily budget).

    Priced for a grid, one grouped query answers for all the grid's days.
    """
    occupying = (
        Booking.retailer_id == tenant.id,
        Booking.status.in_(OCCUPYING_STATUSES),
        Booking.price < Booking.base_price,
    )
    discount = func.coalesce(func.sum(Booking.base_price - Booking.price), 0)
    if grid is None or day not in grid.days:
        given = session.scalar(select(discount).where(Booking.service_date == day, *occupying))
        return int(given or 0)

    def read() -> dict:
        rows = session.execute(
            select(Booking.service_date, discount)
            .where(Booking.service_date >= grid.days[0], Booking.service_date <= grid.days[-1], *occupying)
            .group_by(Booking.service_date)
        )
        return {service_date: int(given or 0) for service_date, given in rows}

    return grid.once(("engine_discount_given", tenant.id), read).get(day, 0)


class EnginePricer:
    """Prices each window for the shopper's address with the pricing engine.

    ``plans`` (session, depot id, day) -> the depot-day's newest route plan or None, handed in
    by the app factory: dynamic prices then come from the planned routes (docs/routes.md).
    """

    def __init__(self, solver: str | None = None, plans=None, choice=None):
        self.solver = solver
        self.plans = plans
        # (session, tenant) -> ChoiceParameters: the setup's by default; the app passes the fitted ones.
        self._choice = choice or (lambda _session, tenant: choice_parameters(tenant.pricing))
        # Depots and fleets change only by a setup import, which moves the retailer's updated_at.
        self._fleets = LRUCache(maxsize=1000)
        self._lock = threading.Lock()

    @cachedmethod(
        lambda self: self._fleets,
        key=lambda self, session, tenant, depot_id: (tenant.id, tenant.updated_at, depot_id),
        lock=lambda self: self._lock,
    )
    def _depot_and_fleet(
        self, session, tenant, depot_id: int
    ) -> tuple[pricing.GeoPoint, tuple[pricing.VehicleGroup, ...]]:
        depot = session.get(Depot, depot_id)
        fleet = tuple(
            pricing.VehicleGroup(
                vehicle=g.vehicle,
                count=g.count,
                stops_per_vehicle=g.stops_per_vehicle,
                shift_start_minute=minute_of_day(g.shift_start),
                shift_end_minute=minute_of_day(g.shift_end),
            )
            for g in depot.fleet
        )
        return pricing.GeoPoint(depot.lat, depot.lon), fleet

    def _plan(self, session, depot_id: int, day, grid: GridReads | None):
        """Return the depot-day's newest route plan; for a grid, all its days' in one read."""
        if self.plans is None:
            return None
        for_days = getattr(self.plans, "for_days", None)
        if grid is None or day not in grid.days or for_days is None:
            return self.plans(session, depot_id, day)
        plans = grid.once(
            ("engine_plans", depot_id), lambda: for_days(session, depot_id, grid.days[0], grid.days[-1])
        )
        return plans.get(day)

    def address_cell(self, address: Address) -> str:
        return f"{address.lat:.{CELL_DECIMALS}f},{address.lon:.{CELL_DECIMALS}f}"

    def price_day(self, session, request: DayToPrice) -> dict[str, SlotPrice]:
        tenant, zone, day = request.tenant, request.zone, request.day
        tz = tenant.tz
        depot_point, fleet = self._depot_and_fleet(session, tenant, zone.depot_id)
        windows = tuple(
            pricing.WindowSpec(
                key=slot.id,
                start_minute=local_minutes(slot.starts_at, tz, day),
                end_minute=local_minutes(slot.ends_at, tz, day),
                capacity=slot.capacity,
                remaining=max(0, remaining),
                template_fee=slot.fee,
            )
            for slot, remaining in request.slots
        )
        stops, neighbour_stops = _depot_day_stops(session, zone, day, request.slots, request.grid)
        budget = tenant.pricing.get("daily_discount_budget")
        spent = _discount_given(session, tenant, day, request.grid) if budget else 0
        dynamic = tenant.pricing.get("mode") == "dynamic"
        plan = self._plan(session, zone.depot_id, day, request.grid) if dynamic else None
        result = pricing.price_windows(
            pricing.PricingRequest(
                depot=depot_point,
                fleet=fleet,
                windows=windows,
                bookings=stops,
                depot_bookings=neighbour_stops,
                shopper=pricing.GeoPoint(request.address.lat, request.address.lon),
                rules=engine_rules(tenant.pricing, spent, self.solver),
                choice=self._choice(session, tenant),
                zone_centroid=pricing.GeoPoint(zone.lat, zone.lon),
                plan=plan,
            )
        )
        # The API's reasons are sentences in the retailer's locale; their codes and numbers go
        # along, so that our own pages (and a retailer) can word them in another language.
        wanted = result.windows if request.wanted is None else request.wanted
        with in_locale(tenant.locale):
            return {key: slot_price(result.windows[key], tenant.currency) for key in wanted}


def slot_price(window: pricing.WindowPrice, currency: str) -> SlotPrice:
    """Turn the engine's price of a window into the API's, its reasons worded in the current locale."""
    green = window.green_reason
    return SlotPrice(
        price=window.price,
        base_price=window.base_price,
        incentives=tuple(
            {
                "kind": i.kind,
                "amount": i.amount,
                "reason": reason_text(i.reason.code, i.reason.params, currency),
                "reason_code": i.reason.code,
                "reason_params": dict(i.reason.params),
            }
            for i in window.incentives
        ),
        green=window.green,
        co2_grams=window.co2_grams,
        green_reason=reason_text(green.code, green.params, currency) if green else None,
        green_reason_code=green.code if green else None,
        green_reason_params=dict(green.params) if green else None,
    )
