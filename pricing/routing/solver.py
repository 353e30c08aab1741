"""plan_routes: one depot-day's vehicle routing problem solved with PyVRP (Wouda, Lan & Kool 2024).

A vehicle routing problem with time windows, a capacity in stops per vehicle, shifts and a
mixed fleet (one PyVRP vehicle type per fleet group, one routing profile per speed), solved
by PyVRP's iterated local search. The objective counts what the operator pays: per vehicle
type its cost per km (running cost and carbon price), and the driver's time over the route's
duration, waiting included. The search is bounded by iterations and by wall-clock seconds.

Both the app's route plans (on the job queue) and the simulator's day routes are made here.
PyVRP is imported only when a plan is made: pricing a window never needs it.
"""

from __future__ import annotations

import time

from pricing.routing.model import (
    PlannedVisit,
    PlanRequest,
    PlanSettings,
    RoutePlan,
    VehicleRoute,
)
from pricing.routing.travel import road_km_matrix

METRES_PER_KM = 1000
# The routing objective counts in thousandths of a minor unit, so per-metre and
# per-second costs stay whole numbers: 32.4p per km is 32 per metre.
COST_UNITS_PER_MINOR_UNIT = 1000
# An hour of driving costs about 1.5 million of those units, so the penalties for
# breaking a time window or a capacity must be allowed to grow well past PyVRP's
# default ceiling (1e5), or the search settles on an infeasible plan.
MAX_PENALTY = 1e9
# What routing a stop is worth when stops may be left out: far above what any detour
# within a day costs (1e10 units is £100,000), so a stop is dropped only when no vehicle
# can serve it within the windows, shifts and capacities.
STOP_PRIZE = 10**10


def plan_routes(request: PlanRequest) -> RoutePlan:
    """Plan the routes of one depot and day.

    :raises KeyError: a fleet group's vehicle type has no profile in the settings.
    """
    settings = request.settings
    if not request.stops or not request.fleet:
        unassigned = tuple(stop.id for stop in request.stops)
        return RoutePlan(request.depot, request.fleet, (), unassigned, not unassigned, settings)
    from pyvrp import PenaltyParams, SolveParams, solve

    started = time.perf_counter()
    data, km = _problem(request)
    params = SolveParams(penalty=PenaltyParams(max_penalty=MAX_PENALTY))
    best = None
    iterations = 0
    for run in range(max(1, settings.runs)):
        result = solve(
            data,
            _stop(settings, started),
            seed=settings.seed + 1000 * run,
            collect_stats=False,
            display=False,
            params=params,
        )
        iterations += result.num_iterations
        # One PyVRP run lands within several per cent of another run's cost: keep the
        # cheapest feasible of a few runs.
        candidate = (result.best.is_feasible(), -result.cost(), result.best)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    solution = best[2]
    routes = _routes(request, solution, km)
    planned = {visit.stop_id for route in routes for visit in route.visits}
    return RoutePlan(
        depot=request.depot,
        fleet=request.fleet,
        routes=routes,
        unassigned=tuple(stop.id for stop in request.stops if stop.id not in planned),
        feasible=solution.is_feasible(),
        settings=settings,
        iterations=iterations,
        solve_seconds=time.perf_counter() - started,
    )


def _stop(settings: PlanSettings, started: float):
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria

    iterations = MaxIterations(settings.max_iterations)
    if settings.max_seconds is None:
        return iterations
    # The budget covers every run and the building of the problem.
    left = max(0.05, settings.max_seconds - (time.perf_counter() - started)) / max(1, settings.runs)
    return MultipleCriteria([iterations, MaxRuntime(left)])


def _problem(request: PlanRequest):
    """Return PyVRP's problem data and the road km matrix (depot first, then the stops)."""
    import numpy as np
    from pyvrp import Model

    settings = request.settings
    model = Model()
    speeds = sorted({settings.profile(group.vehicle).speed_kmh for group in request.fleet})
    profiles = {speed: model.add_profile(name=f"{speed:g} km/h") for speed in speeds}
    depot_location = model.add_location(x=0, y=0)
    model.add_depot(depot_location)
    per_second = settings.driver_cost_per_hour * COST_UNITS_PER_MINOR_UNIT / 3600
    for group in request.fleet:
        vehicle = settings.profile(group.vehicle)
        model.add_vehicle_type(
            num_available=group.count,
            capacity=group.stops_per_vehicle,
            tw_early=group.shift_start_minute * 60,
            tw_late=group.shift_end_minute * 60,
            unit_distance_cost=round(vehicle.cost_per_km * COST_UNITS_PER_MINOR_UNIT / METRES_PER_KM),
            unit_duration_cost=round(per_second),
            profile=profiles[vehicle.speed_kmh],
            name=group.vehicle,
        )
    optional = {} if settings.required_stops else {"required": False, "prize": STOP_PRIZE}
    for index, stop in enumerate(request.stops):
        model.add_client(
            model.add_location(x=index + 1, y=0),
            delivery=1,
            service_duration=round(settings.service_minutes * 60),
            tw_early=stop.start_minute * 60,
            tw_late=stop.end_minute * 60,
            **optional,
        )
    km = road_km_matrix([request.depot, *(stop.point for stop in request.stops)], settings.road_factor)
    km_array = np.array(km, dtype=np.float64)
    distance = np.rint(km_array * METRES_PER_KM).astype(np.int64)
    # Every edge is given, so the matrices are set whole rather than edge by edge.
    durations = [np.rint(km_array / speed * 3600).astype(np.int64) for speed in speeds]
    data = model.data().replace(distance_matrices=[distance] * len(speeds), duration_matrices=durations)
    return data, km


def _routes(request: PlanRequest, solution, km) -> tuple[VehicleRoute, ...]:
    settings = request.settings
    built = []
    for route in solution.routes():
        group_index = route.vehicle_type()
        group = request.fleet[group_index]
        profile = settings.profile(group.vehicle)
        visits = []
        previous = 0
        for activity in route.schedule():
            if not activity.is_client():
                continue
            location = activity.idx + 1  # clients follow the depot in the matrix
            stop = request.stops[activity.idx]
            service_start = activity.start_time / 60
            visits.append(
                PlannedVisit(
                    stop_id=stop.id,
                    point=stop.point,
                    start_minute=stop.start_minute,
                    end_minute=stop.end_minute,
                    arrival_minute=(activity.start_time - activity.wait_duration) / 60,
                    service_start_minute=service_start,
                    departure_minute=activity.end_time / 60,
                    km_from_previous=km[previous][location],
                )
            )
            previous = location
        route_km = route.distance() / METRES_PER_KM
        built.append(
            VehicleRoute(
                vehicle=group.vehicle,
                group=group_index,
                number=0,
                capacity=group.stops_per_vehicle,
                shift_start_minute=group.shift_start_minute,
                shift_end_minute=group.shift_end_minute,
                start_minute=route.start_time() / 60,
                end_minute=route.end_time() / 60,
                duration_minutes=route.duration() / 60,
                visits=tuple(visits),
                km=route_km,
                co2_grams=round(route_km * profile.kg_co2_per_km * 1000),
            )
        )
    return _numbered(built)


def _numbered(routes: list[VehicleRoute]) -> tuple[VehicleRoute, ...]:
    """Number each group's routes 1, 2, ... by start time, and order them so."""
    from dataclasses import replace

    ordered = sorted(routes, key=lambda r: (r.group, r.start_minute, r.visits[0].stop_id if r.visits else ""))
    numbered, counts = [], {}
    for route in ordered:
        counts[route.group] = counts.get(route.group, 0) + 1
        numbered.append(replace(route, number=counts[route.group]))
    return tuple(numbered)
