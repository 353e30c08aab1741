"""A route plan as JSON and back: what is stored in route_plans.body, exactly as planned.

The engine prices against the plan it was given, so the round trip must give an equal
``pricing.routing.RoutePlan`` (``tests/unit/test_route_plan_codec.py``).
"""

from dataclasses import asdict

from pricing import GeoPoint, VehicleGroup
from pricing.routing import PlannedVisit, PlanSettings, RoutePlan, VehicleProfile, VehicleRoute

FORMAT = 1


def plan_to_json(plan: RoutePlan, stop_details: dict[str, dict]) -> dict:
    """Return the plan as JSON-ready data, with what the API shows of each stop by its id."""
    return {
        "format": FORMAT,
        "depot": asdict(plan.depot),
        "fleet": [asdict(group) for group in plan.fleet],
        "settings": asdict(plan.settings),
        "routes": [asdict(route) for route in plan.routes],
        "unassigned": list(plan.unassigned),
        "feasible": plan.feasible,
        "iterations": plan.iterations,
        "solve_seconds": plan.solve_seconds,
        "stop_details": stop_details,
    }


def plan_from_json(body: dict) -> RoutePlan:
    """Rebuild the plan the engine prices against."""
    settings = dict(body["settings"])
    settings["vehicles"] = tuple(VehicleProfile(**profile) for profile in settings["vehicles"])
    return RoutePlan(
        depot=GeoPoint(**body["depot"]),
        fleet=tuple(VehicleGroup(**group) for group in body["fleet"]),
        routes=tuple(_route(route) for route in body["routes"]),
        unassigned=tuple(body["unassigned"]),
        feasible=body["feasible"],
        settings=PlanSettings(**settings),
        iterations=body["iterations"],
        solve_seconds=body["solve_seconds"],
    )


def _route(data: dict) -> VehicleRoute:
    visits = tuple(PlannedVisit(**{**visit, "point": GeoPoint(**visit["point"])}) for visit in data["visits"])
    return VehicleRoute(**{**data, "visits": visits})
