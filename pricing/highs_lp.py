"""The sales-based LP of optimiser.py handed to HiGHS directly through highspy.

Building the model with PuLP cost about five times the HiGHS solve at our sizes (one
Python object per variable, per term and per expression, then PuLP walks them all again
to feed highspy). Here the same model goes to highspy straight from lists.

It is the very model PuLP's HiGHS interface builds, passed with the same calls in the
same order: columns sorted by PuLP's variable names (x_0_0, x_0_1, x_10_0, ..., x_none),
one addCol each, then one addRow per constraint in the order optimiser.py declares them,
with zero coefficients left out. HiGHS's path through the simplex depends on that order,
so keeping it keeps every price, and the golden test (tests/unit/pricing) checks it.
"""

from __future__ import annotations

from collections.abc import Sequence

try:
    import highspy
except ImportError:  # pragma: no cover - highspy is a dependency; CBC is the fallback
    highspy = None

OPTIMAL = "optimal"


def available() -> bool:
    return highspy is not None


def solve_sblp(
    windows: Sequence,
    max_no_booking_share: float | None,
    discount_per_booking: float | None,
) -> tuple[str, list[list[float]], float, float]:
    """Solve the SBLP with HiGHS; return (status, sales[j][k], no-booking share, objective).

    `windows` are optimiser.LadderWindow. status is OPTIMAL or HiGHS's model status name.
    """
    model, column, none = build_model(windows, max_no_booking_share, discount_per_booking)
    model.run()
    status = model.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return model.modelStatusToString(status), [], 0.0, 0.0
    values = list(model.getSolution().col_value)
    sizes = [len(window.prices) for window in windows]
    sales = [[values[column[j, k]] for k in range(size)] for j, size in enumerate(sizes)]
    # PuLP's value(objective): its constant 0, then value x coefficient term by term.
    objective = 0
    for window, row in zip(windows, sales, strict=True):
        for contribution, sold in zip(window.contributions, row, strict=True):
            objective += sold * contribution
    return OPTIMAL, sales, values[none], objective


def build_model(windows, max_no_booking_share, discount_per_booking):
    """Return (the highspy model, column per (j, k), column of not booking)."""
    sizes = [len(window.prices) for window in windows]
    # Column of each (j, k) in PuLP's order: variables sorted by name, "x_none" last.
    names = sorted([(f"x_{j}_{k}", (j, k)) for j, size in enumerate(sizes) for k in range(size)])
    column = {jk: index for index, (_, jk) in enumerate(names)}
    none = len(names)  # "x_none" sorts after every "x_<digit>..." name

    model = highspy.Highs()
    model.setOptionValue("output_flag", False)
    model.setOptionValue("threads", 1)
    inf = highspy.kHighsInf
    # HiGHS minimises: PuLP negates a maximisation's objective, and so do we. The columns
    # start empty, as PuLP adds them; one addCols call holds what its addCol calls did.
    costs = [-1 * windows[j].contributions[k] for _, (j, k) in names] + [-1 * 0.0]
    model.addCols(len(costs), costs, [0] * len(costs), [inf] * len(costs), 0, [], [], [])

    rows = _Rows()
    everything = [column[j, k] for j, size in enumerate(sizes) for k in range(size)]
    rows.add(1, 1, [none, *everything], [1] * (len(everything) + 1))  # book_or_leave
    # offered_j: sum_k x_jk / v_jk - x_0 == 0. PuLP passes the bounds as -0.0 (minus a zero
    # constant); so do we, to hand HiGHS the very same numbers.
    for j, window in enumerate(windows):
        indices = [column[j, k] for k in range(sizes[j])] + [none]
        rows.add(-0.0, -0.0, indices, [1.0 / v for v in window.attractions] + [-1])
    if max_no_booking_share is not None:  # keep_conversion
        rows.add(-inf, max_no_booking_share, [none], [1])
    if discount_per_booking is not None:  # pace_discount_budget
        coefficients = [d - discount_per_booking for window in windows for d in window.discounts]
        rows.add(-inf, -0.0, everything, coefficients)
    model.addRows(
        len(rows.lower), rows.lower, rows.upper, len(rows.index), rows.start, rows.index, rows.value
    )
    return model, column, none


class _Rows:
    """Constraint rows in compressed row form, zero coefficients left out as PuLP does."""

    def __init__(self) -> None:
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.start: list[int] = []
        self.index: list[int] = []
        self.value: list[float] = []

    def add(self, lower, upper, indices, coefficients) -> None:
        self.lower.append(lower)
        self.upper.append(upper)
        self.start.append(len(self.index))
        for i, c in zip(indices, coefficients, strict=True):
            if c != 0:
                self.index.append(i)
                self.value.append(c)
