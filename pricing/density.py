"""Route density projection for one zone and day, and cheapest insertion of a new address.

Two estimates of the extra road km an address adds in a window, and the engine keeps the
smaller:

- known routes: a nearest-neighbour tour from the depot through every stop already booked
  in a window that lies within this one (a wide window may be served by any van passing
  within it; a stop booked for a wide window promises no van in any one hour of it), and
  the cheapest insertion of the address into that tour;
- continuous approximation (Beardwood, Halton & Hammersley 1959; Daganzo 1984): with N
  stops spread over a zone of area A a tour is about k * sqrt(N * A) long, so one more
  stop adds about k / 2 * sqrt(A / N). N counts the booked stops plus the forecast ones
  ("ghost" stops) expected to be served within the window. It speaks for the bookings
  still to come, which is most of them early in the day.

All distances are straight-line km on a local plane times the road factor.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

from pricing.geo import LocalPlane, plane_km
from pricing.model import BookedStop, GeoPoint, WindowSpec

# Asymptotic constant of the Euclidean travelling salesman tour (BHH), as refined by
# Applegate, Bixby, Chvatal & Cook; Daganzo (1984) uses the same form for zones.
TOUR_CONSTANT = 0.7124
MIN_BOOKINGS_TO_MEASURE_ZONE = 5

Point = tuple[float, float]


@dataclass(frozen=True)
class WindowRoute:
    """The projected route of one window, independent of the shopper."""

    key: str
    tour: tuple[Point, ...]  # closed: starts and ends at the depot
    leg_km: tuple[float, ...]  # straight-line km of each tour leg, kept for every quote
    known_stops: int
    expected_stops: float
    approx_insertion_km: float  # continuous approximation; inf when under one stop expected


@dataclass(frozen=True)
class ZoneProjection:
    """Projected routes of every window of one zone and day."""

    plane: LocalPlane
    routes: Mapping[str, WindowRoute]
    zone_radius_km: float
    typical_insertion_km: float


@dataclass(frozen=True)
class Insertion:
    """What serving one address in one window adds."""

    marginal_km: float
    known_route_km: float  # insertion into the known route only
    nearest_stop_km: float  # road km to the nearest stop already booked then; inf if none
    known_stops: int


def default_forecast(
    windows: Sequence[WindowSpec], forecast_fill: float, appeal: Mapping[str, float]
) -> dict[str, float]:
    """Return expected further bookings per window when the caller has no forecast.

    The total is a share of the places left; it is spread over the windows with places
    left in proportion to their appeal (the choice model's weight at base prices), so
    popular windows are expected to fill first, as they do. No window is expected to take
    more than its places left: what would overflow goes to the others, by appeal.
    """
    open_windows = [w for w in windows if w.remaining > 0 and appeal[w.key] > 0]
    forecast = {w.key: 0.0 for w in windows}
    total = forecast_fill * sum(w.remaining for w in open_windows)
    while open_windows and total > 1e-9:
        weight = sum(appeal[w.key] for w in open_windows)
        full = [w for w in open_windows if total * appeal[w.key] / weight >= w.remaining]
        if not full:
            for w in open_windows:
                forecast[w.key] = total * appeal[w.key] / weight
            break
        for w in full:
            forecast[w.key] = float(w.remaining)
            total -= w.remaining
        open_windows = [w for w in open_windows if w not in full]
    return forecast


def project_zone(
    depot: GeoPoint,
    windows: tuple[WindowSpec, ...],
    bookings: tuple[BookedStop, ...],
    forecast: tuple[tuple[str, float], ...],
    centroid: GeoPoint | None,
    road_factor: float,
    fallback_radius_km: float,
    depot_bookings: tuple[BookedStop, ...] = (),
    stops_per_vehicle: float | None = None,
) -> ZoneProjection:
    """Project the routes of every window of one zone and day (cached: quotes repeat).

    `depot_bookings` (the depot's other zones) join the known tours only. With
    `stops_per_vehicle` (the fleet's mean stops per vehicle) the continuous approximation
    counts the stops one vehicle serves in the window, not the whole zone's: a zone whose
    day needs V vehicles has them share its stops, so each route is about V times sparser.
    """
    return _project_zone(
        depot,
        windows,
        bookings,
        forecast,
        centroid,
        road_factor,
        fallback_radius_km,
        depot_bookings,
        stops_per_vehicle,
    )


@lru_cache(maxsize=256)
def _project_zone(
    depot,
    windows,
    bookings,
    forecast,
    centroid,
    road_factor,
    fallback_radius_km,
    depot_bookings=(),
    stops_per_vehicle=None,
):
    plane = LocalPlane(depot.lat, depot.lon)
    depot_xy = (0.0, 0.0)
    by_key = {w.key: w for w in windows}
    # Stops of windows not on offer today cannot be placed.
    own = [
        (plane.project(b.point.lat, b.point.lon), b.window_key) for b in bookings if b.window_key in by_key
    ]
    # Points by booked window key, the zone's and the depot's other zones' together: a
    # window's known tour takes every group whose window overlaps it. (The tour sorts its
    # stops first, so the order they are gathered in does not matter.)
    points_by_key: dict[str, list[Point]] = {}
    for xy, key in own:
        points_by_key.setdefault(key, []).append(xy)
    for b in depot_bookings:
        if b.window_key in by_key:
            points_by_key.setdefault(b.window_key, []).append(plane.project(b.point.lat, b.point.lon))
    own_keys = [key for _, key in own]
    radius = _zone_radius_km(plane, centroid, [xy for xy, _ in own], fallback_radius_km)
    area = math.pi * radius * radius
    expected_further = dict(forecast)
    further = [expected_further.get(other.key, 0.0) for other in windows]
    vehicles = 1.0
    if stops_per_vehicle:
        # Vehicles the zone's day needs: its booked and expected stops over a vehicle's load.
        vehicles = max(1.0, (len(own) + sum(expected_further.values())) / stops_per_vehicle)
    # Per window, the chance a stop of each window is served within it (its overlap over
    # the other window's width), worked out once per row and used three times below.
    starts = [w.start_minute for w in windows]
    ends = [w.end_minute for w in windows]
    widths = [max(1, w.width_minutes) for w in windows]
    last_index = {w.key: i for i, w in enumerate(windows)}  # by_key keeps the last of a key
    routes = {}
    for window in windows:
        start, end = window.start_minute, window.end_minute
        shares = [
            max(0, min(end, e) - max(start, s)) / width
            for s, e, width in zip(starts, ends, widths, strict=True)
        ]
        # A known stop passes for this window's route only if its own window lies within
        # this one: a stop booked 08:00-12:00 may be served at 11:30, so it promises no van
        # at 08:00-09:00, while every stop of 09:00-10:00 is served within 08:00-12:00.
        known = [
            xy for key, points in points_by_key.items() if shares[last_index[key]] >= 1.0 for xy in points
        ]
        # Summed stop by stop in booking order, so the float sum is the one the plain
        # per-stop loop made.
        share_of = {key: shares[i] for key, i in last_index.items()}
        expected = sum(map(share_of.__getitem__, own_keys))
        expected += sum([f * share for f, share in zip(further, shares, strict=True)])
        per_vehicle = max(1.0, expected / vehicles)
        approx = math.inf
        if expected >= 1:
            approx = road_factor * TOUR_CONSTANT / 2 * math.sqrt(area / per_vehicle)
        tour = _nearest_neighbour_tour(depot_xy, known)
        routes[window.key] = WindowRoute(
            key=window.key,
            tour=tour,
            leg_km=tuple(map(math.dist, tour, tour[1:])),
            known_stops=len(known),
            expected_stops=expected,
            approx_insertion_km=approx,
        )
    finite = [r.approx_insertion_km for r in routes.values() if math.isfinite(r.approx_insertion_km)]
    # With no density anywhere a typical stop is a return trip to the zone's edge.
    typical = statistics.median(finite) if finite else 2 * radius * road_factor
    return ZoneProjection(plane=plane, routes=routes, zone_radius_km=radius, typical_insertion_km=typical)


def insert_address(projection: ZoneProjection, shopper: GeoPoint, road_factor: float) -> dict[str, Insertion]:
    """Return, per window, the cheapest insertion of the shopper's address."""
    x = projection.plane.project(shopper.lat, shopper.lon)
    result = {}
    for key, route in projection.routes.items():
        detour, nearest = _insertion_and_nearest(route, x)
        known_km = road_factor * detour
        result[key] = Insertion(
            marginal_km=min(known_km, route.approx_insertion_km),
            known_route_km=known_km,
            nearest_stop_km=road_factor * nearest if route.known_stops else math.inf,
            known_stops=route.known_stops,
        )
    return result


def _insertion_and_nearest(route: WindowRoute, x: Point) -> tuple[float, float]:
    """Return cheapest_insertion_km(route.tour, x) and the km to the nearest stop (inf if none).

    The same sums as cheapest_insertion_km, but each distance from x is taken once (every
    tour point ends two legs) and the legs come from the projection.
    """
    to_x = list(map(math.dist, repeat(x), route.tour))  # the plane_km of each tour point
    best = min([to_x[i] + to_x[i + 1] - leg for i, leg in enumerate(route.leg_km)], default=math.inf)
    return max(0.0, best), min(to_x[1:-1], default=math.inf)


def cheapest_insertion_km(tour: Sequence[Point], x: Point) -> float:
    """Return the least detour, in straight-line km, to visit x between two tour neighbours."""
    best = math.inf
    for a, b in zip(tour, tour[1:], strict=False):
        best = min(best, plane_km(a, x) + plane_km(x, b) - plane_km(a, b))
    return max(0.0, best)


def _nearest_neighbour_tour(depot: Point, stops: list[Point]) -> tuple[Point, ...]:
    """Build a closed tour from the depot, always driving to the nearest unvisited stop."""
    tour = [depot]
    # Sorting first makes ties break the same way whatever order bookings arrive in.
    remaining = sorted(stops)
    here = depot
    while remaining:
        # math.dist gives the very floats of plane_km's math.hypot (CPython computes both
        # with one norm routine), here in one C loop; index() takes the first nearest
        # stop, as min(range, key) did.
        distances = list(map(math.dist, repeat(here), remaining))
        here = remaining.pop(distances.index(min(distances)))
        tour.append(here)
    tour.append(depot)
    return tuple(tour)


def _zone_radius_km(
    plane: LocalPlane, centroid: GeoPoint | None, stops: list[Point], fallback_km: float
) -> float:
    """Measure the zone's radius from its bookings' spread, or use the fallback."""
    if len(stops) < MIN_BOOKINGS_TO_MEASURE_ZONE:
        return fallback_km
    if centroid is not None:
        centre = plane.project(centroid.lat, centroid.lon)
    else:
        centre = (
            sum(p[0] for p in stops) / len(stops),
            sum(p[1] for p in stops) / len(stops),
        )
    # For points spread evenly over a disc, the root mean square distance is radius / sqrt(2).
    rms = math.sqrt(sum(plane_km(p, centre) ** 2 for p in stops) / len(stops))
    return min(20.0, max(0.5, rms * math.sqrt(2)))
