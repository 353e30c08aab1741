"""Benchmark the pricing engine: one zone and day, a whole retailer, HiGHS against CBC.

Run: python bench/bench_pricing.py [--repeats 21] [--quick]
Prints medians of what it measured; nothing here is a hard-coded figure.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pricing import (  # noqa: E402  (the path above makes the repo importable as a script)
    BookedStop,
    GeoPoint,
    PricingRequest,
    PricingRules,
    VehicleGroup,
    WindowSpec,
    price_windows,
)
from pricing.density import _project_zone  # noqa: E402

DEPOT = GeoPoint(51.50, -0.10)
ZONE_TARGET_SECONDS = 0.010
RETAILER_TARGET_SECONDS = 5.0
# Seven price levels: the base fee and three steps of £1 either side.
RULES = PricingRules(max_discount=300, max_surcharge=300, price_step=100, max_fee=1000)


def twenty_windows() -> tuple[WindowSpec, ...]:
    """Return 20 windows: 12 hourly, 4 of two hours, 4 of four hours."""
    spans = [(h, h + 1) for h in range(8, 20)]
    spans += [(8, 10), (12, 14), (16, 18), (18, 20)]
    spans += [(8, 12), (10, 14), (12, 16), (16, 20)]
    return tuple(
        WindowSpec(
            key=f"{a:02d}-{b:02d}",
            start_minute=a * 60,
            end_minute=b * 60,
            capacity=12 * (b - a),
            remaining=max(1, 12 * (b - a) - 5),
        )
        for a, b in spans
    )


def zone_day(bookings: int, seed: int, solver: str) -> PricingRequest:
    """Return one zone and day with the given number of bookings, 5 km from the depot."""
    rng = random.Random(seed)
    windows = twenty_windows()
    centre = GeoPoint(DEPOT.lat + rng.uniform(-0.05, 0.05), DEPOT.lon + rng.uniform(-0.08, 0.08))

    def near_centre() -> GeoPoint:
        return GeoPoint(centre.lat + rng.gauss(0, 0.012), centre.lon + rng.gauss(0, 0.02))

    return PricingRequest(
        depot=DEPOT,
        fleet=(VehicleGroup("diesel_van", 6, 30, 7 * 60, 21 * 60),),
        windows=windows,
        bookings=tuple(BookedStop(near_centre(), rng.choice(windows).key) for _ in range(bookings)),
        shopper=near_centre(),
        rules=dataclasses.replace(RULES, solver=solver),
        zone_centroid=centre,
    )


def time_zone_day(request: PricingRequest) -> tuple[float, float]:
    """Price one zone and day cold (no cached projection); return (solver s, total s)."""
    _project_zone.cache_clear()
    started = time.perf_counter()
    result = price_windows(request)
    total = time.perf_counter() - started
    if result.solver != request.rules.solver:
        raise RuntimeError(f"asked for {request.rules.solver}, got {result.solver}")
    return result.solve_seconds, total


def zone_medians(bookings: int, solver: str, repeats: int) -> tuple[float, float]:
    """Return the median solver and total seconds over `repeats` different zone-days."""
    runs = [time_zone_day(zone_day(bookings, seed, solver)) for seed in range(repeats)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def retailer_seconds(zones: int, days: int, solver: str, bookings: int) -> tuple[float, float]:
    """Re-price every zone and day of a retailer; return (total solver s, wall s)."""
    requests = [zone_day(bookings, 1000 + i, solver) for i in range(zones * days)]
    _project_zone.cache_clear()
    solving = 0.0
    started = time.perf_counter()
    for request in requests:
        solving += price_windows(request).solve_seconds
    return solving, time.perf_counter() - started


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main() -> None:
    """Run the benchmark and print medians, ratios and the targets."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="fewer sizes, for a smoke run")
    args = parser.parse_args()
    repeats = 5 if args.quick else args.repeats
    print(
        "One zone and day: 20 windows, 7 price levels, 150 bookings "
        f"(median of {repeats} different zone-days, cold)"
    )
    zone = {}
    for solver in ("highs", "cbc"):
        zone[solver] = zone_medians(150, solver, repeats)
        solve, total = zone[solver]
        print(f"  {solver:<5} solver {ms(solve)}   whole price_windows {ms(total)}")
    ratio = zone["cbc"][0] / zone["highs"][0]
    verdict = "met" if zone["highs"][0] <= ZONE_TARGET_SECONDS else "MISSED"
    print(f"  CBC / HiGHS solver time: {ratio:.1f}x; target HiGHS solver <= 10 ms: {verdict}")

    print("\nGrowth with bookings (one zone and day, medians):")
    for bookings in (50, 150, 300) if args.quick else (0, 50, 150, 300, 600):
        line = [f"  {bookings:>4} bookings"]
        for solver in ("highs", "cbc"):
            solve, total = zone_medians(bookings, solver, repeats)
            line.append(f"{solver} solver {ms(solve)} total {ms(total)}")
        print("   ".join(line))

    print("\nWhole retailer re-priced (150 bookings per zone and day), zones x 7 days:")
    retailer = {}
    for zones in (5, 50) if args.quick else (10, 25, 50):
        line = [f"  {zones:>3} zones"]
        for solver in ("highs", "cbc"):
            solving, wall = retailer_seconds(zones, 7, solver, 150)
            retailer[zones, solver] = wall
            line.append(f"{solver} {wall:6.2f} s (solver {solving:5.2f} s)")
        print("   ".join(line))
    biggest = max(z for z, _ in retailer)
    highs, cbc = retailer[biggest, "highs"], retailer[biggest, "cbc"]
    verdict = "met" if highs <= RETAILER_TARGET_SECONDS else "MISSED"
    print(f"  {biggest} zones x 7 days: CBC / HiGHS {cbc / highs:.1f}x; target HiGHS <= 5 s: {verdict}")


if __name__ == "__main__":
    main()
