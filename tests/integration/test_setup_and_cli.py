"""The setup document through the CLI: import, re-import in place, export, keys, slots, sweep."""

import json
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.slots.models import Slot
from tests.conftest import import_document
from tests.support.api import ApiClient, Clock


def write(tmp_path, document, name="setup.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


def test_import_prints_keys_once_and_reimport_keeps_them(app, runner, tmp_path):
    path = write(tmp_path, demo_document())
    first = runner.invoke(args=["retailer", "import", path, "--json"])
    assert first.exit_code == 0, first.output
    created = json.loads(first.output)
    assert created["retailer"] == "demo-grocer"
    assert created["secret_key"].startswith("sk_") and created["publishable_key"].startswith("pk_")

    document = demo_document()
    document["retailer"]["name"] = "Demo Grocer Ltd"
    again = runner.invoke(args=["retailer", "import", write(tmp_path, document), "--json"])
    assert json.loads(again.output) == {"retailer": "demo-grocer"}
    api = ApiClient(app.test_client(), created["secret_key"])
    assert api.get("/slots", postcode="N1 2AB").status_code == 200

    exported = runner.invoke(args=["retailer", "export", "demo-grocer"])
    assert json.loads(exported.output)["retailer"]["name"] == "Demo Grocer Ltd"


def test_export_round_trips(app, runner, tmp_path):
    runner.invoke(args=["retailer", "import", write(tmp_path, demo_document()), "--json"])
    exported = json.loads(runner.invoke(args=["retailer", "export", "demo-grocer"]).output)
    assert runner.invoke(args=["retailer", "import", write(tmp_path, exported, "again.json")]).exit_code == 0
    assert json.loads(runner.invoke(args=["retailer", "export", "demo-grocer"]).output) == exported
    original = demo_document()
    assert exported["zones"][0]["postcode_prefixes"] == ["N1", "N5"]
    assert len(exported["slot_templates"]) == len(original["slot_templates"])


def test_yaml_import_and_path_named_errors(runner, tmp_path):
    yaml_path = tmp_path / "setup.yaml"
    yaml_path.write_text("retailer:\n  slug: tiny\n  name: Tiny\ndepots: []\nzones: []\n")
    result = runner.invoke(args=["retailer", "import", str(yaml_path)])
    assert result.exit_code != 0
    assert "depots" in result.output and "zones" in result.output
    document = demo_document()
    document["zones"][2]["depot"] = "D9"
    result = runner.invoke(args=["retailer", "import", write(tmp_path, document)])
    assert result.exit_code != 0
    assert 'zones[2].depot: unknown depot "D9"' in result.output


def test_lowering_capacity_below_bookings_is_refused(app, runner, tmp_path, shop):
    offer = shop.slots()
    slot = next(s for s in offer["slots"] if s["available"] and s["start"].endswith("08:00:00+00:00"))
    for ref in ("a", "b"):
        body = {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": ref}
        assert shop.post("/bookings", body).status_code == 201
    document = demo_document()
    document["slot_templates"][0]["capacity"] = 1
    result = runner.invoke(args=["retailer", "import", write(tmp_path, document)])
    assert result.exit_code != 0
    assert "is below the 2 already booked" in result.output
    assert shop.get("/bookings").get_json()["bookings"][0]["status"] == "confirmed"
    fresh = next(s for s in shop.slots()["slots"] if s["id"] == slot["id"])
    assert fresh["remaining"] == 2  # capacity 4 kept, 2 booked


def test_keys_rotate(app, runner, tmp_path, demo):
    result = runner.invoke(args=["retailer", "keys", "demo-grocer", "--rotate", "--json"])
    new = json.loads(result.output)
    old_api = ApiClient(app.test_client(), demo["secret_key"])
    new_api = ApiClient(app.test_client(), new["secret_key"])
    assert old_api.get("/slots", postcode="N1 2AB").status_code == 401
    assert new_api.get("/slots", postcode="N1 2AB").status_code == 200
    listing = runner.invoke(args=["retailer", "keys", "demo-grocer"]).output
    assert new["secret_key"][:10] in listing and new["secret_key"] not in listing


def test_slot_generation_is_idempotent(app, runner, demo):
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Slot))
    assert count > 0
    result = runner.invoke(args=["slots", "generate"])
    assert result.exit_code == 0 and "0 created" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Slot)) == count


def test_holds_sweep_marks_expired_holds(app, runner, shop, clock):
    _, slot = shop.first_available()
    shop.hold(slot["id"])
    clock.advance(minutes=20)
    assert "1 expired holds swept" in runner.invoke(args=["holds", "sweep"]).output
    assert "0 expired holds swept" in runner.invoke(args=["holds", "sweep"]).output


def test_daylight_saving_days(app, clock, runner, tmp_path):
    """A window the clocks skip is not made; one that happens twice is made once."""
    document = demo_document()
    document["retailer"]["slug"] = "night-owl"
    document["slot_templates"] = [
        {"zones": "*", "weekdays": ["sun"], "start": "01:00", "end": "02:00", "capacity": 3},
        {"zones": "*", "weekdays": ["sun"], "start": "01:30", "end": "03:00", "capacity": 3},
    ]
    document["booking_rules"]["horizon_days"] = 14

    cases = [
        (date(2027, 3, 28), 0),  # clocks go forward at 01:00: neither window exists
        (date(2027, 4, 4), 2),  # an ordinary Sunday a week later, same import
        (date(2026, 10, 25), 2),  # clocks go back: 01:00-02:00 happens twice, made once
    ]
    for day, expected in cases:
        import_document(app, document, Clock(datetime.combine(day, time(0, 0), UTC) - timedelta(days=7)))
        with app.app_context():
            rows = db.session.scalars(
                select(Slot).where(Slot.service_date == day, Slot.zone.has(code="N1"))
            ).all()
            assert len(rows) == expected, (day, [(r.starts_at, r.ends_at) for r in rows])


def test_health_and_openapi(client):
    health = client.get("/healthz").get_json()
    assert health["checks"]["database"] == "ok"
    assert health["status"] in ("ok", "degraded")
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/slots",
        "/api/v1/holds",
        "/api/v1/bookings",
        "/api/v1/bookings/{booking_id}/reschedule",
    ):
        assert path in spec["paths"], path
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"/api/v1/docs/assets/" in docs.data
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


def test_a_reimport_that_only_moves_a_prefix_is_seen_at_once(app, shop, clock):
    assert shop.slots("E8 1AA")["zone"] == "E8"
    document = demo_document()
    document["zones"][4]["postcode_prefixes"] = ["E9"]  # E8 no longer served by zone E8
    document["zones"][5]["postcode_prefixes"].append("E8")  # ... but by E1
    clock.advance(seconds=1)
    import_document(app, document, clock)
    assert shop.slots("E8 1AA")["zone"] == "E1"
