"""Simulated shoppers, each with their own logit tastes, set apart from the engine's model.

The engine assumes one average shopper (pricing.rules.ChoiceParameters). These shoppers
differ from it on purpose, and from each other: each has a preferred time of day and
dislikes windows that miss it, their own price sensitivity, their own dislike of wide
windows, their own interest in green badges, and a fee above which they would rather
not book. None of these numbers was chosen by looking at the engine's parameters.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pricing.model import GeoPoint, WindowSpec
from pricing.simulate.city import SimConfig, Zone, draw_address

# Where preferred delivery times fall: (share, mean hour, spread in hours).
PREFERRED_TIMES = ((0.35, 9.5, 1.0), (0.20, 13.0, 1.5), (0.45, 18.5, 1.0))


@dataclass(frozen=True)
class Shopper:
    """One shopper: where, when they would like delivery, and how they weigh the offer."""

    day: int
    zone: str
    address: GeoPoint
    preferred_minute: float
    price_per_pound: float  # utility lost per £1 of fee
    per_hour_missed: float  # utility lost per hour between the preferred time and the window
    per_wide_hour: float  # utility lost per hour of width beyond one hour
    green_liking: float  # utility of a green badge
    walk_away_fee: int  # minor units: the fee at which not booking is as good as the ideal window
    noise: Mapping[str, float]  # Gumbel draws per window key, and "" for not booking


def draw_shoppers(
    config: SimConfig, zones: Sequence[Zone], windows: Sequence[WindowSpec], rng: random.Random
) -> list[Shopper]:
    """Draw every shopper of the run, ordered by day and then by arrival."""
    shoppers = []
    for day in range(config.days):
        day_shoppers = [
            _draw_one(day, zone, config, windows, rng)
            for zone in zones
            for _ in range(config.shoppers_per_zone_day)
        ]
        rng.shuffle(day_shoppers)  # zones' shoppers arrive interleaved
        shoppers.extend(day_shoppers)
    return shoppers


def choose(
    shopper: Shopper,
    offer: Mapping[str, int],
    green: Mapping[str, bool],
    windows: Mapping[str, WindowSpec],
) -> str | None:
    """Return the window key the shopper books, or None when they leave without booking."""
    best_key: str | None = None
    best = -shopper.price_per_pound * shopper.walk_away_fee / 100 + shopper.noise[""]
    for key in sorted(offer):
        utility = _utility(shopper, windows[key], offer[key], green.get(key, False))
        utility += shopper.noise[key]
        if utility > best:
            best_key, best = key, utility
    return best_key


def _utility(shopper: Shopper, window: WindowSpec, price: int, green: bool) -> float:
    missed_minutes = max(
        0.0,
        window.start_minute - shopper.preferred_minute,
        shopper.preferred_minute - window.end_minute,
    )
    return (
        -shopper.price_per_pound * price / 100
        - shopper.per_hour_missed * missed_minutes / 60
        - shopper.per_wide_hour * max(0.0, window.width_minutes / 60 - 1)
        + (shopper.green_liking if green else 0.0)
    )


def _draw_one(day, zone: Zone, config, windows, rng: random.Random) -> Shopper:
    mean_hour, spread = _preferred_time_group(rng.random())
    preferred = min(20.0, max(8.0, rng.gauss(mean_hour, spread))) * 60
    cares_about_green = rng.random() < 0.5
    return Shopper(
        day=day,
        zone=zone.code,
        address=draw_address(zone, config, rng),
        preferred_minute=preferred,
        price_per_pound=rng.uniform(0.5, 1.5),
        per_hour_missed=rng.uniform(0.5, 1.2),
        per_wide_hour=rng.uniform(0.0, 0.4),
        green_liking=rng.uniform(0.2, 1.0) if cares_about_green else 0.0,
        walk_away_fee=round(rng.uniform(450, 800)),
        noise={key: _gumbel(rng) for key in ["", *(w.key for w in windows)]},
    )


def _preferred_time_group(pick: float) -> tuple[float, float]:
    for share, mean_hour, spread in PREFERRED_TIMES:
        if pick < share:
            return mean_hour, spread
        pick -= share
    return PREFERRED_TIMES[-1][1:]


def _gumbel(rng: random.Random) -> float:
    return -math.log(-math.log(rng.random() or 1e-12))
