"""The pricing policies the simulator compares on the same shoppers.

- `flat`: the retailer's base fee on every window, as today.
- a small grid of **static rules**, what a retailer can set without the engine: a fixed
  discount on wide windows (`static` mode, `static_wide_discount`) from £0.50 to £2.50 in
  50p steps, each with and without an evening surcharge of £1 on the one-hour windows
  from 17:00 (a slot template's `fee`, as the demo retailer charges on 18:00-20:00).
- `dynamic`: the engine, which starts from the default choice parameters and refits them
  every day from the offer log of the days so far (see `learning.py`); the shoppers' own
  tastes stay hidden from it. Only the engine shows green badges.

`PROBES` are more static rules, not in the issue's grid and not run by default (name them with
`--policies`): a fee on every one-hour window (and more on the evening ones) with a discount on
the wide windows. They map what any fixed price gap between an hour and its wide window buys
on these shoppers, to tell whether the three targets can be met together at all; the verdict
compares dynamic with the grid only and says, per probe, which targets it would meet.
"""

from __future__ import annotations

from dataclasses import dataclass

from pricing import PricingRules
from pricing.model import WindowSpec

WIDE_DISCOUNTS = (50, 100, 150, 200, 250)
EVENING_SURCHARGE = 100
EVENING_FROM_MINUTE = 17 * 60


@dataclass(frozen=True)
class Policy:
    """One way of pricing, run over the whole simulation."""

    name: str
    rules: PricingRules
    evening_fee: int = 0  # template fee on one-hour windows starting at 17:00 or later
    hour_fee: int = 0  # template fee on every one-hour window (the evening fee adds to it)
    shows_green: bool = False
    learns: bool = False  # refit the engine's choice model every day from its offer log

    @property
    def is_static(self) -> bool:
        return self.rules.mode == "static"

    def template_fee(self, window: WindowSpec) -> int:
        """Return the slot template's fee this policy puts on a window."""
        evening = window.start_minute >= EVENING_FROM_MINUTE
        narrow = window.width_minutes < self.rules.wide_window_minutes
        if not narrow:
            return 0
        return self.hour_fee + (self.evening_fee if evening else 0)


def static_name(discount: int, evening_fee: int) -> str:
    name = f"wide-{discount / 100:.2f}"
    return name + (f" eve+{evening_fee / 100:.2f}" if evening_fee else "")


def all_policies() -> dict[str, Policy]:
    """Return every policy by name: flat, the static grid, dynamic."""
    policies = [Policy("flat", PricingRules(mode="flat"))]
    for evening_fee in (0, EVENING_SURCHARGE):
        for discount in WIDE_DISCOUNTS:
            policies.append(
                Policy(
                    static_name(discount, evening_fee),
                    PricingRules(mode="static", static_wide_discount=discount),
                    evening_fee=evening_fee,
                )
            )
    policies.append(Policy("dynamic", PricingRules(mode="dynamic"), shows_green=True, learns=True))
    return {policy.name: policy for policy in policies}


POLICIES = all_policies()

# (fee on every hour, extra on the evening hours, off the wide windows), minor units
PROBE_RULES = (
    (100, 0, 100),
    (100, 0, 150),
    (100, 0, 200),
    (150, 0, 150),
    (200, 0, 100),
    (200, 0, 200),
    (50, 100, 100),
    (50, 100, 150),
)


def probe_name(hour_fee: int, evening_fee: int, discount: int) -> str:
    name = f"probe hour+{hour_fee / 100:.2f}"
    if evening_fee:
        name += f" eve+{evening_fee / 100:.2f}"
    return name + f" wide-{discount / 100:.2f}"


def probe_policies() -> dict[str, Policy]:
    """Return the probes by name: static rules that also charge a fee on the one-hour windows."""
    probes = [
        Policy(
            probe_name(hour_fee, evening_fee, discount),
            PricingRules(mode="static", static_wide_discount=discount),
            evening_fee=evening_fee,
            hour_fee=hour_fee,
        )
        for hour_fee, evening_fee, discount in PROBE_RULES
    ]
    return {policy.name: policy for policy in probes}


PROBES = probe_policies()
EVERY_POLICY = {**POLICIES, **PROBES}
