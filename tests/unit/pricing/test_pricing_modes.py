"""Modes, fixed prices, full windows, solvers and money as shoppers read it."""

import dataclasses

import pytest

from pricing import BookedStop, PricingRules, price_windows
from pricing.incentives import format_money
from tests.unit.pricing.factories import at_km, day_of_windows, request, window


def _busy_day():
    windows = day_of_windows()
    bookings = [
        BookedStop(at_km(1 + 0.2 * i, 0.5 * (i % 4)), windows[i % len(windows)].key) for i in range(30)
    ]
    return windows, bookings


def test_flat_mode_gives_base_prices_and_no_incentives():
    windows, bookings = _busy_day()
    windows = (*windows, window("fee", 20, 21, template_fee=150), window("fix", 7, 8, fixed_price=999))
    result = price_windows(request(windows, bookings, at_km(1.4, 0.5), rules=PricingRules(mode="flat")))
    assert result.solver == "none"
    for spec in windows:
        priced = result.windows[spec.key]
        assert priced.incentives == ()
        expected = spec.fixed_price if spec.fixed_price is not None else 400 + spec.template_fee
        assert priced.price == priced.base_price == expected


def test_static_mode_discounts_only_wide_windows():
    windows, bookings = _busy_day()
    result = price_windows(
        request(windows, bookings, rules=PricingRules(mode="static", static_wide_discount=100))
    )
    for spec in windows:
        priced = result.windows[spec.key]
        wide = spec.width_minutes >= 120
        assert priced.price == (300 if wide else 400)
        assert [i.kind for i in priced.incentives if i.amount] == (["wide"] if wide else [])


def test_dynamic_mode_prices_wide_windows_below_the_hours_they_cover():
    windows, bookings = _busy_day()
    result = price_windows(request(windows, bookings, at_km(3, 3)))
    assert result.solver == "highs"
    for start in (8, 12, 16):
        hours = [result.windows[f"h{h}"].price for h in range(start, start + 4)]
        assert result.windows[f"w{start}"].price < min(hours)


def test_full_window_still_gets_a_price():
    slots = [window("full", 10, 11, capacity=5, remaining=0), window("open", 11, 12)]
    result = price_windows(request(slots))
    assert result.windows["full"].price == 400
    assert "open" in result.windows


def test_fixed_price_window_keeps_its_price_in_dynamic_mode():
    slots = [window("fixed", 10, 11, fixed_price=123), window("open", 11, 12)]
    result = price_windows(request(slots))
    assert result.windows["fixed"].price == result.windows["fixed"].base_price == 123
    assert result.windows["fixed"].incentives == ()


def test_base_price_above_the_maximum_is_capped_with_a_reason():
    slots = [window("dear", 10, 11, template_fee=800)]
    result = price_windows(request(slots, rules=PricingRules(max_fee=900, max_surcharge=0)))
    priced = result.windows["dear"]
    assert priced.base_price == 1200
    assert priced.price <= 900
    assert priced.incentives[0].kind == "cap" and priced.incentives[0].amount == -300
    assert priced.price == priced.base_price + sum(i.amount for i in priced.incentives)


def test_exhausted_discount_budget_allows_no_discount():
    windows, bookings = _busy_day()
    rules = PricingRules(daily_discount_budget=1000, discount_spent=1000)
    result = price_windows(request(windows, bookings, at_km(1.4, 0.5), rules=rules))
    assert all(p.price >= p.base_price for p in result.windows.values())


def test_cbc_and_highs_agree_on_a_small_day():
    windows, bookings = _busy_day()
    day = request(windows[:6] + windows[-3:], bookings, at_km(1.4, 0.5))
    highs = price_windows(day)
    cbc = price_windows(dataclasses.replace(day, rules=PricingRules(solver="cbc")))
    assert (highs.solver, cbc.solver) == ("highs", "cbc")
    assert {k: w.price for k, w in cbc.windows.items()} == {k: w.price for k, w in highs.windows.items()}
    assert cbc.objective == pytest.approx(highs.objective, abs=1e-4)


@pytest.mark.parametrize("field, value", [("mode", "surge"), ("solver", "gurobi")])
def test_unknown_rule_values_are_refused(field, value):
    with pytest.raises(ValueError, match=value):
        price_windows(request([window("a", 10, 11)], rules=PricingRules(**{field: value})))


@pytest.mark.parametrize(
    "amount, currency, signed, text",
    [
        (-100, "GBP", True, "-£1.00"),
        (50, "EUR", True, "+€0.50"),
        (1234, "USD", False, "$12.34"),
        (-5, "CHF", True, "-CHF 0.05"),
        (300, "JPY", False, "¥300".replace("¥", "JPY ")),
    ],
)
def test_money_is_formatted_from_the_currency_code(amount, currency, signed, text):
    assert format_money(amount, currency, signed=signed) == text


def test_reasons_use_the_request_currency():
    windows, bookings = _busy_day()
    result = price_windows(request(windows, bookings, at_km(3, 3), currency="EUR"))
    reasons = [i.reason for p in result.windows.values() for i in p.incentives if i.amount]
    assert reasons and all("€" in r for r in reasons)


def _surcharge_reasons(result):
    return {
        key: i.reason
        for key, p in result.windows.items()
        for i in p.incentives
        if i.kind == "demand" and i.amount > 0
    }


def test_empty_windows_are_never_said_to_be_filling_up():
    # Every place free and no forecast given: a surcharge may be explained, but not by scarcity.
    windows = day_of_windows()
    rules = PricingRules(lost_booking_cost=2000)
    result = price_windows(request(windows, shopper=at_km(2, 1), rules=rules))
    assert all("likely to fill up" not in reason for reason in _surcharge_reasons(result).values())


def test_a_nearly_full_window_says_how_many_places_are_left():
    slots = [window("busy", 18, 19, capacity=8, remaining=1), window("quiet", 10, 11), window("wide", 8, 12)]
    rules = PricingRules(lost_booking_cost=5000)
    result = price_windows(request(slots, shopper=at_km(2, 1), rules=rules, forecast={"busy": 4.0}))
    reasons = _surcharge_reasons(result)
    assert result.windows["busy"].price > result.windows["busy"].base_price
    assert reasons["busy"].startswith("Popular window 18:00-19:00, likely to fill up (1 place left)")


def test_forecast_beyond_the_places_left_is_scarce_only_when_the_caller_says_so():
    slots = [window("am", 9, 10, capacity=8), window("wide", 8, 12)]
    rules = PricingRules(lost_booking_cost=5000)
    told = price_windows(request(slots, shopper=at_km(2, 1), rules=rules, forecast={"am": 12.0, "wide": 0.0}))
    assert "likely to fill up (8 places left)" in _surcharge_reasons(told)["am"]
