"""A reproducible synthetic city: one depot, touching zones of clustered streets, windows, a fleet.

Realism choices, each from how a grocer's depot works rather than from any result:

- Zones tile the ground like postcode districts: regular hexagons of the same area as a
  disc of `zone_radius_km`, side by side, the cluster's middle `zone_distance_km` from a
  depot on the edge of the area it serves (like the demo's Park Royal and Barking). Before,
  the zones were discs 8.7 km apart that touched nothing, so no van could ever pass from
  one zone's street into the next one's.
- Drivers work shifts: an early and a late shift per van (07:30-14:30, 14:00-21:00, within
  the GB domestic drivers' hours limit of 11 hours on duty a day) and two rider shifts per
  cargo bike (08:00-13:00, 13:00-18:00), each shift one load from the depot. Before, one
  driver per van was on shift 07:30-21:00 (13.5 hours) and every vehicle carried one load
  a day, so the fleet could carry 186 orders against 342 places for sale: every vehicle
  left the depot full every day whatever the prices, and the places on sale were a
  promise the vans could not keep. Now the fleet carries 372, about the 342 places on sale.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from pricing.geo import EARTH_RADIUS_KM
from pricing.model import GeoPoint, VehicleGroup, WindowSpec

DEPOT = GeoPoint(51.500, -0.100)


@dataclass(frozen=True)
class SimConfig:
    """Size of one simulation run."""

    seed: int = 7
    days: int = 5
    zones: int = 3
    shoppers_per_zone_day: int = 60
    zone_radius_km: float = 2.0  # a zone is a hexagon of the area of a disc of this radius
    zone_distance_km: float = 5.0  # from the depot to the middle of the cluster of zones
    neighbourhoods_per_zone: int = 8
    # A mixed fleet like the demo retailer's depots: electric and diesel vans, electric
    # cargo bikes. Every policy is routed with the same one. A vehicle works each of its
    # shifts (start, end minute) with its own driver and one load of stops.
    electric_vans: int = 3
    diesel_vans: int = 2
    stops_per_van: int = 30
    van_shifts: tuple[tuple[int, int], ...] = ((7 * 60 + 30, 14 * 60 + 30), (14 * 60, 21 * 60))
    cargo_bikes: int = 3
    stops_per_bike: int = 12
    bike_shifts: tuple[tuple[int, int], ...] = ((8 * 60, 13 * 60), (13 * 60, 18 * 60))
    routing_iterations: int = 1500  # PyVRP iterations per run; iterations keep runs reproducible
    routing_runs: int = 3  # PyVRP runs (seeds) per day; the cheapest feasible plan is kept

    def fleet_description(self) -> str:
        return (
            f"{self.electric_vans} electric vans, {self.diesel_vans} diesel vans "
            f"({len(self.van_shifts)} shifts), "
            f"{self.cargo_bikes} cargo bikes ({len(self.bike_shifts)} shifts)"
        )


@dataclass(frozen=True)
class Zone:
    """A delivery zone: its centre and the centres of its neighbourhoods."""

    code: str
    centre: GeoPoint
    neighbourhoods: tuple[GeoPoint, ...]
    side_km: float  # the zone is a regular hexagon (pointy top) of this side around its centre


def offset(point: GeoPoint, east_km: float, north_km: float) -> GeoPoint:
    """Return the point a given distance east and north of another."""
    km_per_degree = math.radians(1.0) * EARTH_RADIUS_KM
    return GeoPoint(
        point.lat + north_km / km_per_degree,
        point.lon + east_km / (km_per_degree * math.cos(math.radians(point.lat))),
    )


def build_zones(config: SimConfig, rng: random.Random) -> tuple[Zone, ...]:
    """Place touching hexagonal zones beside the depot, each with a few dense neighbourhoods."""
    side = hexagon_side_km(config.zone_radius_km)
    cells = _cluster_cells(config.zones, side)
    angle = 0.4
    middle_east = config.zone_distance_km * math.cos(angle)
    middle_north = config.zone_distance_km * math.sin(angle)
    zones = []
    for index, (east, north) in enumerate(cells):
        centre = offset(DEPOT, middle_east + east, middle_north + north)
        neighbourhoods = tuple(
            offset(centre, *_uniform_in_hexagon(rng, 0.8 * side))
            for _ in range(config.neighbourhoods_per_zone)
        )
        zones.append(Zone(code=f"Z{index + 1}", centre=centre, neighbourhoods=neighbourhoods, side_km=side))
    return tuple(zones)


def hexagon_side_km(equal_area_radius_km: float) -> float:
    """Return the side of the regular hexagon whose area is that of a disc of this radius."""
    return equal_area_radius_km * math.sqrt(2 * math.pi / (3 * math.sqrt(3)))


def _cluster_cells(count: int, side: float) -> list[tuple[float, float]]:
    """Return the centres (east, north km) of `count` hexagons that touch, around their middle.

    Pointy-top hexagons on axial coordinates; the cells nearest the corner that three of
    them share come first, so three zones each touch the other two.
    """
    corner = (math.sqrt(3) * side / 2, side / 2)
    reach = 2 + math.isqrt(max(1, count))
    cells = []
    for q in range(-reach, reach + 1):
        for r in range(-reach, reach + 1):
            x, y = side * math.sqrt(3) * (q + r / 2), side * 1.5 * r
            cells.append((math.hypot(x - corner[0], y - corner[1]), q, r, x, y))
    cells.sort()
    chosen = cells[: max(1, count)]
    middle = (sum(c[3] for c in chosen) / len(chosen), sum(c[4] for c in chosen) / len(chosen))
    return [(c[3] - middle[0], c[4] - middle[1]) for c in chosen]


def draw_address(zone: Zone, config: SimConfig, rng: random.Random) -> GeoPoint:
    """Draw a home address: mostly in a neighbourhood, some anywhere in the zone."""
    if rng.random() < 0.7:
        centre = rng.choice(zone.neighbourhoods)
        return offset(centre, rng.gauss(0, 0.25), rng.gauss(0, 0.25))
    return offset(zone.centre, *_uniform_in_hexagon(rng, zone.side_km))


def day_windows() -> tuple[WindowSpec, ...]:
    """Return the windows of a zone for one day: hourly 08-20 and three 4-hour windows."""
    hourly = tuple(
        WindowSpec(
            key=f"{hour:02d}-{hour + 1:02d}",
            start_minute=hour * 60,
            end_minute=(hour + 1) * 60,
            capacity=6,
            remaining=6,
        )
        for hour in range(8, 20)
    )
    wide = tuple(
        WindowSpec(
            key=f"{hour:02d}-{hour + 4:02d}",
            start_minute=hour * 60,
            end_minute=(hour + 4) * 60,
            capacity=14,
            remaining=14,
        )
        for hour in (8, 12, 16)
    )
    return hourly + wide


def fleet(config: SimConfig) -> tuple[VehicleGroup, ...]:
    """Return the depot's mixed fleet, one group per vehicle type and shift; empty ones left out."""
    groups = [
        VehicleGroup(vehicle, count, stops, start, end)
        for vehicle, count, stops, shifts in (
            ("electric_van", config.electric_vans, config.stops_per_van, config.van_shifts),
            ("diesel_van", config.diesel_vans, config.stops_per_van, config.van_shifts),
            ("cargo_bike", config.cargo_bikes, config.stops_per_bike, config.bike_shifts),
        )
        for start, end in shifts
    ]
    return tuple(group for group in groups if group.count > 0)


def _uniform_in_hexagon(rng: random.Random, side: float) -> tuple[float, float]:
    """Draw a point uniformly in a pointy-top regular hexagon of this side around (0, 0)."""
    half_width = math.sqrt(3) / 2 * side
    while True:
        x, y = rng.uniform(-half_width, half_width), rng.uniform(-side, side)
        if abs(y) <= side - abs(x) / math.sqrt(3):
            return x, y
