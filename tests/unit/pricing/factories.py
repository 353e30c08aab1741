"""Small builders for pricing requests, in km offsets from a depot rather than raw degrees."""

import math

from pricing import GeoPoint, PricingRequest, PricingRules, VehicleGroup, WindowSpec
from pricing.geo import EARTH_RADIUS_KM

DEPOT = GeoPoint(51.5, -0.1)
KM_PER_DEGREE = math.radians(1.0) * EARTH_RADIUS_KM


def at_km(east: float, north: float, origin: GeoPoint = DEPOT) -> GeoPoint:
    """Return the point east/north km from the origin on the engine's local plane."""
    return GeoPoint(
        origin.lat + north / KM_PER_DEGREE,
        origin.lon + east / (KM_PER_DEGREE * math.cos(math.radians(origin.lat))),
    )


def window(key: str, start_hour: float, end_hour: float, capacity: int = 10, **fields):
    """Return a window from hours, with every place still free unless told otherwise."""
    fields.setdefault("remaining", capacity)
    return WindowSpec(
        key=key,
        start_minute=round(start_hour * 60),
        end_minute=round(end_hour * 60),
        capacity=capacity,
        **fields,
    )


def day_of_windows() -> tuple[WindowSpec, ...]:
    """Return hourly windows 08-20 and three 4-hour windows."""
    hourly = tuple(window(f"h{h}", h, h + 1, capacity=8) for h in range(8, 20))
    wide = tuple(window(f"w{h}", h, h + 4, capacity=16) for h in (8, 12, 16))
    return hourly + wide


def diesel_fleet() -> tuple[VehicleGroup, ...]:
    """Return four diesel vans on a 07:00-21:00 shift."""
    return (VehicleGroup("diesel_van", 4, 60, 7 * 60, 21 * 60),)


def request(windows, bookings=(), shopper=None, rules=None, **fields) -> PricingRequest:
    """Return a pricing request around DEPOT with sensible defaults."""
    return PricingRequest(
        depot=DEPOT,
        fleet=fields.pop("fleet", diesel_fleet()),
        windows=tuple(windows),
        bookings=tuple(bookings),
        shopper=shopper or at_km(3, 1),
        rules=rules or PricingRules(),
        **fields,
    )
