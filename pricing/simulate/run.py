"""Run the pricing policies on the same shoppers, route each day, and report per policy."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from pricing import BookedStop, ChoiceParameters, PricingRequest, PricingRules, price_windows
from pricing.calibration import FittedChoice, OfferedWindow, OfferRecord
from pricing.carbon import DEFAULT_EMISSION_FACTORS
from pricing.simulate.city import DEPOT, SimConfig, Zone, build_zones, day_windows, fleet
from pricing.simulate.flexibility import (
    FlexibilitySample,
    describe,
    flexibility_km,
    flexibility_minutes,
    sample,
    widened,
)
from pricing.simulate.learning import HistoryForecast, LoggedOffer, calibrate
from pricing.simulate.policies import EVERY_POLICY, POLICIES, PROBES, Policy
from pricing.simulate.routing import DayRoutes, VehicleCosts, route_day
from pricing.simulate.shoppers import Shopper, choose, draw_shoppers

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
    fits: tuple[FittedChoice, ...] = ()  # the learning policy's nightly fits, day 2 on
    flexibility: tuple[FlexibilitySample, ...] = ()  # its nightly re-plans, day 1 on

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


def simulate(
    config: SimConfig, policies: Sequence[str] = tuple(POLICIES), jobs: int = 1
) -> list[PolicyReport]:
    """Run every policy on the same city and shoppers and return their reports, in order.

    With jobs > 1 the policies run in that many processes; each policy's run is
    deterministic, so the table is the same either way.
    """
    unknown = [name for name in policies if name not in EVERY_POLICY]
    if unknown:
        raise ValueError(f"unknown policies {unknown}; expected some of {list(EVERY_POLICY)}")
    if jobs > 1 and len(policies) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(_simulate_one, [config] * len(policies), policies))
    return [_simulate_one(config, name) for name in policies]


def _simulate_one(config: SimConfig, name: str) -> PolicyReport:
    rng = random.Random(config.seed)
    zones = build_zones(config, rng)
    shoppers = draw_shoppers(config, zones, day_windows(), rng)
    return _run_policy(EVERY_POLICY[name], config, zones, shoppers)


def _run_policy(
    policy: Policy, config: SimConfig, zones: Sequence[Zone], shoppers: Sequence[Shopper]
) -> PolicyReport:
    rules = policy.rules
    windows_by_key = {
        w.key: dataclasses.replace(w, template_fee=policy.template_fee(w)) for w in day_windows()
    }
    centres = {zone.code: zone.centre for zone in zones}
    remaining = {}
    bookings: dict[tuple[int, str], list[BookedStop]] = {}
    arrivals: dict[tuple[int, str], int] = {}
    log: list[LoggedOffer] = []
    choice = ChoiceParameters()
    fits: list[FittedChoice] = []
    history = HistoryForecast()
    plans: dict[int, DayRoutes] = {}
    samples: list[FlexibilitySample] = []
    fees = wide = green = 0
    day = -1
    for shopper in shoppers:
        if shopper.day != day:
            day = shopper.day
            if policy.learns and log:
                # Overnight: refit the choice model on every offer so far, count the finished
                # day's bookings into the forecast, and re-plan it to measure flexibility.
                fits.append(calibrate(log, ChoiceParameters()))
                choice = fits[-1].in_use
                history.add_day([offer for offer in log if offer.day == day - 1])
                plans[day - 1], flexible = _plan_and_widen(config, bookings, windows_by_key, day - 1, rules)
                samples.append(flexible)
                rules = dataclasses.replace(
                    rules,
                    flexibility_km=flexibility_km(samples),
                    flexibility_minutes=flexibility_minutes(samples, rules.average_speed_kmh),
                )
        zone_day = (shopper.day, shopper.zone)
        left = remaining.setdefault(zone_day, {k: w.capacity for k, w in windows_by_key.items()})
        booked = bookings.setdefault(zone_day, [])
        arrival = arrivals.get(zone_day, 0)
        arrivals[zone_day] = arrival + 1
        windows = tuple(dataclasses.replace(w, remaining=left[w.key]) for w in windows_by_key.values())
        result = price_windows(
            PricingRequest(
                depot=DEPOT,
                fleet=fleet(config),
                windows=windows,
                bookings=tuple(booked),
                shopper=shopper.address,
                rules=rules,
                choice=choice,
                forecast=history.forecast(shopper.zone, arrival, windows) if policy.learns else None,
                zone_centroid=centres[shopper.zone],
                # The same depot's vans serve every zone, and the zones share window times:
                # a live system passes the depot-day's other bookings too.
                depot_bookings=tuple(
                    stop
                    for (stop_day, zone), stops in sorted(bookings.items())
                    if stop_day == shopper.day and zone != shopper.zone
                    for stop in stops
                ),
            )
        )
        offer = {k: p.price for k, p in result.windows.items() if left[k] > 0}
        badges = {k: p.green for k, p in result.windows.items()} if policy.shows_green else {}
        key = choose(shopper, offer, badges, windows_by_key)
        if policy.learns:
            log.append(_logged(shopper, arrival, rules.base_fee, offer, badges, windows_by_key, key))
        if key is None:
            continue
        left[key] -= 1
        booked.append(BookedStop(point=shopper.address, window_key=key))
        fees += offer[key]
        wide += windows_by_key[key].width_minutes >= rules.wide_window_minutes
        green += result.windows[key].green
    report = _route_and_report(
        policy.name, config, shoppers, bookings, windows_by_key, fees, wide, green, plans
    )
    return dataclasses.replace(report, fits=tuple(fits), flexibility=tuple(samples))


def _day_stops(bookings, windows_by_key, day: int) -> list:
    return [
        (stop.point, windows_by_key[stop.window_key])
        for (booked_day, _), day_stops in sorted(bookings.items())
        if booked_day == day
        for stop in day_stops
    ]


def _route(config: SimConfig, stops, day: int) -> DayRoutes:
    """Route one day's stops: every policy and plan with the same fleet, costs, runs and seed."""
    rules = PricingRules()
    return route_day(
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


def _plan_and_widen(config, bookings, windows_by_key, day, rules) -> tuple[DayRoutes, FlexibilitySample]:
    """Plan a finished day as booked and with its narrow bookings widened; compare the two."""
    stops = _day_stops(bookings, windows_by_key, day)
    wider = widened(stops, list(windows_by_key.values()), rules.wide_window_minutes)
    as_booked = _route(config, stops, day)
    return as_booked, sample(stops, wider, as_booked, _route(config, wider, day))


def _logged(shopper, arrival, base_fee, offer, badges, windows_by_key, key) -> LoggedOffer:
    """Return the offer as the retailer's log keeps it: what was shown and what was booked."""
    keys = sorted(offer)
    shown = tuple(
        OfferedWindow(
            start_minute=windows_by_key[k].start_minute,
            end_minute=windows_by_key[k].end_minute,
            price=offer[k],
            green=badges.get(k, False),
            key=k,
        )
        for k in keys
    )
    record = OfferRecord(
        windows=shown,
        chosen=None if key is None else keys.index(key),
        base_fee=base_fee,
        key=f"{shopper.day}:{shopper.zone}:{arrival}",
    )
    return LoggedOffer(day=shopper.day, zone=shopper.zone, arrival=arrival, record=record, chosen_key=key)


def _route_and_report(name, config, shoppers, bookings, windows_by_key, fees, wide, green, plans):
    km: dict[str, float] = {}
    hours = 0.0
    vehicles = 0
    feasible = True
    for day in range(config.days):
        # A day planned overnight by the learning policy is the same plan (same seed, runs).
        routes = plans.get(day) or _route(config, _day_stops(bookings, windows_by_key, day), day)
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
    width = max([8, *(len(r.policy) for r in reports)])
    header = (
        f"{'policy':<{width}} {'bookings':>8} {'accept':>7} {'km':>7} "
        f"{'veh/day':>7} {'km/order':>8} {'gCO2/ord':>8} {'fees £':>8} {'contr/ord £':>11} "
        f"{'wide':>6} {'green':>6} {'routes':>8}"
    )
    rows = [header, "-" * len(header)]
    for r in reports:
        rows.append(
            f"{r.policy:<{width}} {r.bookings:>8} {r.acceptance:>7.1%} "
            f"{r.km:>7.1f} {r.vehicle_days / max(1, r.days):>7.1f} {r.km_per_order:>8.3f} "
            f"{r.co2_grams_per_order:>8.0f} {r.fee_revenue / 100:>8.2f} "
            f"{r.contribution_per_order / 100:>11.3f} "
            f"{r.wide_bookings / max(1, r.bookings):>6.1%} "
            f"{r.green_bookings / max(1, r.bookings):>6.1%} "
            f"{'feasible' if r.routes_feasible else 'TW/cap!':>8}"
        )
    return "\n".join(rows)


KM_TARGET = -0.20  # dynamic against flat, km per order


def format_verdict(reports: Sequence[PolicyReport]) -> str:
    """Compare dynamic with flat and with the best static rules against the targets."""
    by_name = {r.policy: r for r in reports}
    if "flat" not in by_name or "dynamic" not in by_name:
        return ""
    flat, dynamic = by_name["flat"], by_name["dynamic"]
    statics = [r for r in reports if r.policy in POLICIES and POLICIES[r.policy].is_static]
    probes = [r for r in reports if r.policy in PROBES]

    def change(new: float, old: float) -> float:
        return (new - old) / old if old else 0.0

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    km = change(dynamic.km_per_order, flat.km_per_order)
    accept = dynamic.acceptance - flat.acceptance
    lines = [
        "dynamic against flat:",
        f"  km per order   {km:+.1%}  (target {KM_TARGET:+.0%} or better: {verdict(km <= KM_TARGET)})",
        f"  acceptance     {accept:+.1%} points (target not lower: {verdict(accept >= 0)})",
        f"  contribution   {(dynamic.contribution_per_order - flat.contribution_per_order) / 100:+.3f}"
        " £/order",
        f"  CO2 per order  {change(dynamic.co2_grams_per_order, flat.co2_grams_per_order):+.1%}",
    ]
    if statics:
        best_km = min(statics, key=lambda r: (r.km_per_order, r.policy))
        best_contribution = max(statics, key=lambda r: (r.contribution_per_order, r.policy))
        km_gap = change(dynamic.km_per_order, best_km.km_per_order)
        money_gap = (dynamic.contribution_per_order - best_contribution.contribution_per_order) / 100
        lines += [
            f"best static rule on km per order: {best_km.policy} ({best_km.km_per_order:.3f}); "
            f"dynamic {km_gap:+.1%} (target not higher: {verdict(km_gap <= 0)})",
            f"best static rule on contribution per order: {best_contribution.policy} "
            f"(£{best_contribution.contribution_per_order / 100:.3f}); dynamic {money_gap:+.3f} £/order "
            f"(target not lower: {verdict(money_gap >= 0)})",
        ]
        if probes:
            lines.append(
                "probes (not in the grid): km/order vs flat, vs the best on km; "
                "£/order vs the best on contribution; acceptance vs flat"
            )
            name_width = max(len(r.policy) for r in probes)
            for r in probes:
                probe_km = change(r.km_per_order, flat.km_per_order)
                probe_best = change(r.km_per_order, best_km.km_per_order)
                probe_money = (r.contribution_per_order - best_contribution.contribution_per_order) / 100
                probe_accept = r.acceptance - flat.acceptance
                met = sum([probe_km <= KM_TARGET, probe_best <= 0, probe_money >= 0, probe_accept >= 0])
                lines.append(
                    f"  {r.policy:<{name_width}} {probe_km:+6.1%} {probe_best:+6.1%} {probe_money:+.3f} "
                    f"{probe_accept:+5.1%}  ({met} of 4 met)"
                )
    return "\n".join(lines)


def format_fits(report: PolicyReport) -> str:
    """Describe the learning policy's nightly fits: parameters in use and held-out fit."""
    lines = []
    for night, fit in enumerate(report.fits, start=1):
        used = fit.in_use
        values = ", ".join(
            f"{name} {getattr(used, name):+.2f}"
            for name in ("price_per_pound", "width_per_hour", "afternoon", "evening", "green", "no_booking")
        )
        held = ""
        if fit.held_out_log_likelihood is not None:
            held = (
                f"; held-out log-likelihood {fit.held_out_log_likelihood:.1f} "
                f"against {fit.held_out_log_likelihood_start:.1f} at the defaults"
            )
        used_name = "fitted" if fit.predicts_better else "defaults"
        lines.append(f"  after day {night}: {fit.offers} offers, {used_name} ({values}){held}")
        if not fit.predicts_better:
            lines.append(f"    {fit.note}")
    return "\n".join(lines)


def format_flexibility(report: PolicyReport) -> str:
    """Describe the learning policy's nightly re-plans and the flexibility km it priced with."""
    lines = []
    for night in range(1, len(report.flexibility) + 1):
        figures = describe(report.flexibility[:night])
        lines.append(
            f"  after day {night}: widening saves {figures['km_saved_per_widened']:.2f} km per booking; "
            f"removal km {figures['narrow_removal_km']:.2f} narrow, {figures['wide_removal_km']:.2f} wide; "
            f"flexibility_km {figures['flexibility_km']:.2f}; "
            f"driver minutes saved {figures['minutes_saved_per_widened']:.1f} per booking, "
            f"flexibility_minutes {figures['flexibility_minutes']:.1f}"
        )
    return "\n".join(lines)
