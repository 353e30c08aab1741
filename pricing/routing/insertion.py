"""Insert one more stop into a route plan, with time feasibility: which van can really take it then.

For a window [a, b] the address x can go between two consecutive nodes i, j of a planned route
(the depot at either end) when

- the van, leaving i as planned, starts serving x within the window: s_x = max(dep_i + t(i,x), a)
  <= b (leaving the depot, the van may set off earlier, but not before its shift);
- what follows still keeps its windows and the shift: the delay it pushes onto j,
  max(s_x + service + t(x,j), window start of j) - s_j, is at most j's forward time slack
  (Savelsbergh 1992): the most j can be delayed with every later stop still in its window and
  the van back by its shift's end, F_j = min(l_j - s_j, w_next + F_next), waiting absorbing delay;
- the van has a place left (its capacity in stops).

The detour is d(i,x) + d(x,j) - d(i,j) road km; the minutes are what the route really grows by
(a delay absorbed by waiting further on costs no driver time). An unused vehicle on shift in the
window is a new route, depot to x and back. Among feasible insertions the cheapest by the plan's
own costs (the vehicle type's cost per km and the driver's time) is kept.

Distances here are on the engine's local plane (within 0.5% of the planner's great-circle km),
so the three legs of a detour are measured alike; times use the plan's speeds and service time.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import repeat

from pricing.geo import LocalPlane
from pricing.model import GeoPoint, WindowSpec
from pricing.routing.model import RoutePlan, VehicleRoute

Point = tuple[float, float]
EPSILON_MINUTES = 1e-6


@dataclass(frozen=True)
class PlanInsertion:
    """The cheapest time-feasible way to serve one more address in one window."""

    km: float  # road km the route grows by
    minutes: float  # driver minutes the route grows by (service included, waiting absorbed)
    vehicle: str
    kg_co2_per_km: float
    # Road km from the address to the nearer planned stop it is put beside (inf: beside the
    # depot only, i.e. a new route or one through no stop): how near a planned van passes.
    nearest_stop_km: float
    new_route: bool  # served by a vehicle the plan does not use yet
    # Of the minutes, those the van spends waiting for the window rather than driving or at the
    # door: near zero when the van passes then, hours when it must hang about for the window.
    idle_minutes: float = 0.0


@dataclass(frozen=True)
class _Route:
    """A planned route prepared for insertions: points, times and slacks per node."""

    vehicle: str
    points: tuple[Point, ...]  # depot, visits..., depot
    leg_km: tuple[float, ...]  # straight-line km of each leg
    # Per node but the last: when the van leaves it (the depot: its shift's start, the earliest
    # it may leave to take a stop before its first one).
    departures: tuple[float, ...]
    latest_starts: tuple[float, ...]  # per node but the first: latest service start (s + slack)
    starts: tuple[float, ...]  # per node: planned service start (arrival back, for the depot)
    window_starts: tuple[float, ...]  # per node: its window's start (0 for the depot)
    waits_after: tuple[float, ...]  # per node: waiting at the nodes after it, summed
    shift_start: float
    start: float
    minutes_per_km: float
    cost_per_km: float
    kg_co2_per_km: float
    room: bool


@dataclass(frozen=True)
class _Prepared:
    plane: LocalPlane
    routes: tuple[_Route, ...]
    # Per fleet group with a vehicle left at the depot: (vehicle type, shift start, shift end,
    # minutes per km, cost per km, kg CO2 per km).
    spare: tuple[tuple[str, int, int, float, float, float], ...]
    service: float
    road_factor: float
    driver_per_minute: float


def insert_into_plan(
    plan: RoutePlan, point: GeoPoint, windows: tuple[WindowSpec, ...]
) -> dict[str, PlanInsertion | None]:
    """Return, per window, the cheapest time-feasible insertion of the address (None: no van can)."""
    prepared = _prepared(plan)
    x = prepared.plane.project(point.lat, point.lon)
    to_x = [list(map(math.dist, repeat(x), route.points)) for route in prepared.routes]
    depot_km = math.dist(x, (0.0, 0.0))
    return {
        window.key: _best_in_window(prepared, to_x, depot_km, window.start_minute, window.end_minute)
        for window in windows
    }


def _best_in_window(prepared: _Prepared, to_x, depot_km: float, start: float, end: float):
    rf, service = prepared.road_factor, prepared.service
    best, best_cost = None, math.inf
    for route, distances in zip(prepared.routes, to_x, strict=True):
        if not route.room:
            continue
        # Legs i -> i+1 worth trying: the van leaves i by the window's end, and i+1 may still
        # start as late as the window's start (both sequences grow along the route).
        first = bisect_left(route.latest_starts, start)
        last = bisect_right(route.departures, end)
        for i in range(first, last):
            km_in, km_out = distances[i] * rf, distances[i + 1] * rf
            travel_in = km_in * route.minutes_per_km
            if i == 0:  # leaving the depot: set off just in time, never before the shift
                served = max(start, route.shift_start + travel_in)
                earlier_start = route.start - (served - travel_in)  # negative: it leaves later
            else:
                served = max(start, route.departures[i] + travel_in)
                earlier_start = 0.0
            if served > end + EPSILON_MINUTES:
                continue
            arrival = served + service + km_out * route.minutes_per_km
            delay = max(0.0, max(arrival, route.window_starts[i + 1]) - route.starts[i + 1])
            if delay > route.latest_starts[i] - route.starts[i + 1] + EPSILON_MINUTES:
                continue
            km = max(0.0, km_in + km_out - route.leg_km[i] * rf)
            minutes = max(0.0, max(0.0, delay - route.waits_after[i + 1]) + earlier_start)
            cost = km * route.cost_per_km + minutes * prepared.driver_per_minute
            if cost < best_cost:
                beside = [d for node, d in ((i, km_in), (i + 1, km_out)) if 0 < node < len(route.points) - 1]
                best_cost = cost
                best = PlanInsertion(
                    km=km,
                    minutes=minutes,
                    vehicle=route.vehicle,
                    kg_co2_per_km=route.kg_co2_per_km,
                    nearest_stop_km=min(beside, default=math.inf),
                    new_route=False,
                    idle_minutes=max(0.0, minutes - km * route.minutes_per_km - service),
                )
    return _new_route(prepared, depot_km, start, end, best, best_cost)


def _new_route(prepared: _Prepared, depot_km, start, end, best, best_cost):
    """Return the better of the best insertion and a new route by an unused vehicle on shift."""
    rf = prepared.road_factor
    for vehicle, shift_start, shift_end, minutes_per_km, cost_per_km, kg in prepared.spare:
        drive = depot_km * rf * minutes_per_km
        served = max(start, shift_start + drive)
        if served > end + EPSILON_MINUTES or served + prepared.service + drive > shift_end + EPSILON_MINUTES:
            continue
        km = 2 * depot_km * rf
        minutes = 2 * drive + prepared.service
        cost = km * cost_per_km + minutes * prepared.driver_per_minute
        if cost < best_cost:
            best_cost = cost
            best = PlanInsertion(km, minutes, vehicle, kg, math.inf, True)
    return best


_CACHE: dict[int, tuple[RoutePlan, _Prepared]] = {}
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()  # quotes are priced on several threads of one process


def _prepared(plan: RoutePlan) -> _Prepared:
    """Prepare a plan once (kept by identity: a caller reuses the plan object between quotes)."""
    cached = _CACHE.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    prepared = _prepare(plan)
    with _CACHE_LOCK:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[id(plan)] = (plan, prepared)  # the plan is held, so its id is not reused meanwhile
    return prepared


def _prepare(plan: RoutePlan) -> _Prepared:
    settings = plan.settings
    plane = LocalPlane(plan.depot.lat, plan.depot.lon)
    routes = tuple(_prepare_route(plane, route, settings) for route in plan.routes if route.visits)
    used: dict[int, int] = {}
    for route in plan.routes:
        used[route.group] = used.get(route.group, 0) + 1
    return _Prepared(
        plane=plane,
        routes=routes,
        spare=tuple(_spare_vehicles(plan, used)),
        service=settings.service_minutes,
        road_factor=settings.road_factor,
        driver_per_minute=settings.driver_cost_per_hour / 60,
    )


def _spare_vehicles(plan: RoutePlan, used: dict[int, int]):
    """Yield one entry per fleet group with a vehicle the plan leaves at the depot."""
    for index, group in enumerate(plan.fleet):
        if used.get(index, 0) < group.count:
            profile = plan.settings.profile(group.vehicle)
            yield (
                group.vehicle,
                group.shift_start_minute,
                group.shift_end_minute,
                60 / profile.speed_kmh,
                profile.cost_per_km,
                profile.kg_co2_per_km,
            )


def _prepare_route(plane: LocalPlane, route: VehicleRoute, settings) -> _Route:
    profile = settings.profile(route.vehicle)
    visits = route.visits
    points = ((0.0, 0.0), *(plane.project(v.point.lat, v.point.lon) for v in visits), (0.0, 0.0))
    starts = (route.start_minute, *(v.service_start_minute for v in visits), route.end_minute)
    window_starts = (0.0, *(float(v.start_minute) for v in visits), 0.0)
    waits = (0.0, *(v.service_start_minute - v.arrival_minute for v in visits), 0.0)
    # Forward slack from the end: the van must be back by its shift's end.
    slack = [0.0] * len(points)
    slack[-1] = max(0.0, route.shift_end_minute - route.end_minute)
    for k in range(len(points) - 2, 0, -1):
        slack[k] = max(0.0, min(visits[k - 1].end_minute - starts[k], waits[k + 1] + slack[k + 1]))
    waits_after = [0.0] * len(points)
    for k in range(len(points) - 2, -1, -1):
        waits_after[k] = waits_after[k + 1] + waits[k + 1]
    return _Route(
        vehicle=route.vehicle,
        points=points,
        leg_km=tuple(map(math.dist, points, points[1:])),
        departures=(float(route.shift_start_minute), *(v.departure_minute for v in visits)),
        latest_starts=tuple(starts[k] + slack[k] for k in range(1, len(points))),
        starts=starts,
        window_starts=window_starts,
        waits_after=tuple(waits_after),
        shift_start=float(route.shift_start_minute),
        start=route.start_minute,
        minutes_per_km=60 / profile.speed_kmh,
        cost_per_km=profile.cost_per_km,
        kg_co2_per_km=profile.kg_co2_per_km,
        room=len(visits) < route.capacity,
    )
