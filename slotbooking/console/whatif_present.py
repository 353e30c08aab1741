"""A what-if's result as the console shows it: one row per figure, live | draft | change.

Each cell is the mean over the draws with its 5th-95th percentile interval; a share's change is
in percentage points. The figures' names and kinds come from ``pricing.whatif.summary.METRICS``.
"""

from dataclasses import dataclass

from pricing.whatif.summary import METRICS as KINDS

LABELS = {
    "acceptance": "Acceptance (booked / offers)",
    "fee_per_order": "Fee per order",
    "discount_spend": "Discount spend, whole period",
    "discount_per_day": "Discount spend per day",
    "budget_used": "Share of the discount budget",
    "wide_share": "Wide windows",
    "green_share": "Green windows",
    "km_per_order": "Km per order",
    "co2_grams_per_order": "CO2 per order (g)",
    "vehicles_per_day": "Vehicles per day",
    "driver_hours": "Driver hours, whole period",
    "contribution_per_order": "Contribution per order",
    "bookings": "Bookings",
    "unrouted": "Stops no van could take",
}


@dataclass(frozen=True)
class Cell:
    mean: str
    interval: str
    sign: str = ""  # "better", "worse" or "": the change column's colour


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    live: Cell | None
    draft: Cell | None
    change: Cell | None


# Which way a change is for the better (+1 up, -1 down); a fee is the retailer's call: no colour.
BETTER = {
    "acceptance": 1,
    "contribution_per_order": 1,
    "bookings": 1,
    "wide_share": 1,
    "green_share": 1,
    "km_per_order": -1,
    "co2_grams_per_order": -1,
    "vehicles_per_day": -1,
    "driver_hours": -1,
    "discount_spend": -1,
    "discount_per_day": -1,
    "budget_used": -1,
    "unrouted": -1,
}


def _format(value: float, kind: str, money, change: bool = False) -> str:
    """Format a figure; a change carries its sign ("+", or a true minus "−"), none when it shows as 0."""
    size = abs(value) if change else value
    if kind == "share":
        text = f"{size * 100:.1f}"
    elif kind == "money":
        text = money(round(size))
    elif kind == "decimal":
        text = f"{size:.2f}"
    else:
        text = f"{size:.0f}"
    shown_zero = not any(c in text for c in "123456789")
    if not change:
        text = text.replace("-", "−", 1)  # a negative figure (contribution) with the same true minus
    sign = "" if not change or shown_zero else ("+" if value > 0 else "−")
    return sign + text + ((" pts" if change else "%") if kind == "share" else "")


def _cell(found: dict | None, kind: str, money, change: bool = False, better: int = 0) -> Cell | None:
    if found is None:
        return None
    low, high = (_format(found[k], kind, money, change) for k in ("low", "high"))
    sign = ""  # coloured only when the whole interval lies on one side of no change
    if change and better and (found["low"] > 0 or found["high"] < 0):
        sign = "better" if (found["low"] > 0) == (better > 0) else "worse"
    return Cell(_format(found["mean"], kind, money, change), f"{low} to {high}", sign)


def result_rows(result: dict, money) -> list[Row]:
    """Return the rows of the side-by-side table; a figure neither side has is left out."""
    rows = []
    for name, label in LABELS.items():
        sides = result["summary"].get(name)
        if not sides or (sides["live"] is None and sides["draft"] is None):
            continue
        kind = KINDS[name]
        rows.append(
            Row(
                name,
                label,
                _cell(sides["live"], kind, money),
                _cell(sides["draft"], kind, money),
                _cell(sides["change"], kind, money, change=True, better=BETTER.get(name, 0)),
            )
        )
    return rows
