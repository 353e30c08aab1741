"""The price ladder: the prices the operator's rules allow for one window."""

from __future__ import annotations

from pricing.rules import PricingRules


def anchor_price(base_price: int, rules: PricingRules) -> int:
    """Return the base price moved into [min_fee, max_fee]; discounts count from here."""
    return min(rules.max_fee, max(rules.min_fee, base_price))


def discount_left(rules: PricingRules) -> int | None:
    """Return what is left of the daily discount budget, or None when there is no budget."""
    if rules.daily_discount_budget is None:
        return None
    return max(0, rules.daily_discount_budget - rules.discount_spent)


def ladder_prices(anchor: int, rules: PricingRules) -> tuple[int, ...]:
    """Return the allowed prices, ascending: anchor plus or minus whole price steps."""
    step = max(1, rules.price_step)
    largest_discount = max(0, rules.max_discount)
    budget = discount_left(rules)
    if budget is not None:
        # No single discount may exceed what is left of the day's budget.
        largest_discount = min(largest_discount, budget)
    lowest = max(rules.min_fee, anchor - largest_discount)
    highest = min(rules.max_fee, anchor + max(0, rules.max_surcharge))
    below = range(anchor - step, lowest - 1, -step)
    above = range(anchor + step, highest + 1, step)
    return tuple(sorted([*below, anchor, *above]))
