"""What a what-if replays: the offers shown, the windows they offered, the places, the two rule sets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pricing.model import GeoPoint, VehicleGroup
from pricing.rules import ChoiceParameters, PricingRules


@dataclass(frozen=True)
class ReplayDepot:
    """A depot, where its vans start, and its fleet (routes are planned per depot and day)."""

    key: str
    point: GeoPoint
    fleet: tuple[VehicleGroup, ...]


@dataclass(frozen=True)
class ReplayZone:
    key: str
    depot: str
    centroid: GeoPoint


@dataclass(frozen=True)
class ReplaySlot:
    """One delivery window of one zone on one day; minutes since that day's local midnight.

    ``capacity`` is what every draw starts with: the replayed offers are the demand, so each draw
    fills the windows afresh and a full window is no longer offered to later shoppers of that draw.
    """

    key: str
    zone: str
    day: str  # the service date (ISO), which groups bookings per depot-day
    start_minute: int
    end_minute: int
    capacity: int
    fee: int = 0  # the live template fee; a RuleSet may give it another

    @property
    def width_minutes(self) -> int:
        return self.end_minute - self.start_minute


@dataclass(frozen=True)
class ReplayOffer:
    """One logged offer: where the shopper was, in which order they asked, the windows offered."""

    key: str
    zone: str
    point: GeoPoint
    slots: tuple[str, ...]  # keys of the windows the logged grid offered (bookable then)


@dataclass(frozen=True)
class RuleSet:
    """One side of the comparison: the engine's rules and the template fee of each window.

    ``fees`` maps a slot key to its fee under these rules (None: these rules do not offer the
    window, e.g. the draft drops its template); a slot left out keeps its own ``fee``.
    ``choice`` is what the engine assumes of shoppers under these rules (production's in-use
    parameters), not how the simulated shoppers choose (``WhatIfInput.shoppers``).
    """

    rules: PricingRules
    choice: ChoiceParameters = ChoiceParameters()
    fees: Mapping[str, int | None] = field(default_factory=dict)

    def fee_of(self, slot: ReplaySlot) -> int | None:
        return self.fees.get(slot.key, slot.fee)


@dataclass(frozen=True)
class WhatIfInput:
    """Everything one what-if needs; offers in the order the shoppers asked.

    ``shoppers`` are the simulated shoppers' logit (the retailer's fitted model), and
    ``reference_fee`` the fee their utilities count price from (the live base fee, the same on
    both sides, so a draft that raises the base fee is felt as dearer). Routing: at most
    ``routing_iterations`` per depot-day and, when ``routing_seconds`` is set, that many seconds
    in all, shared over every depot-day of every draw (then the routes are not bit-reproducible).
    """

    offers: tuple[ReplayOffer, ...]
    slots: Mapping[str, ReplaySlot]
    zones: Mapping[str, ReplayZone]
    depots: Mapping[str, ReplayDepot]
    live: RuleSet
    draft: RuleSet
    shoppers: ChoiceParameters
    reference_fee: int
    seed: int = 0
    draws: int = 20
    routing_iterations: int = 200
    routing_seconds: float | None = None
