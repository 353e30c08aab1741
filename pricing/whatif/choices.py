"""Simulated shoppers: each draw gives every replayed shopper fresh Gumbel noise and lets them pick.

A shopper books the window of highest utility (the engine's logit, ``pricing.choice``, with the
retailer's fitted parameters) plus noise, or books nothing when not booking scores higher: the
logit's choice probabilities, drawn. A draw's noise is the same for live and draft (common random
numbers), so the difference between the two sides is measured more tightly than either side alone.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PricedWindow:
    """One window of one replayed offer as a rule set priced it, and its systematic utility."""

    price: int
    base_price: int
    green: bool
    utility: float

    @property
    def discount(self) -> int:
        return max(0, self.base_price - self.price)


def draw_noise(seed: int, draw: int, offers: Sequence) -> list[list[float]]:
    """Return per offer the Gumbel noise of not booking, then of each slot it offered, in order."""
    rng = random.Random(f"whatif:{seed}:{draw}")  # a string seed is the same on every platform
    return [[_gumbel(rng) for _ in range(len(offer.slots) + 1)] for offer in offers]


def _gumbel(rng: random.Random) -> float:
    return -math.log(-math.log(rng.random() or 1e-12))


def pick(
    slots: Sequence[str],
    priced: Mapping[str, PricedWindow],
    remaining: Mapping[str, int],
    noise: Sequence[float],
    no_booking: float,
) -> str | None:
    """Return the slot the shopper books, or None; a window priced out or full is no choice."""
    best_key, best = None, no_booking + noise[0]
    for position, key in enumerate(slots, start=1):
        window = priced.get(key)
        if window is None or remaining[key] <= 0:
            continue
        utility = window.utility + noise[position]
        if utility > best:
            best_key, best = key, utility
    return best_key


def replay_choices(
    offers: Sequence,
    capacity: Mapping[str, int],
    priced: Sequence[Mapping[str, PricedWindow]],
    noise: Sequence[Sequence[float]],
    no_booking: float,
) -> list[tuple[int, str]]:
    """Return one draw's bookings as (offer index, slot key), places bounding every choice."""
    remaining = dict(capacity)
    booked = []
    for index, offer in enumerate(offers):
        key = pick(offer.slots, priced[index], remaining, noise[index], no_booking)
        if key is not None:
            remaining[key] -= 1
            booked.append((index, key))
    return booked
