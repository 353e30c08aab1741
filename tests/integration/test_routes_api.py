"""GET /api/v1/routes and prices from the plan, on SQLite and on PostgreSQL + Redis.

Plans are made here by `flask routes plan` (what the queue's job runs); tests/integration/
test_routes_queue.py covers the job queue itself.
"""

import time
from datetime import datetime

import pytest

from slotbooking.demo.cli import demo_document
from tests.conftest import import_document
from tests.support.api import ApiClient

NEAR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}
NEXT_DOOR = {"postcode": "N1 2AB", "lat": 51.5394, "lon": -0.1020}


def _shop(app, clock, slug="demo-grocer", mode="flat"):
    document = demo_document()
    document["retailer"]["slug"] = slug
    document["pricing"]["mode"] = mode
    keys = import_document(app, document, clock)
    return ApiClient(app.test_client(), keys["secret_key"]), keys


def _book(shop, slot, address, ref):
    response = shop.post("/bookings", {"slot_id": slot["id"], "address": address, "order_ref": ref})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _plan(app, slug="demo-grocer"):
    result = app.test_cli_runner().invoke(args=["routes", "plan", slug])
    assert result.exit_code == 0, result.output
    return result.output


def _tomorrows(offer, width):
    return [s for s in offer["slots"] if s["available"] and s["width_minutes"] == width]


def test_a_planned_day_shows_each_vehicles_stops_in_order_with_times_km_and_co2(app, clock):
    shop, _ = _shop(app, clock)
    offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    hourly = _tomorrows(offer, 60)
    booked = [_book(shop, hourly[i], {**NEAR, "lat": NEAR["lat"] + 0.001 * i}, f"R{i}") for i in range(3)]
    day = booked[0]["slot"]["start"][:10]
    assert shop.get("/routes", date=day, depot="PRY").get_json()["error"]["code"] == "not_found"

    assert "PRY " + day + ": stored v1, 3 stops" in _plan(app)
    answer = shop.get("/routes", date=day, depot="PRY")
    assert answer.status_code == 200, answer.get_json()
    plan = answer.get_json()
    assert (plan["date"], plan["depot"], plan["version"], plan["trigger"]) == (day, "PRY", 1, "bookings")
    assert plan["up_to_date"] and plan["feasible"] and plan["unassigned"] == []
    stops = [stop for vehicle in plan["vehicles"] for stop in vehicle["stops"]]
    assert sorted(s["booking_id"] for s in stops) == sorted(b["id"] for b in booked)
    assert {s["order_ref"] for s in stops} == {"R0", "R1", "R2"}
    for vehicle in plan["vehicles"]:
        assert vehicle["vehicle"] in ("electric_van", "diesel_van", "cargo_bike") and vehicle["km"] > 0
        times = [vehicle["start"]] + [t for s in vehicle["stops"] for t in (s["arrival"], s["departure"])]
        times.append(vehicle["end"])
        assert times == sorted(times, key=datetime.fromisoformat)
        for stop in vehicle["stops"]:
            start = datetime.fromisoformat(stop["service_start"])
            window = stop["window"]
            assert datetime.fromisoformat(window["start"]) <= start <= datetime.fromisoformat(window["end"])
    assert plan["km"] == pytest.approx(sum(v["km"] for v in plan["vehicles"]), abs=0.01)
    assert plan["co2_grams"] == sum(v["co2_grams"] for v in plan["vehicles"]) > 0

    # A cancellation makes the plan out of date until the next run plans the day again.
    assert shop.post(f"/bookings/{booked[1]['id']}/cancel").status_code == 200
    assert shop.get("/routes", date=day, depot="PRY").get_json()["up_to_date"] is False
    assert "stored v2, 2 stops" in _plan(app)
    again = shop.get("/routes", date=day, depot="PRY").get_json()
    assert again["version"] == 2 and again["up_to_date"] and again["stops"] == 2
    assert "unchanged v2" in _plan(app), "nothing changed: no new version"


def test_a_retailer_never_sees_another_retailers_routes(app, clock):
    shop, _ = _shop(app, clock)
    rival, _ = _shop(app, clock, slug="rival-grocer")  # the same depot codes, another tenant
    offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    booking = _book(shop, _tomorrows(offer, 60)[0], NEAR, "OURS")
    day = booking["slot"]["start"][:10]
    _plan(app)
    assert shop.get("/routes", date=day, depot="PRY").status_code == 200
    theirs = rival.get("/routes", date=day, depot="PRY")
    assert theirs.status_code == 404 and theirs.get_json()["error"]["code"] == "not_found"
    assert "OURS" not in theirs.get_data(as_text=True)
    rival_offer = rival.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    _book(rival, _tomorrows(rival_offer, 60)[1], NEAR, "THEIRS")
    _plan(app, "rival-grocer")
    mine = shop.get("/routes", date=day, depot="PRY").get_json()
    rivals = rival.get("/routes", date=day, depot="PRY").get_json()
    assert [s["order_ref"] for v in mine["vehicles"] for s in v["stops"]] == ["OURS"]
    assert [s["order_ref"] for v in rivals["vehicles"] for s in v["stops"]] == ["THEIRS"]


def test_bad_requests_answer_4xx_with_codes(app, clock):
    shop, keys = _shop(app, clock)
    assert shop.get("/routes", depot="PRY").get_json()["error"]["details"] == {
        "date": ["Missing data for required field."]
    }
    assert shop.get("/routes", date="2026-02-30", depot="PRY").status_code == 422
    assert shop.get("/routes", date="2026-11-24").get_json()["error"]["code"] == "validation_error"
    assert shop.get("/routes", date="2026-11-24", depot="P\x01").status_code == 422
    assert shop.get("/routes", date="2026-11-24", depot="NOPE").get_json()["error"]["code"] == "not_found"
    publishable = ApiClient(app.test_client(), keys["publishable_key"], origin="http://127.0.0.1:5001")
    assert publishable.get("/routes", date="2026-11-24", depot="PRY").status_code == 403
    assert (
        ApiClient(app.test_client(), "sk_wrong").get("/routes", date="2026-11-24", depot="PRY").status_code
        == 401
    )


def test_the_openapi_document_describes_routes(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/routes"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"date", "depot"}
    assert {"200", "401", "403", "404", "422", "429", "503"} <= set(operation["responses"])
    assert "RoutePlanOut" in document["components"]["schemas"]


def test_dynamic_prices_follow_the_plan_and_a_new_plan_refreshes_cached_grids(app, clock):
    shop, _ = _shop(app, clock, mode="dynamic")
    offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    at_eight = [s for s in offer["slots"] if s["available"] and s["start"].endswith("T08:00:00+00:00")]
    wide = next(s for s in at_eight if s["width_minutes"] == 240)
    hourly = next(s for s in at_eight if s["width_minutes"] == 60 and s["start"][:10] == wide["start"][:10])
    _book(shop, wide, NEAR, "ANY-TIME-08-12")
    _book(shop, hourly, {**NEAR, "lat": NEAR["lat"] - 0.0004}, "AT-08-09")
    day = wide["start"][:10]

    def green_hours():
        grid = shop.slots(NEXT_DOOR["postcode"], lat=NEXT_DOOR["lat"], lon=NEXT_DOOR["lon"])
        return {
            (s["start"][11:16], s["width_minutes"])
            for s in grid["slots"]
            if s["start"].startswith(day) and s["green"]
        }

    def eight_oclock_incentives():
        grid = shop.slots(NEXT_DOOR["postcode"], lat=NEXT_DOOR["lat"], lon=NEXT_DOOR["lon"])
        return [s["incentives"] for s in grid["slots"] if s["start"] == f"{day}T08:00:00+00:00"]

    projected = green_hours()
    before_plan = eight_oclock_incentives()
    # A wide booking promises no van in any one hour of it (issue 10's engine rule): only the
    # 08:00-09:00 booking and the wide window itself make windows green before any plan.
    assert {("08:00", 60), ("08:00", 240)} <= projected
    assert not {("10:00", 60), ("11:00", 60)} & projected
    _plan(app)
    plan = shop.get("/routes", date=day, depot="PRY").get_json()
    served = [datetime.fromisoformat(s["service_start"]) for v in plan["vehicles"] for s in v["stops"]]
    assert len(served) == 2 and all(t.hour == 8 for t in served), "one trip serves both at 08:xx"
    planned = green_hours()
    # Priced from the planned van now: Redis would still serve the old grid had the plan not
    # moved the cache's version.
    assert eight_oclock_incentives() != before_plan
    # Green now means the planned van passes then: at 08:00-09:00, not hours after it has left.
    assert {("08:00", 60), ("08:00", 240)} <= planned
    assert not {("10:00", 60), ("11:00", 60)} & planned


def test_without_a_broker_the_demos_runner_plans_the_day_after_its_countdown(tmp_path, clock):
    from slotbooking.jobs import start_in_process_jobs
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'demo.db'}", clock, ROUTES_DEBOUNCE_SECONDS=0.5)
    shop, _ = _shop(app, clock)
    runner = start_in_process_jobs(app)
    try:
        offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
        booking = _book(shop, _tomorrows(offer, 60)[0], NEAR, "DEMO")
        day = booking["slot"]["start"][:10]
        for _ in range(300):
            answer = shop.get("/routes", date=day, depot="PRY")
            if answer.status_code == 200:
                break
            time.sleep(0.05)
        assert answer.status_code == 200, "the runner never planned the day"
        assert answer.get_json()["vehicles"][0]["stops"][0]["order_ref"] == "DEMO"
    finally:
        runner.stop()


def _due(app):
    result = app.test_cli_runner().invoke(args=["routes", "due"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_new_setup_checks_each_booked_day_once_and_searches_again_only_if_the_fleet_changed(app, clock):
    shop, _ = _shop(app, clock)
    offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    booked = [_book(shop, _tomorrows(offer, 60)[i], NEAR, f"S{i}") for i in range(3)]
    day = booked[0]["slot"]["start"][:10]
    assert "stored v1, 3 stops" in _plan(app)
    clock.advance(minutes=5)
    assert "0 depot-days planned" in _due(app), "nothing changed since the plan"
    first = shop.get("/routes", date=day, depot="PRY").get_json()

    # A price change: the planning problem is the same, so the routes stand, checked once.
    document = demo_document()
    document["pricing"]["base_fee"] = 450
    import_document(app, document, clock)
    assert "0 depot-days planned" in _due(app), "within the debounce the new setup waits"
    clock.advance(minutes=1)
    assert f"PRY {day}: stored v2, 3 stops, 0 unassigned, 0.0 s" in _due(app)
    kept = shop.get("/routes", date=day, depot="PRY").get_json()
    assert (kept["version"], kept["trigger"]) == (2, "setup")
    assert (kept["km"], kept["vehicles"]) == (first["km"], first["vehicles"])
    clock.advance(minutes=1)
    assert "0 depot-days planned" in _due(app), "each setup is checked once"

    # Park Royal's vans are all electric now: a new planning problem, searched again.
    for group in document["fleet"]:
        if group["depot"] == "PRY" and group["vehicle"] == "diesel_van":
            group["vehicle"] = "electric_van"
            group["count"] = 1
    import_document(app, document, clock)
    clock.advance(minutes=1)
    assert f"PRY {day}: stored v3, 3 stops" in _due(app)
    searched = shop.get("/routes", date=day, depot="PRY").get_json()
    assert searched["trigger"] == "setup"
    assert "diesel_van" not in {v["vehicle"] for v in searched["vehicles"]}
    assert "0 depot-days planned" in _due(app)
