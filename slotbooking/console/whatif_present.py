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
    sign: str = ""  # "up", "down" or "" (the change column's direction, for its colour)


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    live: Cell | None
    draft: Cell | None
    change: Cell | None


def _format(value: float, kind: str, money, change: bool = False) -> str:
    """Format a figure; a change carries its sign ("+", or a true minus "−")."""
    sign = ("+" if value > 0 else "−" if value < 0 else "") if change else ""
    size = abs(value) if change else value
    if kind == "share":
        return f"{sign}{size * 100:.1f}{' pts' if change else '%'}"
    if kind == "money":
        return sign + money(round(size))
    if kind == "decimal":
        return f"{sign}{size:.2f}"
    return f"{sign}{size:.0f}"


def _cell(found: dict | None, kind: str, money, change: bool = False) -> Cell | None:
    if found is None:
        return None
    low, high = (_format(found[k], kind, money, change) for k in ("low", "high"))
    sign = ""
    if change and found["low"] > 0:
        sign = "up"
    elif change and found["high"] < 0:
        sign = "down"
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
                _cell(sides["change"], kind, money, change=True),
            )
        )
    return rows
