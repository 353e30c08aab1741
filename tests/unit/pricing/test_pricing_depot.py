"""The depot-wide view (other zones' bookings) and route density per vehicle."""

import math

from pricing import BookedStop, PricingRules, VehicleGroup, price_windows
from tests.unit.pricing.factories import at_km, request, window

SLOT = window("10-11", 10, 11)
OTHER = window("14-15", 14, 15)
FORECAST = {"10-11": 3.0, "14-15": 3.0}


def test_a_van_booked_next_door_makes_the_window_green():
    shopper = at_km(4, 0)
    # The neighbouring zone's stop is 300 m away, booked at the same time.
    neighbour = (BookedStop(at_km(4.3, 0), "10-11"),)
    alone = price_windows(request([SLOT, OTHER], shopper=shopper, forecast=FORECAST))
    depot_wide = price_windows(
        request([SLOT, OTHER], shopper=shopper, forecast=FORECAST, depot_bookings=neighbour)
    )
    assert not alone.windows["10-11"].green
    assert depot_wide.windows["10-11"].green
    assert depot_wide.windows["10-11"].green_reason
    assert depot_wide.windows["10-11"].price <= depot_wide.windows["10-11"].base_price
    assert not depot_wide.windows["14-15"].green


def test_depot_bookings_of_windows_this_zone_lacks_are_ignored():
    shopper = at_km(4, 0)
    elsewhere = (BookedStop(at_km(4.1, 0), "no-such-window"),)
    result = price_windows(request([SLOT], shopper=shopper, forecast=FORECAST, depot_bookings=elsewhere))
    assert not result.windows["10-11"].green


def test_depot_bookings_leave_the_zone_density_alone():
    # Far-away stops of another zone join the known tours only, not the zone's spread.
    far = tuple(BookedStop(at_km(-8, 0.1 * i), "14-15") for i in range(10))
    alone = price_windows(request([SLOT, OTHER], forecast=FORECAST))
    depot_wide = price_windows(request([SLOT, OTHER], forecast=FORECAST, depot_bookings=far))
    assert depot_wide.typical_insertion_km == alone.typical_insertion_km


def test_density_per_vehicle_spreads_a_zone_over_the_vehicles_it_needs():
    # 30 expected stops with vehicles of 10 stops: three routes share the window's stops,
    # so each is sqrt(3) times sparser than one route through them all.
    forecast = {"10-11": 30.0}
    fleet = (VehicleGroup("electric_van", 5, 10, 7 * 60, 21 * 60),)
    shopper = at_km(3, 1)
    per_vehicle = price_windows(request([SLOT], shopper=shopper, forecast=forecast, fleet=fleet))
    one_route = price_windows(
        request(
            [SLOT],
            shopper=shopper,
            forecast=forecast,
            fleet=fleet,
            rules=PricingRules(per_vehicle_density=False),
        )
    )
    ratio = per_vehicle.windows["10-11"].marginal_km / one_route.windows["10-11"].marginal_km
    assert math.isclose(ratio, math.sqrt(3), rel_tol=0.01)


def test_one_vehicle_is_the_least_a_zone_needs():
    forecast = {"10-11": 2.0}
    fleet = (VehicleGroup("electric_van", 5, 30, 7 * 60, 21 * 60),)
    per_vehicle = price_windows(request([SLOT], forecast=forecast, fleet=fleet))
    one_route = price_windows(
        request([SLOT], forecast=forecast, fleet=fleet, rules=PricingRules(per_vehicle_density=False))
    )
    assert per_vehicle.windows["10-11"].marginal_km == one_route.windows["10-11"].marginal_km
