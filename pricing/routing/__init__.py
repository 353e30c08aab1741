"""Route plans of a depot-day (PyVRP), and pricing an address by inserting it into them.

``plan_routes`` solves the day's vehicle routing problem (``solver.py``, the only module that
imports PyVRP); ``insert_into_plan`` prices one more stop against the planned routes with
time feasibility (``insertion.py``, pure Python, used on every quote).
"""

from pricing.routing.model import (
    PlannedVisit,
    PlanRequest,
    PlanSettings,
    PlanStop,
    RoutePlan,
    VehicleProfile,
    VehicleRoute,
)
from pricing.routing.solver import plan_routes
from pricing.routing.travel import settings_from_rules

__all__ = [
    "PlanRequest",
    "PlanSettings",
    "PlanStop",
    "PlannedVisit",
    "RoutePlan",
    "VehicleProfile",
    "VehicleRoute",
    "plan_routes",
    "settings_from_rules",
]
