"""Outputs of the pricing engine: a price per window with its reasons."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Kinds of incentive. "wide", "green", "offpeak" and "demand" are in the retailer
# contract; "cap" is our documented addition: the retailer's min_fee/max_fee moved a base
# price that lay outside them.
INCENTIVE_KINDS = ("wide", "green", "offpeak", "demand", "cap")


# Codes of the reasons; the app words each one (slotbooking/wording) in the shopper's language.
# Every reason's params are numbers: "amount" (signed minor units, the incentive's own
# amount), "fee" (minor units), "start_minute"/"end_minute" (the window, minutes since local
# midnight), "nearest_stop_km"/"extra_km" (km to 0.1 km), "co2_grams", "places_left".
REASON_CODES = (
    "cap_minimum",  # fee, amount: the retailer's minimum fee lifted the base price
    "cap_maximum",  # fee, amount: the retailer's maximum fee lowered it
    "demand_scarce",  # window, places_left, amount: likely to fill up
    "demand_busy",  # window, amount: a busy time of day
    "demand_route",  # window, extra_km, amount: harder to fit into the routes
    "demand_spare",  # window, amount: spare room on the vans
    "green_discount",  # window, nearest_stop_km, co2_grams, amount: a van is already near
    "wide_discount",  # window, co2_grams, amount: a wide window makes a shorter route
    "offpeak_discount",  # window, amount: a quieter time of day
    "static_wide",  # window, amount: the fixed wide-window discount of static mode
    "green_window",  # window, nearest_stop_km, co2_grams: why the window is green (no money)
)


@dataclass(frozen=True)
class Reason:
    """Why a price moved, as a code and its numbers: no words, so any language can say it."""

    code: str
    params: Mapping[str, int | float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Incentive:
    """One reason for the difference between a window's price and its base price."""

    kind: str
    amount: int  # signed minor units: negative is a discount
    reason: Reason


@dataclass(frozen=True)
class WindowPrice:
    """The price of one window for one address; price == base_price + sum of incentives."""

    key: str
    price: int
    base_price: int
    incentives: tuple[Incentive, ...]
    green: bool
    co2_grams: int  # marginal emissions of serving this address in this window
    marginal_km: float
    marginal_minutes: float
    # Why the window is green, for the badge (code "green_window": the window, the nearest
    # van's distance, the CO2 saved); None when it is not green. It is set whether or not the
    # window is discounted: a green window's price never rises above its base price, but a
    # discount (then a `green` incentive) depends on the rules and the budget.
    green_reason: Reason | None = None


@dataclass(frozen=True)
class PricingResult:
    """Prices of every window of one zone and day for one address."""

    windows: dict[str, WindowPrice]
    # "highs", "cbc", "direct" (the SBLP in closed form, sblp_direct.py), or "none" (flat,
    # static, all full)
    solver: str
    objective: float | None  # SBLP optimum: expected contribution per shopper, minor units
    # Under the engine's own choice model, at the prices returned:
    booking_probability: float | None = None
    expected_contribution: float | None = None
    typical_insertion_km: float = 0.0  # the zone's yardstick for green windows
    # Wall-clock time inside the solver call (model building excluded); left out of
    # equality so that equal inputs give equal results.
    solve_seconds: float = field(default=0.0, compare=False)
