"""The simulator runs end to end on a tiny city in seconds."""

import dataclasses
import random

import pytest

from pricing.calibration import OfferRecord
from pricing.geo import LocalPlane
from pricing.simulate.__main__ import main
from pricing.simulate.city import SimConfig, build_zones, day_windows, fleet
from pricing.simulate.flexibility import FlexibilitySample, flexibility_km, flexibility_minutes, widened
from pricing.simulate.learning import HistoryForecast, LoggedOffer
from pricing.simulate.policies import POLICIES, PROBES
from pricing.simulate.run import simulate

TINY = SimConfig(seed=3, days=1, zones=1, shoppers_per_zone_day=15, routing_iterations=100)
FEW = ("flat", "wide-1.00", "wide-0.50 eve+1.00", "dynamic")


def test_every_policy_serves_the_same_shoppers_and_routes_them():
    reports = simulate(TINY)
    assert [r.policy for r in reports] == list(POLICIES)
    assert len(POLICIES) == 12  # flat, 5 wide discounts x with/without evening surcharge, dynamic
    for report in reports:
        assert report.shoppers == 15
        assert 0 < report.bookings <= report.shoppers
        assert report.km > 0 and report.vehicle_days >= 1 and report.co2_kg > 0
        assert report.routes_feasible


def test_same_seed_gives_the_same_table_in_one_process_or_two():
    assert simulate(TINY, FEW) == simulate(TINY, FEW, jobs=2)


def test_evening_surcharge_is_a_template_fee_on_evening_hours_only():
    policy = POLICIES["wide-0.50 eve+1.00"]
    windows = {w.key: w for w in day_windows()}
    assert policy.template_fee(windows["18-19"]) == 100
    assert policy.template_fee(windows["16-17"]) == 0
    assert policy.template_fee(windows["16-20"]) == 0


def test_probes_charge_every_hour_and_more_in_the_evening_and_stay_out_of_the_grid():
    policy = PROBES["probe hour+0.50 eve+1.00 wide-1.50"]
    windows = {w.key: w for w in day_windows()}
    assert policy.template_fee(windows["09-10"]) == 50
    assert policy.template_fee(windows["18-19"]) == 150
    assert policy.template_fee(windows["16-20"]) == 0
    assert policy.rules.static_wide_discount == 150
    assert not set(PROBES) & set(POLICIES)


def test_a_probe_is_reported_against_the_grid_but_never_taken_as_its_best_rule(capsys):
    probe = "probe hour+2.00 wide-2.00"
    main(
        [
            "--seed",
            "3",
            "--days",
            "1",
            "--zones",
            "1",
            "--shoppers",
            "10",
            "--iterations",
            "50",
            "--policies",
            f"flat,wide-1.00,dynamic,{probe}",
        ]
    )
    out = capsys.readouterr().out
    assert "best static rule on km per order: wide-1.00" in out
    assert "best static rule on contribution per order: wide-1.00" in out
    assert f"\n  {probe} " in out and "of 4 met" in out


def test_zones_touch_and_the_fleet_works_shifts():
    config = SimConfig()
    zones = build_zones(config, random.Random(1))
    side = zones[0].side_km
    plane = LocalPlane(zones[0].centre.lat, zones[0].centre.lon)
    centres = [plane.project(z.centre.lat, z.centre.lon) for z in zones]
    for i, a in enumerate(centres):
        for b in centres[i + 1 :]:
            # neighbouring hexagons' centres are sqrt(3) sides apart: they share an edge
            assert abs(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 - 3**0.5 * side) < 0.01
    shifts = {(g.vehicle, g.shift_start_minute, g.shift_end_minute) for g in fleet(config)}
    assert ("electric_van", 450, 870) in shifts and ("electric_van", 840, 1260) in shifts
    assert all(end - start <= 11 * 60 for _, start, end in shifts)


def test_dynamic_policy_learns_from_its_own_offers_only_once_it_has_enough():
    config = SimConfig(seed=3, days=2, zones=1, shoppers_per_zone_day=15, routing_iterations=50)
    (report,) = simulate(config, ("dynamic",))
    # After day 1 there are 15 offers: too few, so the engine keeps the defaults.
    assert len(report.fits) == 1 and not report.fits[0].predicts_better


def test_command_line_prints_a_row_per_policy_and_the_best_static_rules(capsys):
    main(["--seed", "3", "--days", "1", "--zones", "1", "--shoppers", "10", "--iterations", "50"])
    out = capsys.readouterr().out
    for policy in POLICIES:
        assert f"\n{policy} " in out
    assert "km per order" in out
    assert "best static rule on km per order" in out
    assert "best static rule on contribution per order" in out


def test_widening_moves_each_narrow_stop_to_the_wide_window_around_it():
    windows = {w.key: w for w in day_windows()}
    point = build_zones(SimConfig(), random.Random(1))[0].centre
    stops = [(point, windows["09-10"]), (point, windows["16-20"]), (point, windows["19-20"])]
    wider = widened(stops, list(windows.values()), 120)
    assert [w.key for _, w in wider] == ["08-12", "16-20", "16-20"]


def test_flexibility_is_what_widening_saves_beyond_what_removal_shows():
    samples = [
        FlexibilitySample(
            narrow_stops=100, wide_stops=50, km_saved=80.0, narrow_removal_km=50.0, wide_removal_km=10.0
        ),
        FlexibilitySample(
            narrow_stops=100, wide_stops=50, km_saved=60.0, narrow_removal_km=50.0, wide_removal_km=10.0
        ),
    ]
    # 0.7 km saved per widened booking, of which 0.5 - 0.2 = 0.3 km insertion already sees.
    assert flexibility_km(samples) == pytest.approx(0.4)
    assert flexibility_km([]) == 0.0


def test_flexibility_minutes_are_the_driver_time_widening_saves_beyond_its_km():
    samples = [
        FlexibilitySample(
            narrow_stops=100,
            wide_stops=50,
            km_saved=50.0,
            narrow_removal_km=50.0,
            wide_removal_km=10.0,
            minutes_saved=900.0,
        )
    ]
    # 9 minutes saved per widened booking; 0.5 km of it at 25 km/h is 1.2 minutes of driving.
    assert flexibility_minutes(samples, 25.0) == pytest.approx(7.8)
    assert flexibility_minutes([dataclasses.replace(samples[0], minutes_saved=0.0)], 25.0) == 0.0
    assert flexibility_minutes([], 25.0) == 0.0


def test_history_forecast_counts_the_bookings_that_came_after_as_many_shoppers():
    history = HistoryForecast()
    windows = day_windows()
    assert history.forecast("Z1", 0, windows) is None
    record = OfferRecord(windows=(), chosen=None)
    history.add_day(
        [
            LoggedOffer(day=0, zone="Z1", arrival=0, record=record, chosen_key="09-10"),
            LoggedOffer(day=0, zone="Z1", arrival=1, record=record, chosen_key=None),
            LoggedOffer(day=0, zone="Z1", arrival=2, record=record, chosen_key="16-20"),
        ]
    )
    after_one = history.forecast("Z1", 1, windows)
    assert after_one["16-20"] == 1.0 and after_one["09-10"] == 0.0
    assert history.forecast("Z1", 0, windows)["09-10"] == 1.0
    assert history.forecast("Z2", 0, windows) is None
