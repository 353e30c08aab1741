"""Time-feasible insertion into a route plan, against hand-worked schedules.

The plans here are written by hand, not solved, so every figure can be checked on paper: one
diesel van at 30 km/h (2 minutes a km), road factor 1, 4 minutes at each door, the depot at
the origin and the stops on a line east of it.
"""

import math

import pytest

from pricing import VehicleGroup
from pricing.routing import PlannedVisit, PlanSettings, RoutePlan, VehicleProfile, VehicleRoute
from pricing.routing.insertion import insert_into_plan
from tests.unit.pricing.factories import DEPOT, at_km, window

SETTINGS = PlanSettings(
    vehicles=(
        VehicleProfile("diesel_van", speed_kmh=30.0, cost_per_km=30.0, kg_co2_per_km=0.24),
        VehicleProfile("cargo_bike", speed_kmh=15.0, cost_per_km=10.0, kg_co2_per_km=0.005),
    ),
    road_factor=1.0,
    service_minutes=4.0,
    driver_cost_per_hour=1500,
)
TEN, ELEVEN, NOON = 600, 660, 720


def visit(stop_id, east_km, window_start, window_end, arrival, service_start):
    return PlannedVisit(
        stop_id=stop_id,
        point=at_km(east_km, 0),
        start_minute=window_start,
        end_minute=window_end,
        arrival_minute=arrival,
        service_start_minute=service_start,
        departure_minute=service_start + 4,
        km_from_previous=0.0,
    )


def van_route(shift_end=21 * 60, capacity=10):
    """Depot 09:56 -> A (2 km east, 10-11) 10:00-10:04 -> B (4 km east, 11-12): arrives 10:08,
    waits 52 minutes, serves 11:00-11:04 -> depot (8 minutes back) 11:12."""
    return VehicleRoute(
        vehicle="diesel_van",
        group=0,
        number=1,
        capacity=capacity,
        shift_start_minute=7 * 60,
        shift_end_minute=shift_end,
        start_minute=596,
        end_minute=672,
        duration_minutes=76,
        visits=(
            visit("A", 2, TEN, ELEVEN, arrival=600, service_start=600),
            visit("B", 4, ELEVEN, NOON, arrival=608, service_start=660),
        ),
        km=8.0,
        co2_grams=1920,
    )


def plan(route=None, vans=1, bikes=0):
    fleet = [VehicleGroup("diesel_van", vans, 10, 7 * 60, 21 * 60)]
    if bikes:
        fleet.append(VehicleGroup("cargo_bike", bikes, 10, 8 * 60, 18 * 60))
    routes = (route or van_route(),) if route is not False else ()
    return RoutePlan(DEPOT, tuple(fleet), routes, (), True, SETTINGS)


W10 = window("10-11", 10, 11)
W11 = window("11-12", 11, 12)
W8 = window("08-09", 8, 9)


def test_a_stop_on_the_way_in_a_van_that_waits_anyway_costs_nothing():
    # 3 km east, 10-11: between A and B, served 10:06, B still reached before 11:00.
    found = insert_into_plan(plan(), at_km(3, 0), (W10,))["10-11"]
    assert found.km == pytest.approx(0.0, abs=1e-9)
    assert found.minutes == pytest.approx(0.0, abs=1e-9)
    assert found.nearest_stop_km == pytest.approx(1.0)
    assert not found.new_route and found.vehicle == "diesel_van"


def test_the_minutes_are_what_the_route_grows_by():
    # In 11-12 the stop goes after B (served 11:06, back at 11:16, 4 minutes later) rather than
    # before it (B pushed to 11:06, 6 minutes later): the cheaper is kept.
    found = insert_into_plan(plan(), at_km(3, 0), (W11,))["11-12"]
    assert found.km == pytest.approx(0.0, abs=1e-9)
    assert found.minutes == pytest.approx(4.0)


def test_a_detour_off_the_line_is_measured_on_both_legs():
    found = insert_into_plan(plan(), at_km(3, 1), (W10,))["10-11"]
    assert found.km == pytest.approx(2 * math.sqrt(2) - 2)


def test_no_slack_no_insertion():
    # The van must be back by 11:13: one minute to spare, and every insertion in 11-12 needs more.
    tight = plan(van_route(shift_end=673))
    assert insert_into_plan(tight, at_km(3, 0), (W11,))["11-12"] is None


def test_a_full_van_takes_no_more_stops():
    assert insert_into_plan(plan(van_route(capacity=2)), at_km(3, 0), (W10,))["10-11"] is None


def test_a_free_vehicle_makes_a_new_route_from_the_depot():
    found = insert_into_plan(plan(van_route(capacity=2), vans=2), at_km(3, 0), (W10,))["10-11"]
    assert found.new_route
    assert found.km == pytest.approx(6.0)
    assert found.minutes == pytest.approx(16.0)  # 6 minutes out, 4 at the door, 6 back
    assert found.nearest_stop_km == math.inf


def test_a_new_route_keeps_to_its_vehicle_shift():
    # Cargo bikes start at 08:00 and need 12 minutes to 3 km out: a stop 08:00-08:10 is out of reach.
    early = window("08-0810", 8, 8 + 10 / 60)
    found = insert_into_plan(plan(False, vans=0, bikes=1), at_km(3, 0), (early,))["08-0810"]
    assert found is None
    found = insert_into_plan(plan(False, vans=0, bikes=1), at_km(3, 0), (W8,))["08-09"]
    assert found.vehicle == "cargo_bike" and found.kg_co2_per_km == 0.005


def test_before_its_first_stop_the_van_leaves_earlier_and_pays_for_it():
    # 08-09: leave at 07:54, serve 08:00-08:04, on to A by 08:10 and wait there until 10:00.
    found = insert_into_plan(plan(), at_km(3, 0), (W8,))["08-09"]
    assert found.km == pytest.approx(2.0)  # 3 out, 1 back to A, instead of 2 out
    assert found.minutes == pytest.approx(596 - 474)


def test_wide_windows_find_the_van_at_any_time_inside_them():
    wide = window("08-12", 8, 12)
    found = insert_into_plan(plan(), at_km(3, 0), (wide,))["08-12"]
    assert found.km == pytest.approx(0.0, abs=1e-9) and found.minutes == pytest.approx(0.0, abs=1e-9)


def test_a_window_after_the_van_is_home_needs_it_to_go_out_again():
    # 14-15: after the depot at 11:12, the only leg is B -> depot: served 14:00, back 14:06.
    late = window("14-15", 14, 15)
    found = insert_into_plan(plan(), at_km(3, 0), (late,))["14-15"]
    assert found.km == pytest.approx(0.0, abs=1e-9)
    assert found.minutes == pytest.approx(14 * 60 + 10 - 672)


def test_the_same_plan_object_is_prepared_once_and_an_equal_one_gives_the_same_answer():
    first = plan()
    again = plan()
    assert first == again and first is not again
    point = at_km(3, 1)
    assert insert_into_plan(first, point, (W10, W11)) == insert_into_plan(again, point, (W10, W11))


def test_idle_minutes_tell_a_van_passing_then_from_one_hanging_about():
    point = at_km(3, 0)
    windows = (W10, W8, window("14-15", 14, 15))
    found = insert_into_plan(plan(), point, windows)
    assert found["10-11"].idle_minutes == pytest.approx(0.0, abs=1e-9)
    assert found["08-09"].idle_minutes == pytest.approx(122 - 2 * 2 - 4)
    assert found["14-15"].idle_minutes == pytest.approx(178 - 4)
