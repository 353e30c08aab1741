"""The what-if's pure part: seeded draws, what a draft's prices do to choices, intervals, capacity."""

import multiprocessing
import random
from dataclasses import replace

import pytest

from pricing import ChoiceParameters, PricingRules, VehicleGroup
from pricing.whatif import ReplayDepot, ReplayOffer, ReplaySlot, ReplayZone, RuleSet, WhatIfInput, run_whatif
from pricing.whatif.choices import PricedWindow, draw_noise, replay_choices
from pricing.whatif.summary import interval, percentile
from tests.unit.pricing.factories import DEPOT, at_km

DAYS = ("2031-03-03", "2031-03-04")
ZONES = ("N", "S")
WINDOWS = [(h * 60, h * 60 + 60) for h in range(8, 20, 2)] + [(8 * 60, 12 * 60), (14 * 60, 18 * 60)]


def _slots(capacity: int) -> dict[str, ReplaySlot]:
    return {
        f"{zone}-{day}-{start}-{end}": ReplaySlot(
            f"{zone}-{day}-{start}-{end}", zone, day, start, end, capacity
        )
        for zone in ZONES
        for day in DAYS
        for start, end in WINDOWS
        for key in [f"{zone}-{day}-{start}-{end}"]
    }


def scenario(live: PricingRules, draft: PricingRules, offers: int = 40, capacity: int = 6, **fields):
    """Return a what-if over two zones, two days and a few tens of offers, routed by iterations only."""
    rng = random.Random(7)
    slots = _slots(capacity)
    replayed = []
    for n in range(offers):
        zone = ZONES[n % 2]
        point = at_km(rng.uniform(-3, 3), rng.uniform(0.5, 3) * (1 if zone == "N" else -1))
        offered = tuple(key for key, slot in slots.items() if slot.zone == zone)
        replayed.append(ReplayOffer(f"o{n}", zone, point, offered))
    fleet = (VehicleGroup("electric_van", 3, 30, 7 * 60, 21 * 60),)
    values = dict(
        offers=tuple(replayed),
        slots=slots,
        zones={"N": ReplayZone("N", "D", at_km(0, 2)), "S": ReplayZone("S", "D", at_km(0, -2))},
        depots={"D": ReplayDepot("D", DEPOT, fleet)},
        live=RuleSet(live),
        draft=RuleSet(draft),
        shoppers=ChoiceParameters(),
        reference_fee=live.base_fee,
        seed=3,
        draws=5,
        routing_iterations=30,
        routing_seconds=None,
    )
    values.update(fields)
    return WhatIfInput(**values)


STATIC = PricingRules(mode="static", static_wide_discount=0)
WIDE_CHEAP = PricingRules(mode="static", static_wide_discount=200)


def without_timings(result) -> dict:
    body = result.as_dict()
    body.pop("seconds")
    return body


def test_the_same_seed_gives_the_same_result_and_another_seed_another():
    first = run_whatif(scenario(STATIC, WIDE_CHEAP))
    again = run_whatif(scenario(STATIC, WIDE_CHEAP))
    assert without_timings(first) == without_timings(again)
    other = run_whatif(scenario(STATIC, WIDE_CHEAP, seed=4))
    assert other.per_draw["live"] != first.per_draw["live"]


def test_cheaper_wide_windows_raise_the_wide_share_and_the_discount_spend():
    result = run_whatif(scenario(STATIC, WIDE_CHEAP, draws=8))
    wide, spend = result.summary["wide_share"], result.summary["discount_spend"]
    assert wide["draft"].mean > wide["live"].mean
    assert wide["change"].low > 0  # in every draw but the few at the interval's edge
    assert spend["live"].mean == 0 and spend["draft"].mean > 0
    fee = result.summary["fee_per_order"]
    assert fee["draft"].mean < fee["live"].mean


def test_each_interval_holds_its_mean_and_draws_differ():
    result = run_whatif(scenario(STATIC, WIDE_CHEAP, draws=8))
    for name, sides in result.summary.items():
        for side in ("live", "draft"):
            found = sides[side]
            if found is not None:
                assert found.low <= found.mean <= found.high, (name, side, found)
    acceptance = result.summary["acceptance"]["live"]
    assert acceptance.low < acceptance.high  # the draws really are different shoppers
    assert 0 < acceptance.mean < 1


def test_the_routes_count_every_booking_and_the_contribution_is_fees_less_costs():
    result = run_whatif(scenario(STATIC, WIDE_CHEAP, draws=2))
    for figures in result.per_draw["live"]:
        assert figures["unrouted"] == 0
        assert (
            figures["km_per_order"] > 0 and figures["driver_hours"] > 0 and figures["vehicles_per_day"] >= 0.5
        )
        assert figures["contribution_per_order"] < figures["fee_per_order"]


def test_a_full_window_is_no_longer_offered_within_a_draw():
    result = run_whatif(scenario(STATIC, WIDE_CHEAP, offers=120, capacity=1, draws=3))
    places = len(_slots(1))
    for side in ("live", "draft"):
        for figures in result.per_draw[side]:
            assert figures["bookings"] <= places
    assert max(f["bookings"] for f in result.per_draw["draft"]) > places / 2  # they do fill up


def test_replayed_choices_never_book_a_window_beyond_its_places():
    offers = [ReplayOffer(f"o{n}", "N", DEPOT, ("a", "b")) for n in range(50)]
    priced = [{"a": PricedWindow(400, 400, False, 2.0), "b": PricedWindow(400, 400, False, 1.5)}] * 50
    booked = replay_choices(offers, {"a": 3, "b": 2}, priced, draw_noise(1, 0, offers), 0.0)
    keys = [key for _, key in booked]
    assert keys.count("a") == 3 and keys.count("b") == 2


def test_a_window_the_draft_drops_is_never_booked_under_it():
    inp = scenario(STATIC, STATIC, draws=2)
    dropped = {key: None for key, slot in inp.slots.items() if slot.width_minutes >= 120}
    result = run_whatif(replace(inp, draft=RuleSet(STATIC, fees=dropped)))
    assert all(f["wide_share"] == 0 for f in result.per_draw["draft"])
    assert any(f["wide_share"] > 0 for f in result.per_draw["live"])


def test_flat_prices_are_the_base_fee_plus_the_template_fee_and_a_budget_is_counted():
    flat = PricingRules(mode="flat", base_fee=450)
    budgeted = replace(WIDE_CHEAP, daily_discount_budget=1000)
    result = run_whatif(scenario(flat, budgeted, draws=2))
    assert all(f["fee_per_order"] == 450 for f in result.per_draw["live"])
    assert result.per_draw["live"][0]["budget_used"] is None
    used = result.summary["budget_used"]["draft"]
    spend = result.summary["discount_spend"]["draft"]
    assert used.mean == pytest.approx(spend.mean / (1000 * len(DAYS)))


def test_progress_rises_to_the_end_and_a_progress_that_raises_stops_the_run():
    seen = []
    run_whatif(scenario(STATIC, WIDE_CHEAP, draws=2), lambda fraction, stage: seen.append((fraction, stage)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)

    assert {stage for _, stage in seen} == {"pricing", "choices", "routing"}

    class Stop(Exception):
        pass

    def stop_at_routing(fraction, stage):
        if stage == "routing":
            raise Stop

    with pytest.raises(Stop):
        run_whatif(scenario(STATIC, WIDE_CHEAP, draws=2), stop_at_routing)


def test_percentiles_interpolate_between_draws():
    assert percentile([1, 2, 3, 4, 5], 0.5) == 3
    assert percentile([0, 10], 0.05) == pytest.approx(0.5)
    found = interval([1.0, 2.0, 3.0])
    assert (found.mean, found.low, found.high) == (2.0, pytest.approx(1.1), pytest.approx(2.9))


def test_an_offer_naming_an_unknown_slot_is_refused():
    inp = scenario(STATIC, STATIC, draws=1)
    bad = replace(inp, offers=(ReplayOffer("x", "N", DEPOT, ("nope",)),))
    with pytest.raises(ValueError):
        run_whatif(bad)


def test_dynamic_rules_price_through_the_engine_within_the_fee_bounds():
    dynamic = PricingRules(mode="dynamic", min_fee=100, max_fee=700)
    result = run_whatif(scenario(STATIC, dynamic, draws=2))
    fee = result.summary["fee_per_order"]["draft"]
    assert 100 <= fee.low <= fee.high <= 700


def test_workers_give_the_result_of_one_process():
    inp = scenario(STATIC, replace(WIDE_CHEAP, mode="dynamic"), draws=3)
    assert without_timings(run_whatif(inp, processes=2)) == without_timings(run_whatif(inp))


def test_a_progress_that_raises_stops_the_workers_too():
    class Stop(Exception):
        pass

    def stop_at_routing(fraction, stage):
        if stage == "routing":
            raise Stop

    with pytest.raises(Stop):
        run_whatif(scenario(STATIC, WIDE_CHEAP, draws=2), stop_at_routing, processes=2)
    assert multiprocessing.active_children() == []


def _what_if_in_a_daemon(results) -> None:
    inp = scenario(STATIC, WIDE_CHEAP, draws=2)
    results.put(without_timings(run_whatif(inp, processes=2)) == without_timings(run_whatif(inp)))


def test_a_daemonic_process_such_as_a_prefork_job_worker_runs_it_in_one_process():
    # Celery's prefork pool runs each job in a daemonic process, which may start no children.
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    daemon = context.Process(target=_what_if_in_a_daemon, args=(results,), daemon=True)
    daemon.start()
    daemon.join(120)
    assert daemon.exitcode == 0
    assert results.get_nowait() is True
