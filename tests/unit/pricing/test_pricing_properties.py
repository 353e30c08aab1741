"""Properties every priced day must have, whatever the bookings and rules."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing import REASON_CODES, BookedStop, PricingRules, price_windows
from pricing.density import _project_zone
from pricing.ladder import anchor_price
from tests.unit.pricing.factories import at_km, request, window

HOURS = list(range(8, 20))


@st.composite
def windows_of_a_day(draw):
    """Draw hourly and wide windows, some nearly full, some with fees or fixed prices."""
    chosen = []
    for index, hour in enumerate(draw(st.lists(st.sampled_from(HOURS), min_size=1, max_size=8, unique=True))):
        width = draw(st.sampled_from([1, 1, 2, 4]))
        capacity = draw(st.integers(1, 12))
        fixed = draw(st.one_of(st.none(), st.integers(0, 1200))) if index % 4 == 3 else None
        chosen.append(
            window(
                f"k{index}",
                hour,
                min(21, hour + width),
                capacity=capacity,
                remaining=draw(st.integers(0, capacity)),
                template_fee=draw(st.sampled_from([0, 0, 49, 150])),
                fixed_price=fixed,
            )
        )
    return chosen


@st.composite
def priced_days(draw):
    windows = draw(windows_of_a_day())
    keys = [w.key for w in windows]
    points = st.tuples(st.floats(-4, 4), st.floats(-4, 4))
    bookings = [
        BookedStop(at_km(*draw(points)), draw(st.sampled_from(keys))) for _ in range(draw(st.integers(0, 25)))
    ]
    budget = draw(st.one_of(st.none(), st.integers(0, 2000)))
    min_fee = draw(st.sampled_from([0, 100, 300]))
    rules = PricingRules(
        mode=draw(st.sampled_from(["dynamic", "dynamic", "static"])),
        base_fee=draw(st.integers(0, 800)),
        min_fee=min_fee,
        max_fee=min_fee + draw(st.integers(0, 900)),
        max_discount=draw(st.sampled_from([0, 50, 150, 300])),
        max_surcharge=draw(st.sampled_from([0, 100, 200])),
        daily_discount_budget=budget,
        discount_spent=draw(st.integers(0, 2500)),
        price_step=draw(st.sampled_from([25, 50, 100])),
        solver="highs",
    )
    shopper = at_km(*draw(points))
    return request(windows, bookings=bookings, shopper=shopper, rules=rules)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(priced_days())
def test_prices_respect_the_rules_and_add_up(day):
    rules = day.rules
    budget_left = (
        None
        if rules.daily_discount_budget is None
        else max(0, rules.daily_discount_budget - rules.discount_spent)
    )
    result = price_windows(day)
    assert set(result.windows) == {w.key for w in day.windows}
    for spec in day.windows:
        priced = result.windows[spec.key]
        assert priced.price == priced.base_price + sum(i.amount for i in priced.incentives)
        assert isinstance(priced.price, int)
        assert priced.co2_grams >= 0 and priced.marginal_km >= 0
        if spec.fixed_price is not None:
            assert priced.price == priced.base_price == spec.fixed_price
            assert priced.incentives == ()
            continue
        anchor = anchor_price(rules.base_fee + spec.template_fee, rules)
        assert rules.min_fee <= priced.price <= rules.max_fee
        assert anchor - priced.price <= rules.max_discount
        assert priced.price - anchor <= rules.max_surcharge
        assert (priced.price - anchor) % rules.price_step == 0
        if budget_left is not None:
            assert anchor - priced.price <= budget_left
        if priced.green:
            # Green windows are never surcharged; only the retailer's minimum fee can lift one.
            assert priced.price <= max(priced.base_price, rules.min_fee)
            assert priced.green_reason
        else:
            assert priced.green_reason is None
        for incentive in priced.incentives:
            assert incentive.reason.code in REASON_CODES
            assert incentive.reason.params["amount"] == incentive.amount != 0
            assert incentive.kind in {"wide", "green", "offpeak", "demand", "cap"}
            if incentive.reason.code == "demand_scarce":
                assert 4 * spec.remaining <= spec.capacity


@SETTINGS
@given(priced_days())
def test_same_request_gives_the_same_prices(day):
    first = price_windows(day)
    _project_zone.cache_clear()  # recompute the projection instead of reusing it
    assert price_windows(day) == first
