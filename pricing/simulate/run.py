"""Run the pricing policies on the same shoppers, route each day, and report per policy."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass

from pricing import BookedStop, PricingRequest, PricingRules, price_windows
from pricing.carbon import DEFAULT_EMISSION_FACTORS
from pricing.simulate.city import DEPOT, SimConfig, Zone, build_zones, day_windows, fleet
from pricing.simulate.routing import VehicleCosts, route_day
from pricing.simulate.shoppers import Shopper, choose, draw_shoppers

POLICIES: dict[str, PricingRules] = {
    "flat": PricingRules(mode="flat"),
    "static": PricingRules(mode="static", static_wide_discount=100),
    "dynamic": PricingRules(mode="dynamic"),
}
# Only the dynamic policy shows green badges; flat and static are today's practice.
SHOWS_GREEN_BADGES = frozenset({"dynamic"})
# The simulated operator's costs (assumptions of this city, the same for every policy):
# running cost per km by vehicle type, speed, a driver at £15 an hour on every vehicle,
# and carbon at 10p per kg CO2e on the default emission factors.
RUNNING_COST_PER_KM = {"diesel_van": 30.0, "electric_van": 30.0, "cargo_bike": 10.0}
SPEED_KMH = {"diesel_van": 25.0, "electric_van": 25.0, "cargo_bike": 15.0}
DRIVER_COST_PER_HOUR = 1500
CARBON_PRICE_PER_KG = 10
VEHICLE_COSTS = {
    vehicle: VehicleCosts(
        per_km=RUNNING_COST_PER_KM[vehicle] + DEFAULT_EMISSION_FACTORS[vehicle] * CARBON_PRICE_PER_KG,
        speed_kmh=SPEED_KMH[vehicle],
    )
    for vehicle in RUNNING_COST_PER_KM
}


@dataclass(frozen=True)
class PolicyReport:
    """What one policy achieved over the whole run."""

    policy: str
    shoppers: int
    bookings: int
    km_by_vehicle: tuple[tuple[str, float], ...]  # (vehicle type, km), sorted
    vehicle_days: int
    days: int
    driver_hours: float
    fee_revenue: int
    wide_bookings: int
    green_bookings: int
    routes_feasible: bool

    @property
    def acceptance(self) -> float:
        return self.bookings / self.shoppers if self.shoppers else 0.0

    @property
    def km(self) -> float:
        return sum(km for _, km in self.km_by_vehicle)

    @property
    def co2_kg(self) -> float:
        return sum(km * DEFAULT_EMISSION_FACTORS[vehicle] for vehicle, km in self.km_by_vehicle)

    @property
    def km_per_order(self) -> float:
        return self.km / self.bookings if self.bookings else 0.0

    @property
    def co2_grams_per_order(self) -> float:
        return self.co2_kg * 1000 / self.bookings if self.bookings else 0.0

    @property
    def contribution_per_order(self) -> float:
        """Fee minus running, carbon and driver cost per order, in minor units."""
        cost = (
            sum(km * VEHICLE_COSTS[vehicle].per_km for vehicle, km in self.km_by_vehicle)
            + self.driver_hours * DRIVER_COST_PER_HOUR
        )
        return (self.fee_revenue - cost) / self.bookings if self.bookings else 0.0


def simulate(config: SimConfig, policies: Sequence[str] = tuple(POLICIES)) -> list[PolicyReport]:
    """Run every policy on the same city and shoppers and return their reports."""
    rng = random.Random(config.seed)
    zones = build_zones(config, rng)
    shoppers = draw_shoppers(config, zones, day_windows(), rng)
    return [_run_policy(name, config, zones, shoppers) for name in policies]


def _run_policy(
    name: str, config: SimConfig, zones: Sequence[Zone], shoppers: Sequence[Shopper]
) -> PolicyReport:
    rules = POLICIES[name]
    windows_by_key = {w.key: w for w in day_windows()}
    centres = {zone.code: zone.centre for zone in zones}
    remaining = {}
    bookings: dict[tuple[int, str], list[BookedStop]] = {}
    fees = wide = green = 0
    for shopper in shoppers:
        zone_day = (shopper.day, shopper.zone)
        left = remaining.setdefault(zone_day, {k: w.capacity for k, w in windows_by_key.items()})
        booked = bookings.setdefault(zone_day, [])
        windows = tuple(dataclasses.replace(w, remaining=left[w.key]) for w in windows_by_key.values())
        result = price_windows(
            PricingRequest(
                depot=DEPOT,
                fleet=fleet(config),
                windows=windows,
                bookings=tuple(booked),
                shopper=shopper.address,
                rules=rules,
                zone_centroid=centres[shopper.zone],
                # The same depot's vans serve every zone, and the zones share window times:
                # a live system passes the depot-day's other bookings too.
                depot_bookings=tuple(
                    stop
                    for (day, zone), stops in sorted(bookings.items())
                    if day == shopper.day and zone != shopper.zone
                    for stop in stops
                ),
            )
        )
        offer = {k: p.price for k, p in result.windows.items() if left[k] > 0}
        badges = {k: p.green for k, p in result.windows.items()} if name in SHOWS_GREEN_BADGES else {}
        key = choose(shopper, offer, badges, windows_by_key)
        if key is None:
            continue
        left[key] -= 1
        booked.append(BookedStop(point=shopper.address, window_key=key))
        fees += offer[key]
        wide += windows_by_key[key].width_minutes >= rules.wide_window_minutes
        green += result.windows[key].green
    return _route_and_report(name, config, shoppers, bookings, windows_by_key, fees, wide, green)


def _route_and_report(name, config, shoppers, bookings, windows_by_key, fees, wide, green):
    rules = PricingRules()
    km: dict[str, float] = {}
    hours = 0.0
    vehicles = 0
    feasible = True
    for day in range(config.days):
        stops = [
            (stop.point, windows_by_key[stop.window_key])
            for (booked_day, _), day_stops in sorted(bookings.items())
            if booked_day == day
            for stop in day_stops
        ]
        routes = route_day(
            DEPOT,
            stops,
            fleet(config),
            VEHICLE_COSTS,
            DRIVER_COST_PER_HOUR,
            rules.road_factor,
            rules.service_minutes,
            config.routing_iterations,
            seed=config.seed + day,
            runs=config.routing_runs,
        )
        for vehicle, driven in routes.km.items():
            km[vehicle] = km.get(vehicle, 0.0) + driven
        hours += routes.driver_hours
        vehicles += routes.vehicles_used
        feasible = feasible and routes.feasible
    return PolicyReport(
        policy=name,
        shoppers=len(shoppers),
        bookings=sum(len(v) for v in bookings.values()),
        km_by_vehicle=tuple(sorted(km.items())),
        vehicle_days=vehicles,
        days=config.days,
        driver_hours=hours,
        fee_revenue=fees,
        wide_bookings=wide,
        green_bookings=green,
        routes_feasible=feasible,
    )


def format_table(reports: Sequence[PolicyReport]) -> str:
    """Format the reports as a plain-text table, one row per policy."""
    header = (
        f"{'policy':<8} {'shoppers':>8} {'bookings':>8} {'accept':>7} {'km':>8} "
        f"{'veh/day':>8} {'km/order':>8} {'gCO2/ord':>8} {'fees £':>8} {'contr/ord £':>11} "
        f"{'wide':>6} {'green':>6} {'routes':>8}"
    )
    rows = [header, "-" * len(header)]
    for r in reports:
        rows.append(
            f"{r.policy:<8} {r.shoppers:>8} {r.bookings:>8} {r.acceptance:>7.1%} "
            f"{r.km:>8.1f} {r.vehicle_days / max(1, r.days):>8.1f} {r.km_per_order:>8.2f} "
            f"{r.co2_grams_per_order:>8.0f} {r.fee_revenue / 100:>8.2f} "
            f"{r.contribution_per_order / 100:>11.2f} "
            f"{r.wide_bookings / max(1, r.bookings):>6.1%} "
            f"{r.green_bookings / max(1, r.bookings):>6.1%} "
            f"{'feasible' if r.routes_feasible else 'TW/cap!':>8}"
        )
    return "\n".join(rows)


def format_verdict(reports: Sequence[PolicyReport]) -> str:
    """Compare dynamic with flat against the targets, in words and numbers."""
    by_name = {r.policy: r for r in reports}
    if "flat" not in by_name or "dynamic" not in by_name:
        return ""
    flat, dynamic = by_name["flat"], by_name["dynamic"]

    def change(new: float, old: float) -> float:
        return (new - old) / old if old else 0.0

    km = change(dynamic.km_per_order, flat.km_per_order)
    co2 = change(dynamic.co2_grams_per_order, flat.co2_grams_per_order)
    accept = dynamic.acceptance - flat.acceptance
    contribution = (dynamic.contribution_per_order - flat.contribution_per_order) / 100

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = [
        "dynamic against flat:",
        f"  km per order   {km:+.1%}  (target -15.0% or better: {verdict(km <= -0.15)})",
        f"  CO2 per order  {co2:+.1%}  (target -15.0% or better: {verdict(co2 <= -0.15)})",
        f"  acceptance     {accept:+.1%} points (target not lower: {verdict(accept >= 0)})",
        f"  contribution   {contribution:+.2f} £/order (target not lower: {verdict(contribution >= 0)})",
    ]
    return "\n".join(lines)
