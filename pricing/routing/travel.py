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
    """Return the road km between every pair of points (0 on the diagonal)."""
    return [
        [
            road_factor * great_circle_km(a.lat, a.lon, b.lat, b.lon) if i != j else 0.0
            for j, b in enumerate(points)
        ]
        for i, a in enumerate(points)
    ]
