"""The route planner: PyVRP routes that keep windows, shifts and capacities, bounded in effort."""

import dataclasses
import math
import random

import pytest

from pricing import PricingRules, VehicleGroup
from pricing.carbon import DEFAULT_EMISSION_FACTORS
from pricing.geo import great_circle_km
from pricing.routing import PlanRequest, PlanStop, plan_routes, settings_from_rules
from pricing.routing.travel import road_km_matrix
from tests.unit.pricing.factories import DEPOT, at_km

SETTINGS = settings_from_rules(PricingRules(), max_iterations=200, max_seconds=None)
VANS = (VehicleGroup("electric_van", 2, 6, 7 * 60, 21 * 60),)


def stops_in_two_windows(count=8):
    """Half the stops 3-4 km east in 10-11, half 3-4 km north in 14-15."""
    stops = []
    for index in range(count):
        east, north, hour = (3 + index * 0.1, 0.2, 10) if index % 2 == 0 else (0.2, 3 + index * 0.1, 14)
        stops.append(PlanStop(f"s{index}", at_km(east, north), hour * 60, (hour + 1) * 60))
    return tuple(stops)


def plan(stops, fleet=VANS, settings=SETTINGS):
    return plan_routes(PlanRequest(DEPOT, fleet, tuple(stops), settings))


def test_every_stop_is_served_in_its_window_in_order_of_time():
    result = plan(stops_in_two_windows())
    assert result.feasible and result.unassigned == ()
    assert sorted(v.stop_id for r in result.routes for v in r.visits) == [f"s{i}" for i in range(8)]
    for route in result.routes:
        times = [route.start_minute]
        for v in route.visits:
            assert v.start_minute <= v.service_start_minute <= v.end_minute
            assert v.arrival_minute <= v.service_start_minute
            assert v.departure_minute == pytest.approx(v.service_start_minute + SETTINGS.service_minutes)
            times += [v.arrival_minute, v.departure_minute]
        times.append(route.end_minute)
        assert times == sorted(times)
        assert route.shift_start_minute <= route.start_minute and route.end_minute <= route.shift_end_minute


def test_km_follow_the_road_factor_and_the_speed_and_co2_the_vehicle():
    result = plan(stops_in_two_windows())
    for route in result.routes:
        legs = [v.km_from_previous for v in route.visits]
        last = route.visits[-1].point
        legs.append(SETTINGS.road_factor * great_circle_km(last.lat, last.lon, DEPOT.lat, DEPOT.lon))
        assert route.km == pytest.approx(sum(legs), abs=0.001 * len(legs))  # PyVRP counts whole metres
        first = route.visits[0]
        drive = first.arrival_minute - route.start_minute
        assert drive == pytest.approx(
            first.km_from_previous / PricingRules().average_speed_kmh * 60, abs=0.02
        )
        assert route.co2_grams == round(route.km * DEFAULT_EMISSION_FACTORS["electric_van"] * 1000)
    assert result.km == pytest.approx(sum(r.km for r in result.routes))


def test_no_vehicle_takes_more_stops_than_its_capacity():
    result = plan(stops_in_two_windows(10), fleet=(VehicleGroup("diesel_van", 3, 4, 7 * 60, 21 * 60),))
    assert result.unassigned == ()
    assert all(len(r.visits) <= 4 for r in result.routes) and len(result.routes) >= 3
    assert sorted(r.number for r in result.routes) == list(range(1, len(result.routes) + 1))


def test_cargo_bikes_keep_to_their_shift_and_the_vans_take_the_evening():
    fleet = (
        VehicleGroup("cargo_bike", 2, 10, 8 * 60, 18 * 60),
        VehicleGroup("diesel_van", 1, 10, 7 * 60, 21 * 60),
    )
    evening = PlanStop("late", at_km(1, 1), 19 * 60, 20 * 60)
    result = plan((*stops_in_two_windows(4), evening), fleet=fleet)
    route_of = {v.stop_id: r for r in result.routes for v in r.visits}
    assert route_of["late"].vehicle == "diesel_van"
    bike_routes = [r for r in result.routes if r.vehicle == "cargo_bike"]
    assert all(r.end_minute <= 18 * 60 for r in bike_routes)


def test_a_stop_no_vehicle_can_reach_is_left_out_and_listed():
    night = PlanStop("night", at_km(1, 0), 23 * 60, 23 * 60 + 30)
    result = plan((*stops_in_two_windows(4), night))
    assert result.unassigned == ("night",)
    assert result.feasible and result.stops == 4


def test_with_every_stop_required_such_a_day_is_reported_infeasible():
    night = PlanStop("night", at_km(1, 0), 23 * 60, 23 * 60 + 30)
    required = dataclasses.replace(SETTINGS, required_stops=True)
    result = plan((*stops_in_two_windows(4), night), settings=required)
    assert not result.feasible


def test_the_same_request_gives_the_same_plan():
    assert plan(stops_in_two_windows()) == plan(stops_in_two_windows())


def test_the_search_stops_at_its_time_budget():
    many = tuple(
        PlanStop(
            f"s{i}", at_km(math.cos(i) * 4, math.sin(i) * 4), 8 * 60 + (i % 12) * 60, 9 * 60 + (i % 12) * 60
        )
        for i in range(60)
    )
    fleet = (VehicleGroup("diesel_van", 4, 20, 7 * 60, 21 * 60),)
    bounded = dataclasses.replace(SETTINGS, max_iterations=10**7, max_seconds=0.3)
    result = plan(many, fleet=fleet, settings=bounded)
    assert 0 < result.iterations < 10**7, "the time budget, not the iteration cap, ended the search"
    assert result.unassigned == () and result.feasible


def test_an_empty_day_has_no_routes():
    result = plan(())
    assert result.routes == () and result.feasible and result.km == 0


def test_settings_follow_the_retailers_rules():
    rules = PricingRules(road_factor=1.4, average_speed_kmh=20, cost_per_km=40, carbon_price_per_kg=100)
    settings = settings_from_rules(rules)
    assert settings.road_factor == 1.4
    van = settings.profile("diesel_van")
    assert van.speed_kmh == 20 and van.cost_per_km == pytest.approx(40 + 0.24 * 100)
    assert settings.profile("cargo_bike").speed_kmh == 15
    with pytest.raises(KeyError):
        settings.profile("hovercraft")


def test_the_road_km_matrix_measures_each_place_once_and_gives_every_pair_the_same_km():
    rng = random.Random(12)
    places = [at_km(rng.uniform(-8, 8), rng.uniform(-8, 8)) for _ in range(25)]
    points = [DEPOT, *(rng.choice(places) for _ in range(80))]  # stops share places, as cells do
    found = road_km_matrix(points, 1.3)
    assert found == [
        [1.3 * great_circle_km(a.lat, a.lon, b.lat, b.lon) if i != j else 0.0 for j, b in enumerate(points)]
        for i, a in enumerate(points)
    ]
    assert len({km for row in found for km in row}) > len(places)  # pairs of places, not all zeros
