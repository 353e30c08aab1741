"""Known routes promise a van only within their own window; narrow windows pay for flexibility."""

import dataclasses

import pytest

from pricing import BookedStop, PricingRules, price_windows
from tests.unit.pricing.factories import at_km, request, window

HOUR = window("10-11", 10, 11)
WIDE = window("08-12", 8, 12)
EVENING = window("18-19", 18, 19)  # covered by no wide window here
FORECAST = {"10-11": 2.0, "08-12": 2.0, "18-19": 2.0}
SHOPPER = at_km(3.0, 1.0)


def test_a_stop_booked_for_a_wide_window_does_not_make_an_hour_inside_it_green():
    beside = [BookedStop(at_km(3.05, 1.0), "08-12")]
    result = price_windows(request([HOUR, WIDE], beside, SHOPPER, forecast=FORECAST))
    # The van may come at 11:30: it promises nothing at 10:00-11:00.
    assert not result.windows["10-11"].green
    assert result.windows["08-12"].green


def test_a_stop_booked_for_an_hour_makes_the_wide_window_around_it_green():
    beside = [BookedStop(at_km(3.05, 1.0), "10-11")]
    result = price_windows(request([HOUR, WIDE], beside, SHOPPER, forecast=FORECAST))
    assert result.windows["10-11"].green and result.windows["08-12"].green


def test_flexibility_km_is_added_to_narrow_windows_inside_a_wide_one_only():
    windows = [HOUR, WIDE, EVENING]
    base = price_windows(request(windows, (), SHOPPER, forecast=FORECAST))
    rules = dataclasses.replace(PricingRules(), flexibility_km=0.5)
    flexible = price_windows(request(windows, (), SHOPPER, rules=rules, forecast=FORECAST))
    assert flexible.windows["10-11"].marginal_km == pytest.approx(base.windows["10-11"].marginal_km + 0.5)
    assert flexible.windows["08-12"].marginal_km == base.windows["08-12"].marginal_km
    assert flexible.windows["18-19"].marginal_km == base.windows["18-19"].marginal_km
    # The extra km is driven: it shows in the window's CO2 and minutes too.
    assert flexible.windows["10-11"].co2_grams > base.windows["10-11"].co2_grams
    assert flexible.windows["10-11"].marginal_minutes > base.windows["10-11"].marginal_minutes


def test_flexibility_widens_the_gap_between_an_hour_and_its_wide_window():
    windows = [HOUR, WIDE, EVENING]
    gaps = []
    for km in (0.0, 1.0, 2.0):
        rules = dataclasses.replace(PricingRules(), flexibility_km=km)
        prices = price_windows(request(windows, (), SHOPPER, rules=rules, forecast=FORECAST)).windows
        gaps.append(prices["10-11"].price - prices["08-12"].price)
    assert gaps[0] <= gaps[1] <= gaps[2] and gaps[0] < gaps[2]


def test_flexibility_minutes_are_driver_time_on_narrow_windows_inside_a_wide_one_only():
    windows = [HOUR, WIDE, EVENING]
    base = price_windows(request(windows, (), SHOPPER, forecast=FORECAST))
    rules = dataclasses.replace(PricingRules(), flexibility_minutes=6.0)
    waiting = price_windows(request(windows, (), SHOPPER, rules=rules, forecast=FORECAST))
    hour, wide, evening = (waiting.windows[k] for k in ("10-11", "08-12", "18-19"))
    assert hour.marginal_minutes == pytest.approx(base.windows["10-11"].marginal_minutes + 6.0)
    # Waiting is not driving: no km and no CO2 are added.
    assert hour.marginal_km == base.windows["10-11"].marginal_km
    assert hour.co2_grams == base.windows["10-11"].co2_grams
    assert wide.marginal_minutes == base.windows["08-12"].marginal_minutes
    assert evening.marginal_minutes == base.windows["18-19"].marginal_minutes


def test_flexibility_minutes_widen_the_gap_between_an_hour_and_its_wide_window():
    windows = [HOUR, WIDE, EVENING]
    gaps = []
    for minutes in (0.0, 8.0, 16.0):
        rules = dataclasses.replace(PricingRules(), flexibility_minutes=minutes)
        prices = price_windows(request(windows, (), SHOPPER, rules=rules, forecast=FORECAST)).windows
        gaps.append(prices["10-11"].price - prices["08-12"].price)
    assert gaps[0] <= gaps[1] <= gaps[2] and gaps[0] < gaps[2]


def test_the_flexibility_a_narrow_window_pins_counts_in_its_green_detour():
    beside = [BookedStop(at_km(3.05, 1.0), "10-11"), BookedStop(at_km(3.05, 1.0), "18-19")]
    windows = [HOUR, WIDE, EVENING]
    near = price_windows(request(windows, beside, SHOPPER, forecast=FORECAST)).windows
    assert near["10-11"].green and near["08-12"].green and near["18-19"].green
    # Green needs a detour of at most green_threshold (0.5) x the typical insertion, about 0.66 km here.
    rules = dataclasses.replace(PricingRules(), flexibility_km=1.0)
    pinned = price_windows(request(windows, beside, SHOPPER, rules=rules, forecast=FORECAST)).windows
    # The van is as near at 10:00-11:00, but taking that hour pins it (1 km, as a re-plan
    # might measure): serving the address in the wide window saves the km, not in the hour.
    assert not pinned["10-11"].green
    assert pinned["08-12"].green
    # An hour no wide window covers pins nothing: it stays green.
    assert pinned["18-19"].green
