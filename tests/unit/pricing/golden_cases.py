"""Deterministic, varied pricing requests and a plain snapshot of their results.

The golden test (test_pricing_golden.py) prices every case and compares the snapshot with
golden_pricing.json, which was written by the engine before its speed-ups and rewritten
once since, for one intended change (issue 10: a known route takes only the stops whose
window lies within the priced one, so a stop booked for 08:00-12:00 no longer stands for
a van at 10:00-11:00), and again for a second (issue 10, item 5: protect_conversion compares the
grid with the flat one, base prices without green badges, so the badges' pull may be spent on
price): any change of output, however small, fails it. Regenerate the file
only for an intended change of output: python -m tests.unit.pricing.golden_cases
"""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

from pricing import (
    BookedStop,
    GeoPoint,
    PricingRequest,
    PricingResult,
    PricingRules,
    VehicleGroup,
    WindowSpec,
    price_windows,
)

FIXTURE = Path(__file__).with_name("golden_pricing.json")
DEPOT = GeoPoint(51.50, -0.10)
CASES = 40


def _windows(rng: random.Random, bench_size: bool) -> tuple[WindowSpec, ...]:
    if bench_size:
        spans = [(h, h + 1) for h in range(8, 20)]
        spans += [(8, 10), (12, 14), (16, 18), (18, 20), (8, 12), (10, 14), (12, 16), (16, 20)]
    else:
        spans = [(h, h + 1) for h in range(8, 20)] + [(8, 12), (12, 16), (16, 20)]
    hourly, wide = rng.choice([(4, 12), (6, 14), (8, 16)])
    windows = []
    for a, b in spans:
        capacity = hourly if b - a == 1 else wide
        roll = rng.random()
        remaining = 0 if roll < 0.08 else 1 if roll < 0.2 else rng.randint(1, capacity)
        fixed = rng.choice([150, 350, 600]) if rng.random() < 0.06 else None
        windows.append(
            WindowSpec(
                key=f"{a:02d}-{b:02d}",
                start_minute=a * 60,
                end_minute=b * 60,
                capacity=capacity,
                remaining=remaining,
                template_fee=rng.choice([0, 0, 0, 50, -100, 200]),
                fixed_price=fixed,
            )
        )
    return tuple(windows)


def _rules(rng: random.Random, index: int, bench_size: bool) -> PricingRules:
    if bench_size:
        rules = PricingRules(max_discount=300, max_surcharge=300, price_step=100, max_fee=1000)
    else:
        rules = PricingRules()
    changes: dict = {}
    if index % 10 == 3:
        changes["mode"] = "flat"
    elif index % 10 == 6:
        changes["mode"] = "static"
    if index % 4 == 1:
        changes["daily_discount_budget"] = rng.choice([0, 150, 1000, 5000])
        changes["discount_spent"] = rng.choice([0, 100, 400])
    if index % 7 == 2:
        changes["solver"] = "cbc"
    if index % 9 == 4:
        changes["min_fee"] = 450
        changes["max_fee"] = 500
    if index % 8 == 5:
        changes["protect_conversion"] = False
        changes["lost_booking_cost"] = 2000
    if index % 11 == 7:
        changes["per_vehicle_density"] = False
        changes["emission_factors"] = {"diesel_van": 0.3, "cargo_bike": 0.01}
        changes["carbon_price_per_kg"] = 100
    if index % 6 == 0:
        changes["price_step"] = rng.choice([25, 50, 100])
        changes["green_threshold"] = rng.choice([0.3, 0.8, 1.5])
    return dataclasses.replace(rules, **changes)


def _fleet(rng: random.Random) -> tuple[VehicleGroup, ...]:
    if rng.random() < 0.15:
        return (VehicleGroup("diesel_van", 6, 30, 7 * 60, 21 * 60),)
    return (
        VehicleGroup("electric_van", 3, 30, 7 * 60 + 30, 21 * 60),
        VehicleGroup("diesel_van", 2, 30, 7 * 60 + 30, 21 * 60),
        VehicleGroup("cargo_bike", 4, 12, 8 * 60, 18 * 60),
    )


def case(index: int) -> PricingRequest:
    """Return the index-th golden request (the same one every time)."""
    rng = random.Random(7919 * index + 17)
    bench_size = index % 5 == 4
    windows = _windows(rng, bench_size)
    keys = [w.key for w in windows]
    centre = GeoPoint(DEPOT.lat + rng.uniform(-0.05, 0.05), DEPOT.lon + rng.uniform(-0.08, 0.08))
    spread = rng.choice([0.004, 0.012, 0.02])

    def near(point: GeoPoint) -> GeoPoint:
        return GeoPoint(point.lat + rng.gauss(0, spread), point.lon + rng.gauss(0, spread * 1.6))

    count = 150 if bench_size else rng.choice([0, 1, 3, 6, 12, 25, 50])
    bookings = tuple(BookedStop(near(centre), rng.choice(keys)) for _ in range(count))
    other = GeoPoint(centre.lat + rng.uniform(-0.06, 0.06), centre.lon + rng.uniform(-0.09, 0.09))
    neighbours = tuple(
        BookedStop(near(other), rng.choice([*keys, "elsewhere"]))
        for _ in range(rng.choice([0, 0, 5, 20, 40]))
    )
    # Some shoppers stand right beside a booked stop, so green windows are common.
    shopper = near(centre)
    if bookings and rng.random() < 0.4:
        beside = rng.choice(bookings).point
        shopper = GeoPoint(beside.lat + rng.gauss(0, 0.0007), beside.lon + rng.gauss(0, 0.001))
    forecast = None
    if index % 3 == 2:
        forecast = {w.key: round(rng.uniform(0, w.remaining + 2), 2) for w in windows if rng.random() < 0.8}
    return PricingRequest(
        depot=DEPOT,
        fleet=_fleet(rng),
        windows=windows,
        bookings=bookings,
        shopper=shopper,
        rules=_rules(rng, index, bench_size),
        forecast=forecast,
        zone_centroid=centre if rng.random() < 0.7 else None,
        depot_bookings=neighbours,
    )


def snapshot(result: PricingResult) -> dict:
    """Return the whole result as plain JSON values (floats rounded past their noise)."""

    def rounded(value: float | None, digits: int) -> float | None:
        return None if value is None else round(value, digits)

    return {
        "solver": result.solver,
        "objective": rounded(result.objective, 6),
        "booking_probability": rounded(result.booking_probability, 9),
        "expected_contribution": rounded(result.expected_contribution, 6),
        "typical_insertion_km": round(result.typical_insertion_km, 9),
        "windows": {
            key: {
                "price": w.price,
                "base_price": w.base_price,
                "incentives": [
                    [i.kind, i.amount, i.reason.code, dict(i.reason.params)] for i in w.incentives
                ],
                "green": w.green,
                "green_reason": w.green_reason and [w.green_reason.code, dict(w.green_reason.params)],
                "co2_grams": w.co2_grams,
                "marginal_km": w.marginal_km,
                "marginal_minutes": w.marginal_minutes,
            }
            for key, w in result.windows.items()
        },
    }


def current_outputs() -> list[dict]:
    """Price every golden case with the engine as it is now."""
    return [snapshot(price_windows(case(i))) for i in range(CASES)]


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(current_outputs(), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {FIXTURE}")
