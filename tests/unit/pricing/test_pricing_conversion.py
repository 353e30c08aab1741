"""protect_conversion: the dynamic grid keeps, by the engine's model, the flat grid's bookings."""

from pricing import BookedStop, PricingRules, price_windows
from pricing.choice import choice_probabilities, window_utility
from tests.unit.pricing.factories import at_km, day_of_windows, request

SHOPPER = at_km(3.0, 1.0)
# Stops beside the shopper in the morning hours make those windows (and 08-12) green.
NEIGHBOURS = [BookedStop(at_km(3.05, 1.0), key) for key in ("h9", "h10", "h10", "h11")]


def _booking_chance(req, prices: dict[str, int], green: dict[str, bool]) -> float:
    utilities = {
        w.key: window_utility(w, prices[w.key], req.rules.base_fee, green[w.key], req.choice)
        for w in req.windows
        if w.remaining > 0
    }
    return 1.0 - choice_probabilities(utilities, req.choice.no_booking)[1]


def test_the_dynamic_grid_books_as_many_as_the_flat_grid_without_badges():
    req = request(day_of_windows(), NEIGHBOURS, SHOPPER)
    result = price_windows(req)
    green = {key: price.green for key, price in result.windows.items()}
    assert any(green.values()) and not all(green.values())
    base = {w.key: req.rules.base_fee for w in req.windows}
    flat = _booking_chance(req, base, dict.fromkeys(base, False))
    offered = _booking_chance(req, {k: p.price for k, p in result.windows.items()}, green)
    assert offered >= flat - 1e-3  # rounding to the ladder may move it a little
    # The badges' own pull is part of the offer: the engine spends some of it on price
    # (the surcharges), so the grid books fewer than base prices with the badges would.
    assert offered < _booking_chance(req, base, green)
    assert any(price.price > price.base_price for price in result.windows.values())


def test_without_protect_conversion_the_guard_is_off():
    rules = PricingRules(protect_conversion=False)
    guarded = price_windows(request(day_of_windows(), NEIGHBOURS, SHOPPER))
    free = price_windows(request(day_of_windows(), NEIGHBOURS, SHOPPER, rules=rules))
    assert free.expected_contribution >= guarded.expected_contribution
