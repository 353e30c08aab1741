"""Outputs of the pricing engine: a price per window with its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of incentive. "wide", "green", "offpeak" and "demand" are in the retailer
# contract; "cap" is our documented addition: the retailer's min_fee/max_fee moved a base
# price that lay outside them.
INCENTIVE_KINDS = ("wide", "green", "offpeak", "demand", "cap")


@dataclass(frozen=True)
class Incentive:
    """One reason for the difference between a window's price and its base price."""

    kind: str
    amount: int  # signed minor units: negative is a discount
    reason: str


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
    # Why the window is green, for the badge ("A van is already near you 10:00-11:00 (about
    # 0.4 km away), saves about 151 g CO2"); None when it is not green. It is set whether or
    # not the window is discounted: a green window's price never rises above its base price,
    # but a discount (then a `green` incentive) depends on the rules and the budget.
    green_reason: str | None = None


@dataclass(frozen=True)
class PricingResult:
    """Prices of every window of one zone and day for one address."""

    windows: dict[str, WindowPrice]
    solver: str  # "highs", "cbc", or "none" when no optimisation ran (flat, static, all full)
    objective: float | None  # SBLP optimum: expected contribution per shopper, minor units
    # Under the engine's own choice model, at the prices returned:
    booking_probability: float | None = None
    expected_contribution: float | None = None
    typical_insertion_km: float = 0.0  # the zone's yardstick for green windows
    # Wall-clock time inside the solver call (model building excluded); left out of
    # equality so that equal inputs give equal results.
    solve_seconds: float = field(default=0.0, compare=False)
