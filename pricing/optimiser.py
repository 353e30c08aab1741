"""Choose one price per window from its ladder with the sales-based linear program (SBLP).

Gallego, Ratliff & Shebalov (2015) show that, under a multinomial logit, choosing offer
sets to maximise expected revenue is the linear program

    max  sum_jk r_jk x_jk
    s.t. x_0 + sum_jk x_jk = 1                     (every shopper books or leaves)
         sum_k x_jk / v_jk = x_0      for each j   (window j is offered at one price)
         x >= 0

where each (window j, price level k) is a product with attraction v_jk (relative to not
booking, v_0 = 1), x_jk is the chance a shopper books it, and x_0 the chance they leave.
x_jk / (v_jk x_0) is the share of the time level k is offered. Two linear rules join it:
the daily discount budget paced over the forecast, and (optionally) a cap on x_0 so the
prices turn away no more shoppers than the base prices would.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import pulp

from pricing import highs_lp, sblp_direct

TIE_TOLERANCE = 1e-7


@dataclass(frozen=True)
class LadderWindow:
    """One window as the optimiser sees it: price levels and what each is worth."""

    key: str
    prices: tuple[int, ...]  # ascending
    attractions: tuple[float, ...]  # exp(utility - no-booking utility) per level
    contributions: tuple[float, ...]  # fee minus delivery, carbon and opportunity cost
    discounts: tuple[int, ...]  # minor units below the anchor price, for the budget


@dataclass(frozen=True)
class LadderChoice:
    """The chosen price per window and how the solve went."""

    prices: dict[str, int]
    solver: str
    objective: float | None
    solve_seconds: float  # time inside the solver call(s); building the PuLP model for CBC excluded


def choose_prices(
    windows: Sequence[LadderWindow],
    solver: str,
    max_no_booking_share: float | None,
    discount_per_booking: float | None,
    anchors: dict[str, int],
) -> LadderChoice:
    """Solve the SBLP with the chosen solver, falling back to the other one.

    With HiGHS chosen (and there), an SBLP whose optimum is unique is answered in closed form
    (sblp_direct.py): the very prices and objective HiGHS's solve gives, without the solve; the
    choice then says solver "direct".
    """
    order = ("highs", "cbc") if solver != "cbc" else ("cbc", "highs")
    if order[0] == "highs" and highs_lp.available():
        started = time.perf_counter()
        direct = sblp_direct.direct_prices(windows, max_no_booking_share, discount_per_booking)
        if direct is not None:
            prices, objective = direct
            return LadderChoice(prices, "direct", objective, time.perf_counter() - started)
    solving = 0.0
    for name in order:
        solve = _solve_highs if name == "highs" else _solve_cbc
        answer, seconds = solve(windows, max_no_booking_share, discount_per_booking)
        solving += seconds
        if answer is not None:
            sales, no_booking, objective = answer
            return LadderChoice(
                prices=_round_to_ladder(windows, sales, no_booking),
                solver=name,
                objective=objective,
                solve_seconds=solving,
            )
    # Neither solver answered: the anchors are always allowed, so offer those.
    return LadderChoice(prices=dict(anchors), solver="none", objective=None, solve_seconds=solving)


def _solve_highs(windows, max_no_booking_share, discount_per_booking):
    """Return ((sales[j][k], no-booking share, objective) or None if it failed, seconds)."""
    if not highs_lp.available():
        return None, 0.0
    # Timed whole, as PuLP's solve() was: passing the lists to highspy is part of the call.
    started = time.perf_counter()
    status, sales, no_booking, objective = highs_lp.solve_sblp(
        windows, max_no_booking_share, discount_per_booking
    )
    seconds = time.perf_counter() - started
    return ((sales, no_booking, objective) if status == highs_lp.OPTIMAL else None), seconds


def _solve_cbc(windows, max_no_booking_share, discount_per_booking):
    """Return ((sales[j][k], no-booking share, objective) or None if it failed, seconds)."""
    problem, sales, no_booking = _build(windows, max_no_booking_share, discount_per_booking)
    command = _cbc_command()
    if not command.available():
        return None, 0.0
    started = time.perf_counter()
    try:
        status = problem.solve(command)
    except pulp.PulpSolverError:
        status = pulp.LpStatusNotSolved
    seconds = time.perf_counter() - started
    if status != pulp.LpStatusOptimal:
        return None, seconds
    values = [[(sale.varValue or 0.0) for sale in row] for row in sales]
    return (values, no_booking.varValue or 0.0, pulp.value(problem.objective)), seconds


def _build(windows, max_no_booking_share, discount_per_booking):
    """Return the SBLP as a PuLP problem (for CBC), its sales by window and level, and x_0."""
    problem = pulp.LpProblem("slot_prices", pulp.LpMaximize)
    no_booking = problem.add_variable("x_none", lowBound=0)
    sales = {
        (j, k): problem.add_variable(f"x_{j}_{k}", lowBound=0)
        for j, window in enumerate(windows)
        for k in range(len(window.prices))
    }
    problem += pulp.lpSum(
        window.contributions[k] * sales[j, k]
        for j, window in enumerate(windows)
        for k in range(len(window.prices))
    )
    problem += no_booking + pulp.lpSum(sales.values()) == 1, "book_or_leave"
    for j, window in enumerate(windows):
        problem += (
            pulp.lpSum(sales[j, k] * (1.0 / window.attractions[k]) for k in range(len(window.prices)))
            == no_booking,
            f"offered_{j}",
        )
    if max_no_booking_share is not None:
        problem += no_booking <= max_no_booking_share, "keep_conversion"
    if discount_per_booking is not None:
        # Expected discount per booking stays within the budget left per expected booking.
        problem += (
            pulp.lpSum(
                (window.discounts[k] - discount_per_booking) * sales[j, k]
                for j, window in enumerate(windows)
                for k in range(len(window.prices))
            )
            <= 0,
            "pace_discount_budget",
        )
    rows = [[sales[j, k] for k in range(len(window.prices))] for j, window in enumerate(windows)]
    return problem, rows, no_booking


def _cbc_command() -> pulp.LpSolver:
    """Return CBC: a cbc on PATH, else the binary PuLP ships (PULP_CBC_CMD is deprecated)."""
    on_path = pulp.COIN_CMD(msg=False, threads=1)
    if on_path.available():
        return on_path
    return pulp.COIN_CMD(msg=False, threads=1, path=pulp.apis.coin_api.pulp_cbc_path)


def _round_to_ladder(windows, sales, no_booking) -> dict[str, int]:
    """Pick, per window, the level the LP offers most often; ties go to the lower price."""
    prices = {}
    for window, row in zip(windows, sales, strict=True):
        best_k, best_share = 0, -1.0
        for k, (sold, attraction) in enumerate(zip(row, window.attractions, strict=True)):
            share = sold / attraction / max(no_booking, 1e-12)
            if share > best_share + TIE_TOLERANCE:
                best_k, best_share = k, share
        prices[window.key] = window.prices[best_k]
    return prices
