"""Price every replayed offer once per rule set, the way production prices a grid.

Per offer and service day the engine gets what ``slotbooking/offers/dynamic_pricing.py`` gives it:
the depot and fleet, the zone's windows with their places left, the zone's booked stops, the
depot's other zones' stops on the same window times, the rules (with the day's discount already
given, for the budget) and the engine's choice parameters. ``flat`` prices as production's flat
pricer does: base fee plus template fee, never green.

The state those prices depend on (stops, places, discount given) grows along one reference
draw, draw 0, whose shoppers choose as they do in the choice replay; every draw then reuses the
prices. So pricing costs one engine call per offer, day and rule set, however many draws run, and
later offers' prices follow the reference draw's bookings, not each draw's own (docs/whatif.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from pricing.choice import window_utility
from pricing.engine import price_windows
from pricing.model import BookedStop, PricingRequest, WindowSpec
from pricing.whatif.choices import PricedWindow, pick
from pricing.whatif.model import ReplaySlot, RuleSet, WhatIfInput


class _Reference:
    """The reference draw's bookings so far: places, stops per zone-day and depot-day, discounts."""

    def __init__(self, inp: WhatIfInput):
        self.remaining = {key: slot.capacity for key, slot in inp.slots.items()}
        self.zone_stops: dict[tuple[str, str], list[BookedStop]] = {}
        self.depot_stops: dict[tuple[str, str], list[tuple[str, object, int, int]]] = {}
        self.spent: dict[str, int] = {}

    def book(self, inp: WhatIfInput, offer, slot: ReplaySlot, window: PricedWindow) -> None:
        self.remaining[slot.key] -= 1
        self.zone_stops.setdefault((slot.zone, slot.day), []).append(BookedStop(offer.point, slot.key))
        depot = inp.zones[slot.zone].depot
        self.depot_stops.setdefault((depot, slot.day), []).append(
            (slot.zone, offer.point, slot.start_minute, slot.end_minute)
        )
        self.spent[slot.day] = self.spent.get(slot.day, 0) + window.discount


def price_offers(
    inp: WhatIfInput, side: RuleSet, noise: Sequence[Sequence[float]], step: Callable[[], None]
) -> list[dict[str, PricedWindow]]:
    """Return, per offer in order, its windows as this rule set prices them (offered ones only)."""
    reference = _Reference(inp)
    zone_days = _zone_day_slots(inp, side)
    priced_offers = []
    for index, offer in enumerate(inp.offers):
        days = dict.fromkeys(inp.slots[key].day for key in offer.slots)
        priced: dict[str, PricedWindow] = {}
        for day in days:
            slots = zone_days.get((offer.zone, day), [])
            priced.update(_price_day(inp, side, offer, day, slots, reference))
        offered = set(offer.slots)
        priced = {key: window for key, window in priced.items() if key in offered}
        priced_offers.append(priced)
        key = pick(offer.slots, priced, reference.remaining, noise[index], inp.shoppers.no_booking)
        if key is not None:
            reference.book(inp, offer, inp.slots[key], priced[key])
        step()
    return priced_offers


def _zone_day_slots(inp: WhatIfInput, side: RuleSet) -> dict[tuple[str, str], list[tuple[ReplaySlot, int]]]:
    """Return each zone-day's windows under the rule set with their fees, in the grid's order.

    The engine sees every window of the day, full or not offered to this shopper, as production
    prices a grid from all the zone's slots of the day; only the offered ones are choices.
    """
    found: dict[tuple[str, str], list[tuple[ReplaySlot, int]]] = {}
    for slot in sorted(inp.slots.values(), key=lambda s: (s.day, s.start_minute, s.end_minute, s.key)):
        fee = side.fee_of(slot)
        if fee is not None:
            found.setdefault((slot.zone, slot.day), []).append((slot, fee))
    return found


def _price_day(inp, side: RuleSet, offer, day: str, slots, reference: _Reference) -> dict[str, PricedWindow]:
    specs = [
        WindowSpec(
            key=slot.key,
            start_minute=slot.start_minute,
            end_minute=slot.end_minute,
            capacity=slot.capacity,
            remaining=max(0, reference.remaining[slot.key]),
            template_fee=fee,
        )
        for slot, fee in slots
    ]
    rules = side.rules
    if rules.mode == "flat":
        prices = {spec.key: (rules.base_fee + spec.template_fee,) * 2 + (False,) for spec in specs}
    else:
        prices = _engine_prices(inp, side, offer, day, specs, reference)
    return {
        spec.key: PricedWindow(
            price=price,
            base_price=base,
            green=green,
            utility=window_utility(spec, price, inp.reference_fee, green, inp.shoppers),
        )
        for spec in specs
        for price, base, green in [prices[spec.key]]
    }


def _engine_prices(inp, side: RuleSet, offer, day: str, specs, reference: _Reference) -> dict:
    zone = inp.zones[offer.zone]
    depot = inp.depots[zone.depot]
    rules = side.rules
    if rules.daily_discount_budget is not None:
        rules = dataclasses.replace(rules, discount_spent=reference.spent.get(day, 0))
    same_times = {(spec.start_minute, spec.end_minute): spec.key for spec in specs}
    neighbours = tuple(
        BookedStop(point, same_times[(start, end)])
        for other_zone, point, start, end in reference.depot_stops.get((zone.depot, day), ())
        if other_zone != offer.zone and (start, end) in same_times
    )
    keys = {spec.key for spec in specs}
    own = tuple(stop for stop in reference.zone_stops.get((offer.zone, day), ()) if stop.window_key in keys)
    result = price_windows(
        PricingRequest(
            depot=depot.point,
            fleet=depot.fleet,
            windows=tuple(specs),
            bookings=own,
            depot_bookings=neighbours,
            shopper=offer.point,
            rules=rules,
            choice=side.choice,
            zone_centroid=zone.centroid,
        )
    )
    return {key: (w.price, w.base_price, w.green) for key, w in result.windows.items()}
