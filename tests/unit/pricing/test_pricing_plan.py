"""Prices from the plan: marginal km, minutes and CO2 by time-feasible insertion into planned routes.

One hand-written plan: an electric van leaves the depot at 08:20, serves P (3 km east, booked
08:00-12:00) at 08:30 and its neighbour Q (booked 08:00-09:00) at 08:35, drives to F (6 km
north, booked 09:00-10:00) for 09:00, then to F's neighbour G (booked 10:00-11:00), waits
there for 10:00 and is back at 10:23. The shopper lives next door to P. The projection (no
plan) only knows that P is booked some time 08:00-12:00, which promises no van in any one
hour of it (it once took it for a van near at 10:00-11:00 too); the plan knows the van is at
G, 6 km away, by then.
"""

import dataclasses
import math

import pytest

from pricing import BookedStop, PricingRules, VehicleGroup, price_windows
from pricing.carbon import DEFAULT_EMISSION_FACTORS
from pricing.routing import PlannedVisit, RoutePlan, VehicleRoute, settings_from_rules
from tests.unit.pricing.factories import at_km, day_of_windows, request

SETTINGS = settings_from_rules(PricingRules())
FLEET = (
    VehicleGroup("electric_van", 1, 20, 7 * 60, 21 * 60),
    VehicleGroup("diesel_van", 2, 20, 7 * 60, 21 * 60),
)
P, Q, F, G = at_km(3, 0), at_km(3, 0.3), at_km(0, 6), at_km(0.3, 6)
SHOPPER = at_km(3.1, 0)


def planned(stop_id, point, window, arrival, start):
    return PlannedVisit(stop_id, point, window[0], window[1], arrival, start, start + 4, 0.0)


ROUTE = VehicleRoute(
    vehicle="electric_van",
    group=0,
    number=1,
    capacity=20,
    shift_start_minute=7 * 60,
    shift_end_minute=21 * 60,
    start_minute=500.6,
    end_minute=622.7,
    duration_minutes=122.1,
    visits=(
        planned("P", P, (480, 720), 510.0, 510.0),
        planned("Q", Q, (480, 540), 515.0, 515.0),
        planned("F", F, (540, 600), 539.1, 540.0),
        planned("G", G, (600, 660), 545.0, 600.0),
    ),
    km=20.9,
    co2_grams=1359,
)
PLAN = RoutePlan(at_km(0, 0), FLEET, (ROUTE,), (), True, SETTINGS)
BOOKINGS = (BookedStop(P, "w8"), BookedStop(Q, "h8"), BookedStop(F, "h9"), BookedStop(G, "h10"))


def price(plan=PLAN, **fields):
    return price_windows(
        request(day_of_windows(), BOOKINGS, SHOPPER, fleet=FLEET, plan=plan, forecast={}, **fields)
    ).windows


def test_without_a_plan_prices_are_todays():
    assert (
        price(plan=None)
        == price_windows(request(day_of_windows(), BOOKINGS, SHOPPER, fleet=FLEET, forecast={})).windows
    )


def test_green_only_where_the_planned_van_passes_then():
    projected, from_plan = price(plan=None), price()
    assert not projected["h10"].green, "the projection: P's wide booking promises no van at 10:00-11:00"
    assert projected["w8"].green, "the projection: a van is near P some time 08:00-12:00"
    assert from_plan["h8"].green, "the van is at P at 08:30"
    assert not from_plan["h10"].green, "at 10:00-11:00 the van is at G, 6 km away"
    assert from_plan["h8"].green_reason and from_plan["h10"].green_reason is None


def test_waiting_the_van_already_does_absorbs_the_minutes():
    # Between P and Q the stop pushes Q back 4 minutes, which the wait at G (55 minutes) absorbs.
    from_plan = price()["h8"]
    assert from_plan.marginal_minutes == 0
    assert price(plan=None)["h8"].marginal_minutes >= PricingRules().service_minutes


def test_co2_is_the_planned_vehicles():
    window = price()["h8"]
    assert window.co2_grams == round(window.marginal_km * DEFAULT_EMISSION_FACTORS["electric_van"] * 1000)


def test_a_window_no_van_can_take_falls_back_and_is_not_green():
    full = dataclasses.replace(ROUTE, capacity=4)
    no_spare = (FLEET[0],)
    plan = dataclasses.replace(PLAN, fleet=no_spare, routes=(full,))
    windows = price_windows(
        request(day_of_windows(), BOOKINGS, SHOPPER, fleet=no_spare, plan=plan, forecast={})
    ).windows
    assert not any(w.green for w in windows.values())
    round_trip = 2 * PricingRules().road_factor * 3.1
    assert all(w.marginal_km <= round_trip + 1e-6 for w in windows.values())


def test_a_van_far_from_the_window_is_priced_by_the_dearer_detour_or_the_forecast():
    plan_h10 = price()["h10"]
    assert plan_h10.marginal_km > price()["h8"].marginal_km
    assert math.isfinite(plan_h10.marginal_km)


def test_an_empty_plan_with_nothing_to_come_prices_new_routes_from_the_depot():
    empty = dataclasses.replace(PLAN, routes=())
    windows = price_windows(
        request(day_of_windows(), (), SHOPPER, fleet=FLEET, plan=empty, forecast={})
    ).windows
    assert not any(w.green for w in windows.values())
    assert windows["h8"].marginal_km == pytest.approx(2 * PricingRules().road_factor * 3.1, rel=0.01)
