"""Route one day's booked stops with a real VRP solver (PyVRP): time windows, capacity, depot.

PyVRP is needed by the simulator only (the `sim` extra); the engine never imports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pricing.geo import great_circle_km
from pricing.model import GeoPoint, VehicleGroup, WindowSpec

METRES_PER_KM = 1000
# A van's fixed cost per day in the routing objective, as metres of driving: the solver
# uses another van only when it saves more than this much driving.
VAN_FIXED_COST_METRES = 20_000


@dataclass(frozen=True)
class DayRoutes:
    """What the day's routes cost."""

    km: float
    vans_used: int
    driver_hours: float  # route durations, waiting included: drivers are paid for it
    feasible: bool


def route_day(
    depot: GeoPoint,
    stops: Sequence[tuple[GeoPoint, WindowSpec]],
    fleet: Sequence[VehicleGroup],
    road_factor: float,
    speed_kmh: float,
    service_minutes: float,
    iterations: int,
    seed: int,
) -> DayRoutes:
    """Solve the vehicle routing problem of one day and return its totals."""
    from pyvrp import Model
    from pyvrp.stop import MaxIterations

    if not stops:
        return DayRoutes(km=0.0, vans_used=0, driver_hours=0.0, feasible=True)
    model = Model()
    depot_location = model.add_location(x=0, y=0)
    model.add_depot(depot_location)
    for group in fleet:
        model.add_vehicle_type(
            num_available=group.count,
            capacity=group.stops_per_vehicle,
            fixed_cost=VAN_FIXED_COST_METRES,
            tw_early=group.shift_start_minute * 60,
            tw_late=group.shift_end_minute * 60,
            name=group.vehicle,
        )
    locations = [depot_location]
    points = [depot]
    for index, (point, window) in enumerate(stops):
        location = model.add_location(x=index + 1, y=0)
        model.add_client(
            location,
            delivery=1,
            service_duration=round(service_minutes * 60),
            tw_early=window.start_minute * 60,
            tw_late=window.end_minute * 60,
        )
        locations.append(location)
        points.append(point)
    for i, a in enumerate(points):
        for j, b in enumerate(points):
            km = road_factor * great_circle_km(a.lat, a.lon, b.lat, b.lon) if i != j else 0.0
            model.add_edge(
                locations[i],
                locations[j],
                distance=round(km * METRES_PER_KM),
                duration=round(km / speed_kmh * 3600),
            )
    result = model.solve(MaxIterations(iterations), seed=seed, display=False)
    solution = result.best
    routes = solution.routes()
    return DayRoutes(
        km=solution.distance() / METRES_PER_KM,
        vans_used=len(routes),
        driver_hours=sum(route.duration() for route in routes) / 3600,
        feasible=solution.is_feasible(),
    )
