"""A machine-speed yardstick: one fixed engine call and one fixed PyVRP solve, timed now.

The what-if bench runs on a machine shared with other jobs, whose load can swing two-fold within
a run. Timing the same two pieces of work beside each measured run lets a reader tell a slower
machine from slower code: the run's seconds over these seconds is comparable across runs.
Both inputs are seeded and built here, so every run times the very same work.
"""

from __future__ import annotations

import random
import statistics
import time

from pricing import BookedStop, PricingRequest, PricingRules, VehicleGroup, WindowSpec, price_windows
from pricing.model import GeoPoint
from pricing.routing import PlanRequest, PlanStop, plan_routes, settings_from_rules

DEPOT = GeoPoint(51.5, -0.1)
REPEATS = 5


def _point(rng: random.Random) -> GeoPoint:
    return GeoPoint(DEPOT.lat + rng.uniform(-0.04, 0.04), DEPOT.lon + rng.uniform(-0.06, 0.06))


def engine_request() -> PricingRequest:
    """A zone-day of 15 windows with 40 bookings, priced dynamically (an LP, as the what-if's are)."""
    rng = random.Random(5)
    windows = tuple(WindowSpec(f"h{h}", h * 60, h * 60 + 60, 8, 5) for h in range(8, 20)) + tuple(
        WindowSpec(f"w{h}", h * 60, h * 60 + 240, 16, 10) for h in (8, 12, 16)
    )
    bookings = tuple(BookedStop(_point(rng), rng.choice(windows).key) for _ in range(40))
    return PricingRequest(
        depot=DEPOT,
        fleet=(VehicleGroup("electric_van", 4, 30, 7 * 60, 21 * 60),),
        windows=windows,
        bookings=bookings,
        shopper=_point(rng),
        rules=PricingRules(mode="dynamic"),
    )


def plan_request() -> PlanRequest:
    """A depot-day of 60 stops, bounded by iterations only (so the work is the same every time)."""
    rng = random.Random(6)
    stops = []
    for n in range(60):
        start = rng.choice(range(8, 20)) * 60
        stops.append(PlanStop(f"s{n}", _point(rng), start, start + rng.choice((60, 240))))
    settings = settings_from_rules(PricingRules(), max_iterations=100, max_seconds=None)
    fleet = (VehicleGroup("electric_van", 4, 30, 7 * 60, 21 * 60),)
    return PlanRequest(DEPOT, fleet, tuple(stops), settings)


def _median_seconds(work) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure() -> dict[str, float]:
    """Return the median seconds of the fixed engine call and of the fixed solve (5 repeats each)."""
    request, plan = engine_request(), plan_request()
    price_windows(request)  # the first call imports and warms what later calls reuse
    plan_routes(plan)
    return {
        "engine_call": _median_seconds(lambda: price_windows(request)),
        "pyvrp_solve": _median_seconds(lambda: plan_routes(plan)),
    }


def describe(found: dict[str, float]) -> str:
    return (
        f"yardstick: engine call {found['engine_call'] * 1000:.1f} ms, "
        f"PyVRP solve (60 stops, 100 iterations) {found['pyvrp_solve'] * 1000:.0f} ms"
    )
