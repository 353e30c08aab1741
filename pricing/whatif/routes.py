"""Route one draw's bookings per depot-day with the production route planner (pricing.routing).

The planner is the one the app's route plans use (``slotbooking/routes/inputs.py``): PyVRP with the
retailer's travel and cost settings (``settings_from_rules`` of the live rules, for both sides, so
the two are routed and costed alike), stops not required (one no van can serve is left out and
counted as unrouted). A depot-day booked the same way twice (live and draft often agree on a day)
is planned once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from pricing.routing import PlanRequest, PlanStop, plan_routes, settings_from_rules
from pricing.whatif.model import WhatIfInput


@dataclass(frozen=True)
class DayTotals:
    """What the routes of one depot-day drive and cost."""

    km: float
    co2_grams: int
    vehicles: int
    driver_hours: float
    cost: float  # minor units: km at each vehicle type's cost per km, and the drivers' hours
    unrouted: int


def depot_days(inp: WhatIfInput, offers_booked: Sequence[tuple[int, str]]) -> dict[tuple, tuple]:
    """Return (depot, day) -> its stops, as the planner takes them (id, point, window), in order."""
    grouped: dict[tuple, list[PlanStop]] = {}
    for index, key in offers_booked:
        slot = inp.slots[key]
        offer = inp.offers[index]
        depot = inp.zones[slot.zone].depot
        grouped.setdefault((depot, slot.day), []).append(
            PlanStop(f"{index}", offer.point, slot.start_minute, slot.end_minute)
        )
    return {key: tuple(stops) for key, stops in sorted(grouped.items())}


class DayPlanner:
    """Plans depot-days, each distinct one once, within a time budget shared over all of them.

    The run's ``routing_seconds`` are shared in proportion to the stops (``total_stops`` over
    every depot-day to plan): a search step costs about its stops, so a day of 100 stops gets
    five times the seconds of one of 20, and each gets about the same number of iterations.
    """

    def __init__(self, inp: WhatIfInput, total_stops: int):
        self.inp = inp
        self.seconds_per_stop = None
        if inp.routing_seconds is not None:
            self.seconds_per_stop = inp.routing_seconds / max(1, total_stops)
        self.known: dict[tuple, DayTotals] = {}

    def seconds(self, stops: tuple[PlanStop, ...]) -> float | None:
        """Return the seconds this depot-day may take, or None when bounded by iterations only."""
        if self.seconds_per_stop is None:
            return None
        return max(0.02, self.seconds_per_stop * len(stops))

    def totals(self, depot: str, day: str, stops: tuple[PlanStop, ...], draw: int) -> DayTotals:
        key = (depot, day, draw, stops)
        if key not in self.known:
            self.known[key] = plan_day(self.inp, depot, stops, draw, self.seconds(stops))
        return self.known[key]


def plan_day(inp: WhatIfInput, depot_key: str, stops, draw: int, seconds: float | None) -> DayTotals:
    """Plan one depot-day of one draw (seeded by the draw) and return what its routes cost."""
    depot = inp.depots[depot_key]
    settings = replace(
        settings_from_rules(inp.live.rules),
        max_iterations=inp.routing_iterations,
        max_seconds=seconds,
        seed=inp.seed + draw,
    )
    plan = plan_routes(PlanRequest(depot.point, depot.fleet, stops, settings))
    hours = sum(route.duration_minutes for route in plan.routes) / 60
    running = sum(route.km * settings.profile(route.vehicle).cost_per_km for route in plan.routes)
    return DayTotals(
        km=plan.km,
        co2_grams=plan.co2_grams,
        vehicles=len(plan.routes),
        driver_hours=hours,
        cost=running + hours * settings.driver_cost_per_hour,
        unrouted=len(plan.unassigned),
    )
