"""Run the pricing policies on the same shoppers, route each day, and report per policy."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass

from pricing import BookedStop, PricingRequest, PricingRules, price_windows
from pricing.carbon import DEFAULT_EMISSION_FACTORS
from pricing.simulate.city import DEPOT, SimConfig, Zone, build_zones, day_windows, fleet
from pricing.simulate.routing import route_day
from pricing.simulate.shoppers import Shopper, choose, draw_shoppers

POLICIES: dict[str, PricingRules] = {
    "flat": PricingRules(mode="flat"),
    "static": PricingRules(mode="static", static_wide_discount=100),
    "dynamic": PricingRules(mode="dynamic"),
}
# Only the dynamic policy shows green badges; flat and static are today's practice.
SHOWS_GREEN_BADGES = frozenset({"dynamic"})


@dataclass(frozen=True)
class PolicyReport:
    """What one policy achieved over the whole run."""

    policy: str
    shoppers: int
    bookings: int
    van_km: float
    van_days: int
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
    def km_per_order(self) -> float:
        return self.van_km / self.bookings if self.bookings else 0.0

    @property
    def co2_grams_per_order(self) -> float:
        return self.km_per_order * DEFAULT_EMISSION_FACTORS["diesel_van"] * 1000

    @property
    def contribution_per_order(self) -> float:
        """Fee minus vehicle, driver and carbon cost per order, in minor units."""
        rules = PricingRules()
        cost = (
            self.van_km * rules.cost_per_km
            + self.driver_hours * rules.driver_cost_per_hour
            + self.van_km * DEFAULT_EMISSION_FACTORS["diesel_van"] * rules.carbon_price_per_kg
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
    km = hours = 0.0
    vans = 0
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
            rules.road_factor,
            rules.average_speed_kmh,
            rules.service_minutes,
            config.routing_iterations,
            seed=config.seed + day,
        )
        km += routes.km
        hours += routes.driver_hours
        vans += routes.vans_used
        feasible = feasible and routes.feasible
    return PolicyReport(
        policy=name,
        shoppers=len(shoppers),
        bookings=sum(len(v) for v in bookings.values()),
        van_km=km,
        van_days=vans,
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
        f"{'policy':<8} {'shoppers':>8} {'bookings':>8} {'accept':>7} {'van-km':>8} "
        f"{'vans/day':>8} {'km/order':>8} {'gCO2/ord':>8} {'fees £':>8} {'contr/ord £':>11} "
        f"{'wide':>6} {'green':>6} {'routes':>8}"
    )
    rows = [header, "-" * len(header)]
    for r in reports:
        rows.append(
            f"{r.policy:<8} {r.shoppers:>8} {r.bookings:>8} {r.acceptance:>7.1%} "
            f"{r.van_km:>8.1f} {r.van_days / max(1, r.days):>8.1f} {r.km_per_order:>8.2f} "
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
