"""The figures of one draw, and their mean and interval over the draws.

Contribution per order is the simulator's and docs/pricing.md's: (fees paid - each vehicle type's
running and carbon cost per km driven - driver hours at the driver's rate) / bookings. A fee paid
is the base price less any discount, so the discount is counted once, in the fee.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# name -> kind, in the order the console shows them (kinds as the dashboards' figure tables).
METRICS = {
    "acceptance": "share",
    "fee_per_order": "money",
    "discount_spend": "money",
    "discount_per_day": "money",
    "budget_used": "share",
    "wide_share": "share",
    "green_share": "share",
    "km_per_order": "decimal",
    "co2_grams_per_order": "number",
    "vehicles_per_day": "decimal",
    "driver_hours": "decimal",
    "contribution_per_order": "money",
    "bookings": "number",
    "unrouted": "number",
}
LOW, HIGH = 0.05, 0.95  # the interval: 5th to 95th percentile of the draws


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def as_dict(self) -> dict:
        return {"mean": self.mean, "low": self.low, "high": self.high}


def percentile(values: Sequence[float], share: float) -> float:
    """Return the share-th percentile by linear interpolation between the sorted values."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def interval(values: Sequence[float]) -> Interval:
    """Return the mean of the draws and the 5th-95th percentile interval of them."""
    return Interval(sum(values) / len(values), percentile(values, LOW), percentile(values, HIGH))


def draw_figures(
    offers: int,
    booked: Sequence[tuple[int, str]],
    priced: Sequence[dict],
    days: Sequence,
    wide_minutes: int,
    widths: dict[str, int],
    service_days: int,
    daily_budget: int | None,
) -> dict[str, float | None]:
    """Return one side's figures for one draw (None where a figure has no meaning, e.g. no budget)."""
    n = len(booked)
    windows = [priced[index][key] for index, key in booked]
    fees = sum(w.price for w in windows)
    discount = sum(w.discount for w in windows)
    km = sum(d.km for d in days)
    cost = sum(d.cost for d in days)
    budget = daily_budget * service_days if daily_budget is not None else None

    def per_order(total: float) -> float | None:
        return total / n if n else None

    return {
        "acceptance": n / offers if offers else None,
        "fee_per_order": per_order(fees),
        "discount_spend": float(discount),
        "discount_per_day": discount / service_days if service_days else None,
        "budget_used": discount / budget if budget else None,
        "wide_share": per_order(sum(widths[key] >= wide_minutes for _, key in booked)),
        "green_share": per_order(sum(w.green for w in windows)),
        "km_per_order": per_order(km),
        "co2_grams_per_order": per_order(sum(d.co2_grams for d in days)),
        "vehicles_per_day": sum(d.vehicles for d in days) / service_days if service_days else None,
        "driver_hours": sum(d.driver_hours for d in days),
        "contribution_per_order": per_order(fees - cost),
        "bookings": float(n),
        "unrouted": float(sum(d.unrouted for d in days)),
    }


def summarise(live: Sequence[dict], draft: Sequence[dict]) -> dict[str, dict]:
    """Return per figure the live and draft intervals and the interval of the per-draw change."""
    summary = {}
    for name in METRICS:
        a = [draw[name] for draw in live]
        b = [draw[name] for draw in draft]
        both = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
        summary[name] = {
            "live": _maybe([x for x in a if x is not None]),
            "draft": _maybe([y for y in b if y is not None]),
            "change": _maybe([y - x for x, y in both]),
        }
    return summary


def _maybe(values: list[float]) -> Interval | None:
    return interval(values) if values else None
