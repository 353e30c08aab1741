"""Inputs and outputs of the route planner: plain frozen dataclasses, minutes since local midnight.

A plan is what the vans of one depot will drive on one day: per vehicle, its stops in order
with planned arrival and service times, its km, minutes and CO2. It goes into the pricing
engine as it is (``PricingRequest.plan``), so it carries the travel assumptions it was made
with: an insertion priced against it must drive the same road factor and speeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pricing.model import GeoPoint, VehicleGroup


@dataclass(frozen=True)
class VehicleProfile:
    """How one vehicle type drives and what a km of it costs."""

    vehicle: str
    speed_kmh: float
    cost_per_km: float  # minor units per km: running cost plus the carbon price
    kg_co2_per_km: float


@dataclass(frozen=True)
class PlanSettings:
    """Travel assumptions, the planner's objective, and the bounds on its search.

    Travel is straight-line (great-circle) km times ``road_factor``, at each vehicle type's
    speed. The planner minimises each vehicle type's cost per km plus the driver's time
    (route duration, waiting included) at ``driver_cost_per_hour``. It stops at
    ``max_iterations`` or ``max_seconds``, whichever comes first (None: iterations only,
    which keeps runs reproducible, as the simulator needs).
    """

    vehicles: tuple[VehicleProfile, ...]
    road_factor: float = 1.3
    service_minutes: float = 4.0
    driver_cost_per_hour: float = 1500
    max_iterations: int = 2000
    max_seconds: float | None = 5.0
    runs: int = 1  # independent searches (seeds seed, seed + 1000, ...); the cheapest is kept
    seed: int = 0
    # True: every stop must be routed (a plan that cannot serve one is reported infeasible, as
    # the simulator counts it). False: a stop no vehicle can serve within the windows, shifts
    # and capacities is left out of the routes and listed in RoutePlan.unassigned.
    required_stops: bool = False

    def profile(self, vehicle: str) -> VehicleProfile:
        """Return the profile of a vehicle type.

        :raises KeyError: no profile is given for it.
        """
        for profile in self.vehicles:
            if profile.vehicle == vehicle:
                return profile
        raise KeyError(f"no vehicle profile for {vehicle!r}")


@dataclass(frozen=True)
class PlanStop:
    """One booked stop: where, and the window its service must start in."""

    id: str
    point: GeoPoint
    start_minute: int
    end_minute: int


@dataclass(frozen=True)
class PlanRequest:
    """Everything the planner needs for one depot on one day."""

    depot: GeoPoint
    fleet: tuple[VehicleGroup, ...]
    stops: tuple[PlanStop, ...]
    settings: PlanSettings


@dataclass(frozen=True)
class PlannedVisit:
    """One stop on a route: when the van arrives, starts serving (after any wait) and leaves."""

    stop_id: str
    point: GeoPoint
    start_minute: int  # the stop's window
    end_minute: int
    arrival_minute: float
    service_start_minute: float
    departure_minute: float
    km_from_previous: float


@dataclass(frozen=True)
class VehicleRoute:
    """What one vehicle drives: from the depot through its visits and back."""

    vehicle: str
    group: int  # index of its VehicleGroup in the request's fleet
    number: int  # 1, 2, ... among the routes of its group, by start time
    capacity: int  # stops it may serve
    shift_start_minute: int
    shift_end_minute: int
    start_minute: float  # leaves the depot
    end_minute: float  # back at the depot
    duration_minutes: float  # driving, service and waiting: what the driver is paid for
    visits: tuple[PlannedVisit, ...]
    km: float
    co2_grams: int


@dataclass(frozen=True)
class RoutePlan:
    """The planned routes of one depot and day, and the assumptions they were planned with."""

    depot: GeoPoint
    fleet: tuple[VehicleGroup, ...]  # the whole fleet: vehicles with no route stay at the depot
    routes: tuple[VehicleRoute, ...]
    unassigned: tuple[str, ...]  # ids of stops left out (PlanSettings.required_stops False)
    feasible: bool  # every route keeps its windows, shift and capacity
    settings: PlanSettings
    iterations: int = 0
    # Wall-clock seconds of the search, left out of equality like the engine's solve time.
    solve_seconds: float = field(default=0.0, compare=False)

    @property
    def km(self) -> float:
        return sum(route.km for route in self.routes)

    @property
    def co2_grams(self) -> int:
        return sum(route.co2_grams for route in self.routes)

    @property
    def stops(self) -> int:
        return sum(len(route.visits) for route in self.routes)
