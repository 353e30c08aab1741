"""A stored plan reads back as the very plan the engine priced against."""

import json

from pricing import PricingRules, VehicleGroup
from pricing.routing import PlanRequest, PlanStop, plan_routes, settings_from_rules
from slotbooking.routes.codec import plan_from_json, plan_to_json
from tests.unit.pricing.factories import DEPOT, at_km


def test_a_plan_survives_the_round_trip_through_json():
    fleet = (
        VehicleGroup("electric_van", 2, 3, 7 * 60, 21 * 60),
        VehicleGroup("cargo_bike", 1, 5, 8 * 60, 18 * 60),
    )
    stops = tuple(
        PlanStop(f"bkg_{i}", at_km(1 + i * 0.5, (-1) ** i), 8 * 60 + 60 * (i % 4), 9 * 60 + 60 * (i % 4))
        for i in range(7)
    ) + (PlanStop("bkg_night", at_km(1, 1), 23 * 60, 23 * 60 + 30),)
    settings = settings_from_rules(PricingRules(), max_iterations=100, max_seconds=None)
    plan = plan_routes(PlanRequest(DEPOT, fleet, stops, settings))
    assert plan.routes and plan.unassigned == ("bkg_night",)
    stored = json.loads(json.dumps(plan_to_json(plan, {"bkg_0": {"order_ref": "A"}})))
    assert plan_from_json(stored) == plan
    assert stored["stop_details"] == {"bkg_0": {"order_ref": "A"}}
