"""Benchmark route planning: one depot-day of 300 booked stops, planned as the job queue plans it.

Run: python bench/bench_routes.py [--stops 300] [--repeats 3] [--seconds S] [--iterations N]
     python bench/bench_routes.py --job [--pg-admin-url postgresql://postgres@127.0.0.1:5432/test]
     python bench/bench_routes.py --quotes
Prints each run's wall time and what the plan drives; nothing here is a hard-coded figure.
The target (issue 10): a depot-day with 300 stops planned within 10 s of wall time on the queue.
The first form times the planner alone; --job times the queue's job on PostgreSQL (reading the
bookings, planning, storing the plan) with the app's default settings; --quotes the CPU a quote's
pricing spends inserting the address into such a plan, against the projection alone.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pricing import GeoPoint, PricingRules, VehicleGroup  # noqa: E402  (the path above)
from pricing.geo import EARTH_RADIUS_KM  # noqa: E402
from pricing.routing import PlanRequest, PlanStop, plan_routes, settings_from_rules  # noqa: E402

DEPOT = GeoPoint(51.5275, -0.2695)
TARGET_SECONDS = 10.0
# A mixed fleet that can carry 300 stops: 8 electric and 3 diesel vans of 25 stops on
# 07:00-21:00, 4 electric cargo bikes of 12 stops on 08:00-18:00 (323 places).
FLEET = (
    VehicleGroup("electric_van", 8, 25, 7 * 60, 21 * 60),
    VehicleGroup("diesel_van", 3, 25, 7 * 60, 21 * 60),
    VehicleGroup("cargo_bike", 4, 12, 8 * 60, 18 * 60),
)
# The demo's windows: hourly 08-20 and three 4-hour windows, 30% of bookings in the wide ones.
HOURLY = [(h * 60, (h + 1) * 60) for h in range(8, 20)]
WIDE = [(h * 60, (h + 4) * 60) for h in (8, 12, 16)]


def offset(point: GeoPoint, east_km: float, north_km: float) -> GeoPoint:
    km_per_degree = math.radians(1.0) * EARTH_RADIUS_KM
    return GeoPoint(
        point.lat + north_km / km_per_degree,
        point.lon + east_km / (km_per_degree * math.cos(math.radians(point.lat))),
    )


def depot_day(stops: int, seed: int) -> tuple[PlanStop, ...]:
    """Return a depot-day's stops: four zones 4-8 km out, each with a few dense streets."""
    rng = random.Random(seed)
    zones = []
    for index in range(4):
        angle = 2 * math.pi * index / 4 + rng.uniform(0, 0.5)
        distance = rng.uniform(4, 8)
        centre = offset(DEPOT, distance * math.cos(angle), distance * math.sin(angle))
        zones.append([offset(centre, rng.gauss(0, 1.0), rng.gauss(0, 1.0)) for _ in range(8)])
    result = []
    for index in range(stops):
        street = rng.choice(rng.choice(zones))
        start, end = rng.choice(WIDE) if rng.random() < 0.3 else rng.choice(HOURLY)
        point = offset(street, rng.gauss(0, 0.3), rng.gauss(0, 0.3))
        result.append(PlanStop(f"s{index}", point, start, end))
    return tuple(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stops", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=None, help="search budget (default: the app's)")
    parser.add_argument("--iterations", type=int, default=None, help="iteration cap (default: the app's)")
    parser.add_argument("--job", action="store_true", help="time the planning job on PostgreSQL")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--quotes", action="store_true", help="CPU per quote with and without the plan")
    args = parser.parse_args(argv)
    if args.job:
        return job(args)
    if args.quotes:
        return quotes(args)
    limits = {}
    if args.seconds is not None:
        limits["max_seconds"] = args.seconds
    if args.iterations is not None:
        limits["max_iterations"] = args.iterations
    settings = settings_from_rules(PricingRules(), **app_limits(limits))
    print(
        f"One depot-day: {args.stops} stops, {sum(g.count for g in FLEET)} vehicles of 3 kinds, "
        f"search budget {settings.max_seconds} s or {settings.max_iterations} iterations"
    )
    walls = []
    for repeat in range(args.repeats):
        stops = depot_day(args.stops, seed=repeat)
        started = time.perf_counter()
        plan = plan_routes(PlanRequest(DEPOT, FLEET, stops, settings))
        wall = time.perf_counter() - started
        walls.append(wall)
        late = sum(1 for r in plan.routes for v in r.visits if v.service_start_minute > v.end_minute + 1e-9)
        print(
            f"  run {repeat + 1}: {wall:6.2f} s wall, {plan.iterations} iterations, "
            f"{len(plan.routes)} routes, {plan.stops} stops planned, {len(plan.unassigned)} unassigned, "
            f"{late} late, {plan.km:.1f} km, {plan.co2_grams / 1000:.1f} kg CO2, "
            f"{'feasible' if plan.feasible else 'INFEASIBLE'}"
        )
    worst = max(walls)
    verdict = "met" if worst <= TARGET_SECONDS else "MISSED"
    print(
        f"median {statistics.median(walls):.2f} s, worst {worst:.2f} s; "
        f"target <= {TARGET_SECONDS:.0f} s: {verdict}"
    )
    return 0 if worst <= TARGET_SECONDS else 1


def app_limits(limits: dict) -> dict:
    """Return the app's search bounds (its settings' defaults), overridden by the command line."""
    from slotbooking.config import DEFAULTS

    return {
        "max_seconds": DEFAULTS["ROUTES_MAX_SECONDS"],
        "max_iterations": DEFAULTS["ROUTES_MAX_ITERATIONS"],
        **limits,
    }


def job(args) -> int:
    from bench.routes_job import time_planning_job

    print(f"The planning job on PostgreSQL: one depot-day of {args.stops} bookings (the app's settings)")
    runs = time_planning_job(args.pg_admin_url, args.stops, args.repeats)
    for number, (wall, result) in enumerate(runs, 1):
        print(
            f"  run {number}: {wall:6.2f} s wall (search {result['solve_seconds']:.2f} s), "
            f"{result['status']} v{result['version']}, {result['stops']} stops planned, "
            f"{result['unassigned']} unassigned"
        )
    worst = max(wall for wall, _ in runs)
    verdict = "met" if worst <= TARGET_SECONDS else "MISSED"
    print(f"worst {worst:.2f} s; target <= {TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if worst <= TARGET_SECONDS else 1


def quotes(args) -> int:
    """Print the CPU of one zone-day's price_windows with a 300-stop plan and without one."""
    from pricing import BookedStop, PricingRequest, WindowSpec, price_windows

    stops = depot_day(args.stops, seed=0)
    plan = plan_routes(
        PlanRequest(DEPOT, FLEET, stops, settings_from_rules(PricingRules(), **app_limits({})))
    )
    spans = sorted({(stop.start_minute, stop.end_minute) for stop in stops})
    windows = tuple(WindowSpec(f"{a}-{b}", a, b, capacity=40, remaining=20) for a, b in spans)
    key = {(w.start_minute, w.end_minute): w.key for w in windows}
    booked = [BookedStop(stop.point, key[(stop.start_minute, stop.end_minute)]) for stop in stops]
    zone, others = tuple(booked[:80]), tuple(booked[80:])  # one zone's bookings, the depot's others

    def request(index: int, with_plan: bool) -> PricingRequest:
        near = stops[index].point
        return PricingRequest(
            depot=DEPOT,
            fleet=FLEET,
            windows=windows,
            bookings=zone,
            depot_bookings=others,
            shopper=GeoPoint(near.lat + 0.001, near.lon),
            rules=PricingRules(),
            plan=plan if with_plan else None,
        )

    cpu = {False: 0.0, True: 0.0}
    calls = 50
    for _ in range(max(1, args.repeats) * 2):
        for with_plan in (False, True):
            requests = [request(i, with_plan) for i in range(calls)]
            started = time.process_time()
            for one in requests:
                price_windows(one)
            cpu[with_plan] += time.process_time() - started
    rounds = max(1, args.repeats) * 2 * calls
    print(
        f"One zone-day, {len(windows)} windows, a plan of {len(plan.routes)} routes and {plan.stops} stops "
        f"({rounds} quotes each, CPU time):"
    )
    print(f"  projection only  {cpu[False] / rounds * 1000:6.2f} ms per price_windows")
    print(f"  with the plan    {cpu[True] / rounds * 1000:6.2f} ms per price_windows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
