"""Marginal costs from the depot-day's planned routes, when there is a plan.

The engine's projection (``density.py``) guesses the routes from nearest-neighbour tours; a
plan (``pricing.routing``) says which van passes where and when. With a plan, per window:

- the known-route insertion is the cheapest time-feasible insertion into the planned routes
  (``routing/insertion.py``): a van that really passes in that window, with room and slack;
  its km, its minutes (the driver time the route really grows by) and its vehicle's emission
  factor price the window;
- the continuous approximation of the projection still stands for the bookings to come
  (forecast stops), and the cheaper of the two (km and driver minutes at the rules' costs)
  is kept, as the smaller km is without a plan;
- where no planned van can take the address in the window, and no vehicle is free, the
  approximation or a return trip from the depot (the smaller) prices it, and it is not green;
- only an insertion beside a planned stop, by a van that waits at most
  ``PASSING_IDLE_MINUTES`` for the window, can make a window green: a van passes near then
  (a van that would hang about for an hour to meet the window is not passing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pricing.density import Insertion, ZoneProjection
from pricing.geo import plane_km
from pricing.model import GeoPoint, WindowSpec
from pricing.routing.insertion import insert_into_plan
from pricing.routing.model import RoutePlan
from pricing.rules import PricingRules

PASSING_IDLE_MINUTES = 15.0


@dataclass(frozen=True)
class PlannedCost:
    """One window's insertion against the plan, and what replaces the engine's own estimates."""

    insertion: Insertion
    minutes: float | None  # driver minutes from the plan; None: km / speed + service, as usual
    emission_factor: float | None  # kg CO2e per km of the van that takes it; None: the window's mix


def planned_costs(
    plan: RoutePlan,
    shopper: GeoPoint,
    windows: tuple[WindowSpec, ...],
    projection: ZoneProjection,
    rules: PricingRules,
) -> dict[str, PlannedCost]:
    """Return, per window, the insertion of the shopper's address priced against the plan."""
    inserted = insert_into_plan(plan, shopper, windows)
    address = projection.plane.project(shopper.lat, shopper.lon)
    depot_round_trip = 2 * rules.road_factor * plane_km((0.0, 0.0), address)
    per_minute = rules.driver_cost_per_hour / 60
    costs = {}
    for window in windows:
        approx = projection.routes[window.key].approx_insertion_km
        found = inserted[window.key]
        if found is None:
            costs[window.key] = PlannedCost(
                Insertion(min(approx, depot_round_trip), math.inf, math.inf, 0), None, None
            )
            continue
        passing = math.isfinite(found.nearest_stop_km) and found.idle_minutes <= PASSING_IDLE_MINUTES
        plan_cost = found.km * rules.cost_per_km + found.minutes * per_minute
        approx_minutes = approx / rules.average_speed_kmh * 60 + rules.service_minutes
        from_plan = plan_cost <= approx * rules.cost_per_km + approx_minutes * per_minute
        insertion = Insertion(
            marginal_km=found.km if from_plan else approx,
            known_route_km=found.km,
            nearest_stop_km=found.nearest_stop_km,
            known_stops=1 if passing else 0,
        )
        if from_plan:
            costs[window.key] = PlannedCost(insertion, found.minutes, found.kg_co2_per_km)
        else:
            costs[window.key] = PlannedCost(insertion, None, None)
    return costs
