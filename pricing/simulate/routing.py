"""Route one day's booked stops with a real VRP solver (PyVRP): time windows, capacity, depot.

The router minimises what the simulator's contribution counts: per vehicle type, its
running and carbon cost per km, and the driver's time (route duration, waiting included).
Every policy is routed with the same fleet, costs, iterations and seed.

PyVRP is needed by the simulator only (the `sim` extra); the engine never imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pricing.geo import great_circle_km
from pricing.model import GeoPoint, VehicleGroup, WindowSpec

METRES_PER_KM = 1000
# The routing objective counts in thousandths of a minor unit, so per-metre and
# per-second costs stay whole numbers: 32.4p per km is 32 per metre.
COST_UNITS_PER_MINOR_UNIT = 1000
# An hour of driving costs about 1.5 million of those units, so the penalties for
# breaking a time window or a capacity must be allowed to grow well past PyVRP's
# default ceiling (1e5), or the search settles on an infeasible plan.
MAX_PENALTY = 1e9


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
    """Solve the vehicle routing problem of one day and return its totals."""
    from pyvrp import Model, PenaltyParams, SolveParams
    from pyvrp.stop import MaxIterations

    if not stops:
        return DayRoutes(km={}, vehicles_used=0, driver_hours=0.0, feasible=True)
    model = Model()
    speeds = sorted({costs[group.vehicle].speed_kmh for group in fleet})
    profiles = {speed: model.add_profile(name=f"{speed:g} km/h") for speed in speeds}
    depot_location = model.add_location(x=0, y=0)
    model.add_depot(depot_location)
    per_second = driver_cost_per_hour * COST_UNITS_PER_MINOR_UNIT / 3600
    for group in fleet:
        vehicle = costs[group.vehicle]
        model.add_vehicle_type(
            num_available=group.count,
            capacity=group.stops_per_vehicle,
            tw_early=group.shift_start_minute * 60,
            tw_late=group.shift_end_minute * 60,
            unit_distance_cost=round(vehicle.per_km * COST_UNITS_PER_MINOR_UNIT / METRES_PER_KM),
            unit_duration_cost=round(per_second),
            profile=profiles[vehicle.speed_kmh],
            name=group.vehicle,
        )
    locations = [depot_location]
    points = [depot]
    road_km: list[list[float]] = []
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
        road_km.append([])
        for j, b in enumerate(points):
            km = road_factor * great_circle_km(a.lat, a.lon, b.lat, b.lon) if i != j else 0.0
            road_km[i].append(km)
            for speed, profile in profiles.items():
                model.add_edge(
                    locations[i],
                    locations[j],
                    distance=round(km * METRES_PER_KM),
                    duration=round(km / speed * 3600),
                    profile=profile,
                )
    params = SolveParams(penalty=PenaltyParams(max_penalty=MAX_PENALTY))
    # One PyVRP run at this size lands within several per cent of another run's cost, which
    # is as large as the effects being measured: keep the cheapest feasible of a few runs.
    solution = None
    for run in range(max(1, runs)):
        result = model.solve(MaxIterations(iterations), seed=seed + 1000 * run, display=False, params=params)
        best = result.best
        if solution is None or (best.is_feasible(), -result.cost()) > (solution[0], -solution[1]):
            solution = (best.is_feasible(), result.cost(), best)
    solution = solution[2]
    routes = solution.routes()
    km: dict[str, float] = {}
    removal = [0.0] * len(stops)
    for route in routes:
        vehicle = fleet[route.vehicle_type()].vehicle
        km[vehicle] = km.get(vehicle, 0.0) + route.distance() / METRES_PER_KM
        # Client activities name the client's index (0-based, in the order added); the
        # route leaves from and returns to the depot (location 0).
        visits = [0, *(activity.idx + 1 for activity in route.schedule() if activity.is_client()), 0]
        for before, stop, after in zip(visits, visits[1:], visits[2:], strict=False):
            removal[stop - 1] = road_km[before][stop] + road_km[stop][after] - road_km[before][after]
    return DayRoutes(
        km=km,
        vehicles_used=len(routes),
        driver_hours=sum(route.duration() for route in routes) / 3600,
        feasible=solution.is_feasible(),
        removal_km=tuple(removal),
    )
