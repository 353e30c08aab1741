"""Route one day's booked stops with the route planner (pricing.routing, PyVRP): windows, capacity, depot.

The router minimises what the simulator's contribution counts: per vehicle type, its
running and carbon cost per km, and the driver's time (route duration, waiting included).
Every policy is routed with the same fleet, costs, iterations and seed. The app's route
plans come from the same planner (``pricing/routing/solver.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pricing.carbon import DEFAULT_EMISSION_FACTORS
from pricing.geo import great_circle_km
from pricing.model import GeoPoint, VehicleGroup, WindowSpec
from pricing.routing import PlanRequest, PlanSettings, PlanStop, VehicleProfile, plan_routes


@dataclass(frozen=True)
class VehicleCosts:
    """What one vehicle type costs to run, as the simulated operator counts it."""

    per_km: float  # minor units: energy, tyres, maintenance and the carbon price
    speed_kmh: float


@dataclass(frozen=True)
class DayRoutes:
    """What the day's routes drove, by vehicle type."""

    km: Mapping[str, float]  # vehicle type -> km driven
    vehicles_used: int
    driver_hours: float  # route durations, waiting included: drivers are paid for it
    feasible: bool
    # Per stop, in the order given: the road km its route would drive less without it
    # (d(before, it) + d(it, after) - d(before, after)), the planner's own marginal km.
    removal_km: tuple[float, ...] = ()


def route_day(
    depot: GeoPoint,
    stops: Sequence[tuple[GeoPoint, WindowSpec]],
    fleet: Sequence[VehicleGroup],
    costs: Mapping[str, VehicleCosts],
    driver_cost_per_hour: float,
    road_factor: float,
    service_minutes: float,
    iterations: int,
    seed: int,
    runs: int = 1,
) -> DayRoutes:
    """Solve the vehicle routing problem of one day (pricing.routing) and return its totals."""
    settings = PlanSettings(
        vehicles=tuple(
            VehicleProfile(vehicle, cost.speed_kmh, cost.per_km, DEFAULT_EMISSION_FACTORS.get(vehicle, 0.0))
            for vehicle, cost in costs.items()
        ),
        road_factor=road_factor,
        service_minutes=service_minutes,
        driver_cost_per_hour=driver_cost_per_hour,
        max_iterations=iterations,
        max_seconds=None,  # iterations only: every policy gets the same, reproducible search
        runs=runs,
        seed=seed,
        required_stops=True,  # a stop the fleet cannot serve shows as an infeasible day
    )
    plan = plan_routes(
        PlanRequest(
            depot=depot,
            fleet=tuple(fleet),
            stops=tuple(
                PlanStop(str(index), point, window.start_minute, window.end_minute)
                for index, (point, window) in enumerate(stops)
            ),
            settings=settings,
        )
    )
    km: dict[str, float] = {}
    removal = [0.0] * len(stops)
    for route in plan.routes:
        km[route.vehicle] = km.get(route.vehicle, 0.0) + route.km
        points = [depot, *(visit.point for visit in route.visits), depot]
        legs = [
            road_factor * great_circle_km(a.lat, a.lon, b.lat, b.lon)
            for a, b in zip(points, points[1:], strict=False)
        ]
        for k, visit in enumerate(route.visits):
            before, after = points[k], points[k + 2]
            shortcut = road_factor * great_circle_km(before.lat, before.lon, after.lat, after.lon)
            removal[int(visit.stop_id)] = legs[k] + legs[k + 1] - shortcut
    return DayRoutes(
        km=km,
        vehicles_used=len(plan.routes),
        driver_hours=sum(route.duration_minutes for route in plan.routes) / 60,
        feasible=plan.feasible,
        removal_km=tuple(removal),
    )
