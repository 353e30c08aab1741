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

from pricing.routing import PlanRequest, PlanSettings, PlanStop, plan_routes
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
    """Plans depot-days, each distinct one once, within a time budget shared over all of them."""

    def __init__(self, inp: WhatIfInput, settings: PlanSettings, planned_days: int):
        self.inp = inp
        seconds = None
        if inp.routing_seconds is not None:
            seconds = max(0.02, inp.routing_seconds / max(1, planned_days))
        self.settings = replace(settings, max_iterations=inp.routing_iterations, max_seconds=seconds)
        self.known: dict[tuple, DayTotals] = {}
        self.solve_seconds = 0.0

    def totals(self, depot: str, day: str, stops: tuple[PlanStop, ...], draw: int) -> DayTotals:
        key = (depot, day, draw, stops)
        if key not in self.known:
            self.known[key] = self._plan(depot, stops, draw)
        return self.known[key]

    def _plan(self, depot_key: str, stops, draw: int) -> DayTotals:
        depot = self.inp.depots[depot_key]
        settings = replace(self.settings, seed=self.inp.seed + draw)
        plan = plan_routes(PlanRequest(depot.point, depot.fleet, stops, settings))
        self.solve_seconds += plan.solve_seconds
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
