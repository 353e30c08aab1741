"""Multinomial logit model of how a shopper chooses among the offered windows."""

from __future__ import annotations

import math
from collections.abc import Mapping

from pricing.model import WindowSpec
from pricing.rules import ChoiceParameters

NOON = 12 * 60
FIVE_PM = 17 * 60


def time_of_day_utility(window: WindowSpec, params: ChoiceParameters) -> float:
    """Return the time-of-day constant for a window, by its midpoint."""
    if window.midpoint_minute < NOON:
        return params.morning
    if window.midpoint_minute < FIVE_PM:
        return params.afternoon
    return params.evening


def peak_time_of_day_utility(params: ChoiceParameters) -> float:
    """Return the constant of the most wanted time of day."""
    return max(params.morning, params.afternoon, params.evening)


def window_utility(
    window: WindowSpec, price: int, base_fee: int, green: bool, params: ChoiceParameters
) -> float:
    """Return the systematic utility of a window at a price (price counted from base_fee)."""
    extra_hours = max(0.0, window.width_minutes / 60 - 1)
    return (
        params.price_per_pound * (price - base_fee) / 100
        + params.width_per_hour * extra_hours
        + time_of_day_utility(window, params)
        + (params.green if green else 0.0)
    )


def choice_probabilities(utilities: Mapping[str, float], no_booking: float) -> tuple[dict[str, float], float]:
    """Return the logit choice probability of each option and of not booking."""
    # Subtracting the largest utility keeps exp() finite for any inputs.
    top = max([no_booking, *utilities.values()])
    weights = {key: math.exp(u - top) for key, u in utilities.items()}
    outside = math.exp(no_booking - top)
    total = outside + sum(weights.values())
    return {key: w / total for key, w in weights.items()}, outside / total
