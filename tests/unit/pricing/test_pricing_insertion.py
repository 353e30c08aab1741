"""Insertion cost, density and carbon against examples worked by hand."""

import math

import pytest

from pricing import BookedStop, PricingRules, price_windows
from pricing.density import TOUR_CONSTANT, cheapest_insertion_km
from pricing.geo import LocalPlane, great_circle_km, plane_km
from tests.unit.pricing.factories import DEPOT, at_km, request, window

SQUARE = ((0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0), (0.0, 0.0))


def test_point_on_an_edge_costs_nothing():
    assert cheapest_insertion_km(SQUARE, (1.0, 0.0)) == pytest.approx(0.0)


def test_point_beside_an_edge_costs_the_two_diagonals_less_the_edge():
    # (1, -1) joins the edge (0,0)-(2,0): sqrt(2) + sqrt(2) - 2.
    assert cheapest_insertion_km(SQUARE, (1.0, -1.0)) == pytest.approx(2 * math.sqrt(2) - 2)


def test_depot_only_tour_costs_a_return_trip():
    assert cheapest_insertion_km(((0.0, 0.0), (0.0, 0.0)), (3.0, 4.0)) == pytest.approx(10.0)


def test_local_plane_agrees_with_great_circle_within_a_zone():
    plane = LocalPlane(DEPOT.lat, DEPOT.lon)
    far = at_km(12, -9)
    exact = great_circle_km(DEPOT.lat, DEPOT.lon, far.lat, far.lon)
    assert exact == pytest.approx(15.0, rel=0.005)
    assert plane_km((0.0, 0.0), plane.project(far.lat, far.lon)) == pytest.approx(exact, rel=0.005)


def test_marginal_km_joins_the_known_route_with_the_road_factor():
    # Depot -> stop 1 km east -> depot; the shopper 1 km north joins the depot-stop leg:
    # 1 + sqrt(2) - 1 straight-line km, times the road factor 1.3.
    slot = window("10-11", 10, 11)
    priced = price_windows(
        request(
            [slot],
            bookings=[BookedStop(at_km(1, 0), "10-11")],
            shopper=at_km(0, 1),
            rules=PricingRules(zone_radius_km=10.0),
            forecast={"10-11": 0.0},
        )
    )
    assert priced.windows["10-11"].marginal_km == pytest.approx(1.3 * math.sqrt(2), abs=1e-3)


def test_forecast_density_gives_the_continuous_approximation():
    # No bookings, 16 expected stops in a 2 km radius zone: k/2 * sqrt(A / N) * 1.3.
    slot = window("10-11", 10, 11)
    priced = price_windows(
        request(
            [slot],
            shopper=at_km(4, 0),
            rules=PricingRules(zone_radius_km=2.0),
            forecast={"10-11": 16.0},
        )
    )
    expected = 1.3 * TOUR_CONSTANT / 2 * math.sqrt(math.pi * 4 / 16)
    assert priced.windows["10-11"].marginal_km == pytest.approx(expected, abs=1e-3)


def test_wide_window_counts_the_stops_of_the_windows_inside_it():
    hourly = window("10-11", 10, 11)
    wide = window("08-12", 8, 12)
    forecast = {"10-11": 4.0, "08-12": 4.0}
    priced = price_windows(request([hourly, wide], forecast=forecast, shopper=at_km(3, 2)))
    # Wide: 4 + 4 expected stops; hourly: 4 + 4 * (1 h / 4 h) = 5, so wider is cheaper to join.
    ratio = priced.windows["08-12"].marginal_km / priced.windows["10-11"].marginal_km
    assert ratio == pytest.approx(math.sqrt(5 / 8), rel=1e-3)


def test_co2_is_marginal_km_times_the_diesel_factor():
    slot = window("10-11", 10, 11)
    priced = price_windows(request([slot], shopper=at_km(2, 0), forecast={"10-11": 0.0}))
    result = priced.windows["10-11"]
    assert result.marginal_km == pytest.approx(2 * 2 * 1.3, abs=1e-3)  # a return trip
    assert result.co2_grams == round(2 * 2 * 1.3 * 0.24 * 1000)


def test_emission_factor_override_changes_co2():
    slot = window("10-11", 10, 11)
    rules = PricingRules(emission_factors={"diesel_van": 0.5})
    priced = price_windows(request([slot], shopper=at_km(2, 0), forecast={"10-11": 0.0}, rules=rules))
    assert priced.windows["10-11"].co2_grams == round(2 * 2 * 1.3 * 0.5 * 1000)


def test_marginal_minutes_are_driving_plus_the_stop():
    slot = window("10-11", 10, 11)
    priced = price_windows(request([slot], shopper=at_km(2, 0), forecast={"10-11": 0.0}))
    km = priced.windows["10-11"].marginal_km
    assert priced.windows["10-11"].marginal_minutes == pytest.approx(km / 25 * 60 + 4, abs=0.01)
