"""Travel between stops: straight-line km times a road factor, at each vehicle type's speed.

The documented assumptions (``docs/routes.md``):

- distance: the great-circle (haversine) km between two points times ``road_factor``
  (1.3 by default, ``PricingRules.road_factor``: a common assumption for urban circuity;
  measure yours from past routes);
- speed: vans at ``PricingRules.average_speed_kmh`` (25 km/h, an urban average with stops
  and traffic), electric cargo bikes at 15 km/h (our assumption: assisted up to the UK
  limit of 25 km/h, slowed by junctions and kerbs);
- cost per km of a vehicle type: ``PricingRules.cost_per_km`` plus its emission factor
  (``pricing/carbon.py``) times ``PricingRules.carbon_price_per_kg``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pricing.carbon import emission_factors
from pricing.geo import great_circle_km
from pricing.model import VEHICLES, GeoPoint
from pricing.routing.model import PlanSettings, VehicleProfile
from pricing.rules import PricingRules

CARGO_BIKE_SPEED_KMH = 15.0


def settings_from_rules(rules: PricingRules, **limits) -> PlanSettings:
    """Return plan settings with the retailer's travel and cost assumptions (limits by name)."""
    factors = emission_factors(rules.emission_factors)
    vehicles = tuple(
        VehicleProfile(
            vehicle=vehicle,
            speed_kmh=CARGO_BIKE_SPEED_KMH if vehicle == "cargo_bike" else rules.average_speed_kmh,
            cost_per_km=rules.cost_per_km + factors[vehicle] * rules.carbon_price_per_kg,
            kg_co2_per_km=factors[vehicle],
        )
        for vehicle in VEHICLES
    )
    return PlanSettings(
        vehicles=vehicles,
        road_factor=rules.road_factor,
        service_minutes=rules.service_minutes,
        driver_cost_per_hour=rules.driver_cost_per_hour,
        **limits,
    )


def road_km_matrix(points: Sequence[GeoPoint], road_factor: float) -> list[list[float]]:
    """Return the road km between every pair of points (0 on the diagonal).

    Stops repeat places (the what-if's stops are coarse cells, and a block of flats is one point),
    and haversine is symmetric to the last bit (its terms are squares and a product), so each pair
    of distinct places is measured once and copied: the very numbers of measuring every pair.
    """
    places = list(dict.fromkeys((point.lat, point.lon) for point in points))
    between = [[0.0] * len(places) for _ in places]
    for i, (a_lat, a_lon) in enumerate(places):
        row = between[i]
        for j in range(i + 1, len(places)):
            b_lat, b_lon = places[j]
            row[j] = between[j][i] = road_factor * great_circle_km(a_lat, a_lon, b_lat, b_lon)
    place = {latlon: index for index, latlon in enumerate(places)}
    rows = [place[(point.lat, point.lon)] for point in points]
    return [[between[r][c] if i != j else 0.0 for j, c in enumerate(rows)] for i, r in enumerate(rows)]
