"""The optimiser's sales-based LP solved in closed form, when its optimum is unique.

The SBLP of optimiser.py, written with offer shares f_jk = x_jk / (v_jk x_0) (each window's
shares sum to one), is the ratio sum(f v r) / (1 + sum(f v)) over one simplex per window:

- Without a binding cap on not booking, its optimum R* offers each window at one level,
  the one with the largest v_jk (r_jk - R*), where R* = sum_j max_k v_jk (r_jk - R*)
  (the root is unique: the right side falls as R* rises).
- With the cap x_0 <= g binding, x_0 = g and the problem is the multiple-choice knapsack LP
  max sum f v r subject to sum f v = 1/g - 1. Its optimum takes each window's level on the
  upper hull of the points (v_jk, v_jk r_jk) at the multiplier where the sum of the v's
  crosses 1/g - 1: every window at one level except the one whose hull turns there, which
  mixes two neighbouring levels.

A basic optimal solution of the LP (what HiGHS returns) is then this very point, so the
level the LP "offers most often" per window is known without calling the solver. Wherever
the optimum might not be unique (ties between levels or windows within a tolerance, two
windows turning at once, a mix near half and half, the discount-budget row binding or near
binding) this returns None and the caller solves the LP; tests/unit/pricing checks both
paths give the same prices on random and on tie-heavy inputs.
"""

from __future__ import annotations

from collections.abc import Sequence

# Margins well above HiGHS's optimality and feasibility tolerances (1e-7): closer than this,
# the LP's answer could go either way and the solver decides.
MARGIN = 1e-6
# optimiser._round_to_ladder compares offer shares with 1e-7; a mix this close to half and
# half is left to the solver.
MIX_MARGIN = 1e-4


def direct_prices(
    windows: Sequence,
    max_no_booking_share: float | None,
    discount_per_booking: float | None,
) -> tuple[dict[str, int], float] | None:
    """Return (price per window key, objective) of the SBLP, or None if it must be solved.

    `windows` are optimiser.LadderWindow (prices ascending, attractions > 0).
    """
    if not windows:
        return None
    turns = _turns(windows)
    if turns is None:
        return None
    first = [order[0] for order in turns.hulls]
    found = _unconstrained(windows, turns.sorted, first)
    if found is None:
        return None
    levels, weight = found
    shares = [{k: 1.0} for k in levels]
    no_booking = 1.0 / (1.0 + weight)
    cap = max_no_booking_share
    if cap is not None and no_booking > cap * (1 - MARGIN):
        if no_booking < cap * (1 + MARGIN):
            return None  # on the cap's edge
        shares = _capped_shares(windows, turns.sorted, first, 1.0 / cap - 1.0)
        if shares is None:
            return None
        no_booking = cap
    sales = [
        {k: no_booking * w.attractions[k] * f for k, f in row.items()}
        for w, row in zip(windows, shares, strict=True)
    ]
    if discount_per_booking is not None and _budget_may_bind(windows, sales, discount_per_booking):
        return None
    prices = {}
    for w, row in zip(windows, shares, strict=True):
        best = max(row.values())
        # The lowest level among the most offered ones, as optimiser._round_to_ladder picks.
        prices[w.key] = w.prices[min(k for k, f in row.items() if f == best)]
    objective = sum(
        sold * w.contributions[k] for w, row in zip(windows, sales, strict=True) for k, sold in row.items()
    )
    return prices, objective


class _Turns:
    """Each window's levels on its upper hull, and every turn between them by multiplier."""

    def __init__(self, hulls, turns):
        self.hulls = hulls
        self.sorted = turns  # (multiplier, window, level before, level after), ascending


def _turns(windows) -> _Turns | None:
    hulls, turns = [], []
    for j, w in enumerate(windows):
        hull = _hull(w)
        if hull is None:
            return None
        hulls.append(hull)
        v, r = w.attractions, w.contributions
        for p, q in zip(hull, hull[1:], strict=False):
            turns.append(((v[p] * r[p] - v[q] * r[q]) / (v[p] - v[q]), j, p, q))
    turns.sort()
    return _Turns(hulls, turns)


def _hull(window) -> list[int] | None:
    """Return the levels on the upper hull of (v, v r), by falling v; None if v repeats.

    As the multiplier t rises from minus infinity, the level with the largest v (r - t) walks
    along these, from the largest v to the smallest.
    """
    v, r = window.attractions, window.contributions
    if not v:
        return None
    order = sorted(range(len(v)), key=lambda k: -v[k])
    hull: list[int] = []
    for k in order:
        if hull and v[hull[-1]] - v[k] <= MARGIN * v[hull[-1]]:
            return None
        # Pop while the last hull point lies on or below the chord from its predecessor to this one.
        while len(hull) >= 2:
            k1, k2 = hull[-2], hull[-1]
            b1, b2, b3 = v[k1], v[k2], v[k]
            a1, a2, a3 = b1 * r[k1], b2 * r[k2], b3 * r[k]
            above = (a2 - a1) * (b1 - b3) - (a3 - a1) * (b1 - b2)  # > 0: the middle point stays
            if abs(above) <= MARGIN * (abs(a2 - a1) + abs(a3 - a1) + 1.0) * (b1 - b3):
                return None  # three levels (nearly) in line: at that turn all three tie
            if above < 0:
                hull.pop()
            else:
                break
        hull.append(k)
    return hull


def _clear_of_turns(turns, index: int, multiplier: float) -> bool:
    """Return whether no turn next to position `index` of the sorted turns lies within MARGIN."""
    gap = MARGIN * (1.0 + abs(multiplier))
    return all(abs(turns[i][0] - multiplier) > gap for i in (index - 1, index) if 0 <= i < len(turns))


def _unconstrained(windows, turns, first) -> tuple[list[int], float] | None:
    """Return (each window's level, the sum of their v) at the optimum without the cap, or None.

    sum_j max_k v_jk (r_jk - t) - t falls as t rises, linearly between turns: its root is R*.
    """
    level = list(first)
    revenue = sum(w.attractions[k] * w.contributions[k] for w, k in zip(windows, level, strict=True))
    weight = sum(w.attractions[k] for w, k in zip(windows, level, strict=True))
    for index in range(len(turns) + 1):
        root = revenue / (1.0 + weight)
        if index == len(turns) or root <= turns[index][0]:
            # The root lies between turn index - 1 and turn index: every level is the best there.
            return (level, weight) if _clear_of_turns(turns, index, root) else None
        _, j, p, q = turns[index]
        v, r = windows[j].attractions, windows[j].contributions
        level[j] = q
        revenue += v[q] * r[q] - v[p] * r[p]
        weight += v[q] - v[p]
    return None


def _capped_shares(windows, turns, first, target: float) -> list[dict[int, float]] | None:
    """Return the offer shares at the optimum with the v's summing to `target`, or None.

    None when it may not be unique: another turn at (nearly) the same multiplier (two windows
    alike, or three levels in line), or a mix too near half and half to round surely.
    """
    level = list(first)
    weight = sum(w.attractions[k] for w, k in zip(windows, level, strict=True))
    if weight < target * (1 + MARGIN):
        return None  # even the most attractive levels barely meet the cap
    for index, (multiplier, j, p, q) in enumerate(turns):
        v = windows[j].attractions
        after = weight - v[p] + v[q]
        if after > target:
            level[j], weight = q, after
            continue
        gap = MARGIN * (1.0 + abs(multiplier))
        near = [turns[i][0] for i in (index - 1, index + 1) if 0 <= i < len(turns)]
        if any(abs(other - multiplier) <= gap for other in near):
            return None
        # Window j turns here: it mixes p and q so that the v's sum to the target.
        theta = (target - (weight - v[p]) - v[q]) / (v[p] - v[q])
        if not MIX_MARGIN < theta < 1 - MIX_MARGIN or abs(theta - 0.5) <= MIX_MARGIN:
            return None
        shares = [{k: 1.0} for k in level]
        shares[j] = {p: theta, q: 1.0 - theta}
        return shares
    return None  # the least attractive levels still turn away too few: the cap cannot bind


def _budget_may_bind(windows, sales, discount_per_booking: float) -> bool:
    """Return whether the discount-budget row is binding, violated or within MARGIN of it."""
    spend = sum(
        (w.discounts[k] - discount_per_booking) * sold
        for w, row in zip(windows, sales, strict=True)
        for k, sold in row.items()
    )
    scale = sum(sold for row in sales for sold in row.values()) * (1.0 + abs(discount_per_booking))
    return spend > -MARGIN * max(1.0, scale)
