"""The SBLP answered in closed form gives the prices (and objective) of HiGHS's solve."""

import dataclasses
import math
import random

import pytest

from pricing import optimiser, price_windows, sblp_direct
from pricing.density import _project_zone
from pricing.optimiser import LadderWindow
from tests.unit.pricing.golden_cases import CASES, case, snapshot


def _solved(windows, cap, pace):
    """Return (prices, objective) as HiGHS's solve and the optimiser's rounding give them."""
    answer, _ = optimiser._solve_highs(windows, cap, pace)
    assert answer is not None
    sales, no_booking, objective = answer
    return optimiser._round_to_ladder(windows, sales, no_booking), objective


def _window(rng, key, like=None):
    if like is not None:
        return dataclasses.replace(like, key=key)
    step = rng.choice([25, 50, 100])
    anchor = rng.randrange(100, 800, 25)
    levels = rng.randint(1, 13)
    low = anchor - step * rng.randint(0, levels - 1)
    prices = tuple(low + step * i for i in range(levels))
    utility = rng.uniform(-1.5, 1.5)
    per_pound = rng.uniform(0.2, 1.5)
    unit_cost = rng.uniform(-50, 600)
    return LadderWindow(
        key=key,
        prices=prices,
        attractions=tuple(math.exp(utility - per_pound * (p - anchor) / 100) for p in prices),
        contributions=tuple(p - unit_cost for p in prices),
        discounts=tuple(max(0, anchor - p) for p in prices),
    )


def _problem(rng, twins: bool):
    windows = []
    for j in range(rng.randint(1, 18)):
        like = rng.choice(windows) if twins and windows and rng.random() < 0.5 else None
        windows.append(_window(rng, f"w{j}", like))
    cap = None
    if rng.random() < 0.8:  # the engine's guard: no more walk-aways than at some level per window
        weight = sum(rng.choice(w.attractions) for w in windows)
        cap = 1 / (1 + weight) + 1e-9
    pace = rng.choice([None, None, 0.0, rng.uniform(0, 150)])
    return windows, cap, pace


@pytest.mark.parametrize("twins", [False, True])
def test_closed_form_prices_are_the_solvers_on_random_ladders(twins):
    rng = random.Random(20261203 + twins)
    answered = capped = 0
    trials = 1500
    for _ in range(trials):
        windows, cap, pace = _problem(rng, twins)
        direct = sblp_direct.direct_prices(windows, cap, pace)
        if direct is None:
            continue
        prices, objective = _solved(windows, cap, pace)
        assert direct[0] == prices, (windows, cap, pace)
        assert direct[1] == pytest.approx(objective, rel=1e-7, abs=1e-7)
        answered += 1
        uncapped = sblp_direct.direct_prices(windows, None, pace)
        capped += uncapped is None or uncapped[0] != direct[0]
    print(f"answered {answered} of {trials}, {capped} of them with the cap binding")
    # Most problems have a unique optimum and are answered without the solver, many of them
    # with the cap binding (one window mixing two levels); the rest go to the solver.
    assert answered >= (0.3 if twins else 0.5) * trials
    assert capped >= 0.15 * trials


def test_ties_are_left_to_the_solver():
    level = LadderWindow("a", (300, 350), (1.0, 0.5), (100.0, 300.0), (0, 0))
    # v (r - t) ties at t = 100 for both levels; the cap makes the optimum sit just there.
    assert sblp_direct.direct_prices([level, dataclasses.replace(level, key="b")], 0.4, None) is None
    in_line = LadderWindow("c", (300, 350, 400), (3.0, 2.0, 1.0), (10.0, 15.0, 30.0), (0, 0, 0))
    assert sblp_direct._hull(in_line) is None  # (v, v r) = (3, 30), (2, 30)... (1, 30): in line


def test_engine_prices_the_golden_cases_the_same_with_and_without_the_closed_form(monkeypatch):
    closed_form = [snapshot(_priced(i)) for i in range(CASES)]
    monkeypatch.setattr(sblp_direct, "direct_prices", lambda *args: None)
    solved = [snapshot(_priced(i)) for i in range(CASES)]
    answered_directly = 0
    for direct, by_solver in zip(closed_form, solved, strict=True):
        if direct["solver"] == "direct":  # says so; HiGHS answered the same problem
            answered_directly += 1
            assert by_solver["solver"] == "highs"
            direct = {**direct, "solver": "highs"}
        assert direct == by_solver
    assert answered_directly > 0


def _priced(index):
    _project_zone.cache_clear()
    return price_windows(case(index))
