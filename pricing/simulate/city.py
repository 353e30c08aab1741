"""A reproducible synthetic city: one depot, zones of clustered streets, windows and a fleet."""

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
    zone_radius_km: float = 2.0
    zone_distance_km: float = 5.0  # from the depot to each zone's centre
    neighbourhoods_per_zone: int = 8
    # A mixed fleet like the demo retailer's depots: electric and diesel vans on a long
    # shift, electric cargo bikes on a day shift. Every policy is routed with the same one.
    electric_vans: int = 3
    diesel_vans: int = 2
    stops_per_van: int = 30
    cargo_bikes: int = 3
    stops_per_bike: int = 12
    routing_iterations: int = 1500  # PyVRP iterations per run; iterations keep runs reproducible
    routing_runs: int = 3  # PyVRP runs (seeds) per day; the cheapest feasible plan is kept

    def fleet_description(self) -> str:
        return (
            f"{self.electric_vans} electric vans, {self.diesel_vans} diesel vans, "
            f"{self.cargo_bikes} cargo bikes"
        )


@dataclass(frozen=True)
class Zone:
    """A delivery zone: its centre and the centres of its neighbourhoods."""

    code: str
    centre: GeoPoint
    neighbourhoods: tuple[GeoPoint, ...]


def offset(point: GeoPoint, east_km: float, north_km: float) -> GeoPoint:
    """Return the point a given distance east and north of another."""
    km_per_degree = math.radians(1.0) * EARTH_RADIUS_KM
    return GeoPoint(
        point.lat + north_km / km_per_degree,
        point.lon + east_km / (km_per_degree * math.cos(math.radians(point.lat))),
    )


def build_zones(config: SimConfig, rng: random.Random) -> tuple[Zone, ...]:
    """Place zones around the depot, each with a few dense neighbourhoods."""
    zones = []
    for index in range(config.zones):
        angle = 2 * math.pi * index / max(1, config.zones) + 0.4
        centre = offset(
            DEPOT,
            config.zone_distance_km * math.cos(angle),
            config.zone_distance_km * math.sin(angle),
        )
        neighbourhoods = tuple(
            offset(centre, *_uniform_in_disc(rng, 0.8 * config.zone_radius_km))
            for _ in range(config.neighbourhoods_per_zone)
        )
        zones.append(Zone(code=f"Z{index + 1}", centre=centre, neighbourhoods=neighbourhoods))
    return tuple(zones)


def draw_address(zone: Zone, config: SimConfig, rng: random.Random) -> GeoPoint:
    """Draw a home address: mostly in a neighbourhood, some anywhere in the zone."""
    if rng.random() < 0.7:
        centre = rng.choice(zone.neighbourhoods)
        return offset(centre, rng.gauss(0, 0.25), rng.gauss(0, 0.25))
    return offset(zone.centre, *_uniform_in_disc(rng, config.zone_radius_km))


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
    """Return the depot's mixed fleet; groups with no vehicles are left out."""
    groups = (
        VehicleGroup("electric_van", config.electric_vans, config.stops_per_van, 7 * 60 + 30, 21 * 60),
        VehicleGroup("diesel_van", config.diesel_vans, config.stops_per_van, 7 * 60 + 30, 21 * 60),
        VehicleGroup("cargo_bike", config.cargo_bikes, config.stops_per_bike, 8 * 60, 18 * 60),
    )
    return tuple(group for group in groups if group.count > 0)


def _uniform_in_disc(rng: random.Random, radius: float) -> tuple[float, float]:
    distance = radius * math.sqrt(rng.random())
    angle = rng.uniform(0, 2 * math.pi)
    return distance * math.cos(angle), distance * math.sin(angle)
