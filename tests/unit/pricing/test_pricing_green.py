"""Green windows: a van already passing close by, said in words and numbers."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import BookedStop, PricingRules, price_windows
from tests.unit.pricing.factories import at_km, request, window

SLOT = window("10-11", 10, 11)
FORECAST = {"10-11": 6.0}


def _street(angle: float, positions: list[float]) -> list[BookedStop]:
    """Booked stops along a straight street that runs out from the depot."""
    return [BookedStop(at_km(t * math.cos(angle), t * math.sin(angle)), "10-11") for t in positions]


def _beside_street(angle: float, along: float, off: float):
    """An address `along` km down the street and `off` km to its side."""
    east = along * math.cos(angle) - off * math.sin(angle)
    north = along * math.sin(angle) + off * math.cos(angle)
    return at_km(east, north)


@settings(max_examples=40, deadline=None)
@given(
    angle=st.floats(0, 2 * math.pi),
    positions=st.lists(st.floats(0.2, 5), min_size=1, max_size=8),
    along=st.floats(0, 5),
    nearer=st.floats(0, 3),
    extra=st.floats(0.01, 3),
)
def test_nearer_address_is_never_less_green(angle, positions, along, nearer, extra):
    bookings = _street(angle, positions)
    near = price_windows(request([SLOT], bookings, _beside_street(angle, along, nearer), forecast=FORECAST))
    far = price_windows(
        request([SLOT], bookings, _beside_street(angle, along, nearer + extra), forecast=FORECAST)
    )
    near_slot, far_slot = near.windows["10-11"], far.windows["10-11"]
    assert near_slot.marginal_km <= far_slot.marginal_km + 1e-9
    assert near_slot.green or not far_slot.green


def test_van_on_the_street_makes_the_window_green_with_the_reason():
    bookings = _street(0.0, [2.0, 2.5, 3.0])
    rules = PricingRules(max_discount=300)
    result = price_windows(
        request(
            [SLOT, window("14-15", 14, 15)],
            bookings,
            at_km(2.6, 0.05),
            rules=rules,
            forecast={"10-11": 6.0, "14-15": 6.0},
        )
    )
    green, other = result.windows["10-11"], result.windows["14-15"]
    assert green.green and not other.green
    assert green.marginal_km < other.marginal_km
    assert green.co2_grams < other.co2_grams
    assert green.price <= other.price and green.price <= green.base_price
    assert green.green_reason.code == "green_window"
    facts = green.green_reason.params
    assert (facts["start_minute"], facts["end_minute"]) == (600, 660)
    assert 0 <= facts["nearest_stop_km"] <= 0.5 and facts["co2_grams"] >= 1
    assert other.green_reason is None
    # The green incentive appears only with money attached, and then carries the same facts.
    for incentive in green.incentives:
        assert incentive.amount != 0
        if incentive.kind == "green":
            assert incentive.amount < 0 and incentive.reason.code == "green_discount"
            assert {k: v for k, v in incentive.reason.params.items() if k != "amount"} == facts


def test_green_window_is_never_surcharged_even_when_nearly_full():
    # Two of three places gone and many shoppers expected: without the rule the optimiser
    # would surcharge this window; green, it may at most keep its base price.
    bookings = _street(0.0, [2.0, 2.5])
    slot = window("10-11", 10, 11, capacity=3, remaining=1)
    rules = PricingRules(lost_booking_cost=5000)
    result = price_windows(
        request(
            [slot, window("14-15", 14, 15)], bookings, at_km(2.2, 0.05), rules=rules, forecast={"10-11": 9.0}
        )
    )
    priced = result.windows["10-11"]
    assert priced.green and priced.price <= priced.base_price
    assert all(i.amount != 0 for i in priced.incentives)
    assert priced.green_reason


def test_far_from_every_van_is_not_green():
    result = price_windows(request([SLOT], _street(0.0, [2.0, 2.5]), at_km(-3, 3), forecast=FORECAST))
    assert not result.windows["10-11"].green


def test_no_bookings_means_no_green_window():
    result = price_windows(request([SLOT], (), at_km(0.1, 0.1), forecast=FORECAST))
    assert not result.windows["10-11"].green


@pytest.mark.parametrize("threshold", [0.0, 0.5])
def test_green_threshold_is_a_rule(threshold):
    result = price_windows(
        request(
            [SLOT],
            _street(0.0, [2.0, 3.0]),
            at_km(2.5, 0.2),
            rules=PricingRules(green_threshold=threshold),
            forecast=FORECAST,
        )
    )
    assert result.windows["10-11"].green is (threshold > 0)
