"""Inputs of the pricing engine: one zone on one day, as plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pricing.rules import ChoiceParameters, PricingRules

if TYPE_CHECKING:  # pricing.routing.model builds on the dataclasses below
    from pricing.routing.model import RoutePlan

VEHICLES = ("diesel_van", "electric_van", "cargo_bike")


@dataclass(frozen=True)
class GeoPoint:
    """A place on Earth in decimal degrees (WGS 84)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class VehicleGroup:
    """Identical vehicles of one depot; shifts are minutes since local midnight."""

    vehicle: str
    count: int
    stops_per_vehicle: int
    shift_start_minute: int
    shift_end_minute: int


@dataclass(frozen=True)
class WindowSpec:
    """One delivery window of one zone on one day; minutes since local midnight."""

    key: str
    start_minute: int
    end_minute: int
    capacity: int
    remaining: int
    template_fee: int = 0
    fixed_price: int | None = None

    @property
    def width_minutes(self) -> int:
        return self.end_minute - self.start_minute

    @property
    def midpoint_minute(self) -> float:
        return (self.start_minute + self.end_minute) / 2

    def overlap_minutes(self, other: WindowSpec) -> int:
        """Return how many minutes this window shares with another."""
        return max(0, min(self.end_minute, other.end_minute) - max(self.start_minute, other.start_minute))


@dataclass(frozen=True)
class BookedStop:
    """A booking already made that day in this zone (or from the same depot)."""

    point: GeoPoint
    window_key: str


@dataclass(frozen=True)
class PricingRequest:
    """Everything the engine needs to price the windows of one zone and day for one address."""

    depot: GeoPoint
    fleet: tuple[VehicleGroup, ...]
    windows: tuple[WindowSpec, ...]
    bookings: tuple[BookedStop, ...]
    shopper: GeoPoint
    rules: PricingRules
    # Expected further bookings per window key; None derives it from remaining places.
    forecast: dict[str, float] | None = None
    choice: ChoiceParameters = ChoiceParameters()
    zone_centroid: GeoPoint | None = None
    currency: str = "GBP"
    # Bookings of the depot's other zones that day, each keyed to this zone's window with the
    # same start and end (stops of windows this zone lacks are ignored). Vans serve several
    # zones from one depot, so a van booked next door at 10:00 can also stop here then. They
    # join the known routes (green windows, insertion) but not this zone's density or spread.
    depot_bookings: tuple[BookedStop, ...] = ()
    # The depot-day's planned routes (pricing.routing), when a plan exists: the marginal km,
    # minutes and CO2 then come from inserting the address into them with time feasibility,
    # and a window is green only where a planned van passes near it then. None: the projection.
    plan: RoutePlan | None = None
