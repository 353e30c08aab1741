"""Golden outputs: the engine's speed-ups must not change a single price, reason or figure."""

import json
import math
import random

import pytest

from pricing import price_windows
from pricing.density import (
    WindowRoute,
    _insertion_and_nearest,
    _nearest_neighbour_tour,
    _project_zone,
    cheapest_insertion_km,
)
from pricing.geo import plane_km
from tests.unit.pricing.golden_cases import CASES, FIXTURE, case, snapshot

GOLDEN = json.loads(FIXTURE.read_text())


def test_fixture_covers_every_case():
    assert len(GOLDEN) == CASES


@pytest.mark.parametrize("index", range(CASES))
def test_outputs_match_golden(index):
    _project_zone.cache_clear()  # cold, as a new zone-day is priced
    assert snapshot(price_windows(case(index))) == GOLDEN[index]


def test_cached_projection_gives_the_same_outputs():
    for index in range(0, CASES, 7):
        price_windows(case(index))
        assert snapshot(price_windows(case(index))) == GOLDEN[index]


def test_without_highspy_cbc_prices_the_day(monkeypatch):
    from pricing import highs_lp

    monkeypatch.setattr(highs_lp, "available", lambda: False)
    request = case(0)
    result = price_windows(request)
    assert result.solver == "cbc"
    assert set(result.windows) == {w.key for w in request.windows}


def test_math_dist_gives_the_floats_of_plane_km():
    # The projection uses math.dist in C loops in place of plane_km (math.hypot).
    rng = random.Random(3)
    for _ in range(20000):
        scale = rng.choice([0.001, 1.0, 50.0])
        a = (rng.uniform(-scale, scale), rng.uniform(-scale, scale))
        b = (rng.uniform(-scale, scale), rng.uniform(-scale, scale))
        assert math.dist(a, b) == plane_km(a, b) == math.dist(b, a)


def test_quote_insertion_equals_cheapest_insertion_km():
    rng = random.Random(5)
    for size in (0, 1, 2, 7, 30):
        stops = [(rng.uniform(-3, 3), rng.uniform(-3, 3)) for _ in range(size)]
        tour = _nearest_neighbour_tour((0.0, 0.0), stops)
        route = WindowRoute("w", tour, tuple(map(math.dist, tour, tour[1:])), size, 0.0, math.inf)
        for _ in range(50):
            x = (rng.uniform(-4, 4), rng.uniform(-4, 4))
            detour, nearest = _insertion_and_nearest(route, x)
            assert detour == cheapest_insertion_km(tour, x)
            assert nearest == min((plane_km(x, s) for s in tour[1:-1]), default=math.inf)
