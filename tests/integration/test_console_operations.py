"""The console's operations pages over HTTP (PostgreSQL): who may see and do what; every route's tenancy."""

import csv
import io
import re

import pytest
from sqlalchemy import select

from slotbooking.events.models import EventDelivery
from slotbooking.extensions import db
from slotbooking.staff.models import StaffAuditEntry
from tests.support.api import ApiClient
from tests.support.console import add_staff, csrf_of, log_in
from tests.support.ops_console import book, retailer, window

# Every route the operations pages add; the tenancy test fails on one missing here.
OPERATIONS_ENDPOINTS = {
    "console.bookings": "GET",
    "console.bookings_csv": "GET",
    "console.booking": "GET",
    "console.booking_move": "GET",
    "console.booking_move_confirm": "GET",
    "console.booking_move_do": "POST",
    "console.booking_cancel_confirm": "GET",
    "console.booking_cancel_do": "POST",
    "console.webhooks": "GET",
    "console.webhook": "GET",
    "console.webhook_retry": "POST",
    "console.api_keys": "GET",
    "console.api_key_rotate": "GET",
    "console.api_key_rotate_do": "POST",
}


@pytest.fixture
def world(pg_app, clock):
    """Two retailers with a booking (and its queued webhook) each, and staff of the first at every role."""
    shops = {}
    for slug in ("demo-grocer", "other-grocer"):
        shop, keys = retailer(pg_app, clock, slug, webhook_url="http://127.0.0.1:9/hooks")
        offer = shop.slots()
        booking = book(shop, window(offer, "08"), f"ORD-{slug[:2]}")
        evening = window(offer, "18", booking["slot"]["start"][:10])
        shops[slug] = {"api": shop, "keys": keys, "booking": booking, "evening": evening}
    assert pg_app.test_cli_runner().invoke(args=["events", "deliver"]).exit_code == 0
    with pg_app.app_context():
        for slug, state in shops.items():
            state["event_id"] = db.session.scalar(
                select(EventDelivery.event_id).where(EventDelivery.payload["retailer"].as_string() == slug)
            )
    for role in ("viewer", "editor", "admin"):
        add_staff(pg_app, f"{role}@demo.test", "demo-grocer", role)
    return shops


def _client(app, email: str | None):
    client = app.test_client()
    if email:
        assert log_in(client, email).status_code == 302
    return client


def _path(app, endpoint: str, slug: str, state: dict) -> str:
    values = {
        "slug": slug,
        "booking_id": state["booking"]["id"],
        "slot_id": state["evening"]["id"],
        "event_id": state["event_id"],
        "kind": "secret",
    }
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


def test_the_list_covers_every_operations_route(pg_app):
    added = {
        rule.endpoint
        for rule in pg_app.url_map.iter_rules()
        if rule.endpoint.startswith("console.")
        and getattr(pg_app.view_functions[rule.endpoint], "__module__", "").split(".")[-1]
        in {"bookings_views", "booking_actions_views", "webhooks_views", "keys_views"}
    }
    assert added == set(OPERATIONS_ENDPOINTS)


def _row_arguments(app, endpoint: str) -> set[str]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return set(rule.arguments) & {"booking_id", "slot_id", "event_id"}


def test_every_route_refuses_anonymous_and_other_retailers_staff(pg_app, world):
    ours, theirs = world["demo-grocer"], world["other-grocer"]
    anonymous = pg_app.test_client()
    anonymous_token = csrf_of(anonymous, "/ops/login")  # a session with a token, but nobody signed in
    admin = _client(pg_app, "admin@demo.test")
    token = csrf_of(admin, "/ops/r/demo-grocer/keys")
    form = {"csrf_token": token, "expected_price": "500", "confirm": "y"}
    for endpoint, method in sorted(OPERATIONS_ENDPOINTS.items()):
        path = _path(pg_app, endpoint, "demo-grocer", ours)
        if method == "GET":
            answer = anonymous.get(path)
        else:
            answer = anonymous.post(path, data={"csrf_token": anonymous_token})
        assert answer.status_code == 302, (endpoint, answer.status_code)
        assert answer.headers["Location"].startswith("/ops/login?next="), endpoint
        paths = [_path(pg_app, endpoint, "other-grocer", theirs)]
        if _row_arguments(pg_app, endpoint):  # their booking, slot or event at our retailer's pages
            paths.append(_path(pg_app, endpoint, "demo-grocer", theirs))
        for path in paths:
            answer = admin.get(path) if method == "GET" else admin.post(path, data=form)
            assert answer.status_code == 404, (endpoint, path, answer.status_code)
    booking = theirs["api"].get(f"/bookings/{theirs['booking']['id']}").get_json()
    assert (booking["status"], booking["slot"]["id"]) == ("confirmed", theirs["booking"]["slot"]["id"])
    assert len(theirs["api"].get("/bookings").get_json()["bookings"]) == 1, "their key still works"


def test_a_viewer_sees_the_bookings_and_their_csv_but_cannot_act(pg_app, world):
    viewer = _client(pg_app, "viewer@demo.test")
    listed = viewer.get("/ops/r/demo-grocer/bookings?q=ord-de")
    assert listed.status_code == 200 and "ORD-de" in listed.get_data(as_text=True)
    assert "ORD-ot" not in listed.get_data(as_text=True)
    exported = viewer.get("/ops/r/demo-grocer/bookings.csv")
    assert exported.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert "attachment" in exported.headers["Content-Disposition"]
    [row] = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True), newline="")))
    assert row["order_ref"] == "ORD-de"
    booking_id = world["demo-grocer"]["booking"]["id"]
    page = viewer.get(f"/ops/r/demo-grocer/bookings/{booking_id}").get_data(as_text=True)
    assert "booking.created" in page and "Reschedule" not in page
    assert viewer.get(f"/ops/r/demo-grocer/bookings/{booking_id}/move").status_code == 403
    assert viewer.get("/ops/r/demo-grocer/keys/secret/rotate").status_code == 403
    token = csrf_of(viewer, "/ops/r/demo-grocer/keys")
    retry = viewer.post(
        f"/ops/r/demo-grocer/webhooks/{world['demo-grocer']['event_id']}/retry", data={"csrf_token": token}
    )
    assert retry.status_code == 403


@pytest.mark.parametrize("query", ["day=tuesday", "status=lost", "window=08:00-09:00", "page=0"])
def test_a_bad_filter_is_a_clear_422(pg_app, world, query):
    viewer = _client(pg_app, "viewer@demo.test")
    answer = viewer.get(f"/ops/r/demo-grocer/bookings?{query}")
    text = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'data-code="validation_error"' in text
    assert 'aria-current="page">Bookings' in text, "the page keeps the console's layout and the filters"


def test_an_editor_moves_a_booking_at_the_confirmed_price_and_is_named_in_the_audit(pg_app, world):
    ours = world["demo-grocer"]
    editor = _client(pg_app, "editor@demo.test")
    booking_id, evening = ours["booking"]["id"], ours["evening"]
    grid = editor.get(f"/ops/r/demo-grocer/bookings/{booking_id}/move").get_data(as_text=True)
    confirm_path = f"/ops/r/demo-grocer/bookings/{booking_id}/move/{evening['id']}"
    assert confirm_path in grid
    confirm = editor.get(confirm_path).get_data(as_text=True)
    assert 'name="expected_price" type="hidden" value="500"' in confirm
    token = csrf_of(editor, confirm_path)
    stale = editor.post(confirm_path, data={"csrf_token": token, "expected_price": "400"})
    assert stale.status_code == 409 and "price of that window changed" in stale.get_data(as_text=True)
    moved = editor.post(confirm_path, data={"csrf_token": token, "expected_price": "500"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/bookings/{booking_id}")
    seen = ours["api"].get(f"/bookings/{booking_id}").get_json()
    assert (seen["slot"]["id"], seen["price"]["amount"]) == (evening["id"], 500)
    page = editor.get(moved.headers["Location"]).get_data(as_text=True)
    assert "booking.rescheduled" in page and "moved" in page
    with pg_app.app_context():
        entry = db.session.scalar(
            select(StaffAuditEntry).where(StaffAuditEntry.action == "booking.rescheduled")
        )
        assert (entry.staff.email, entry.target) == ("editor@demo.test", booking_id)
        assert entry.diff == {
            "changes": [["slot_id", ours["booking"]["slot"]["id"], evening["id"]], ["price", 400, 500]]
        }
    audit_page = editor.get("/ops/r/demo-grocer/audit").get_data(as_text=True)
    assert "booking.rescheduled" in audit_page and evening["id"] in audit_page


def test_an_editor_cancels_after_confirming(pg_app, world):
    ours = world["demo-grocer"]
    editor = _client(pg_app, "editor@demo.test")
    path = f"/ops/r/demo-grocer/bookings/{ours['booking']['id']}/cancel"
    assert "Cancel the booking" in editor.get(path).get_data(as_text=True)
    assert editor.post(path, data={"csrf_token": csrf_of(editor, path)}).status_code == 302
    assert ours["api"].get(f"/bookings/{ours['booking']['id']}").get_json()["status"] == "cancelled"


def test_an_admin_retries_a_failing_delivery(pg_app, world, clock):
    event_id = world["demo-grocer"]["event_id"]
    admin = _client(pg_app, "admin@demo.test")
    listed = admin.get("/ops/r/demo-grocer/webhooks").get_data(as_text=True)
    assert event_id in listed and "Retry now" in listed
    token = csrf_of(admin, "/ops/r/demo-grocer/webhooks")
    assert (
        admin.post(f"/ops/r/demo-grocer/webhooks/{event_id}/retry", data={"csrf_token": token}).status_code
        == 302
    )
    with pg_app.app_context():
        delivery = db.session.scalar(select(EventDelivery).where(EventDelivery.event_id == event_id))
        assert (delivery.status, delivery.next_attempt_at) == ("pending", clock())
    shown = admin.get(f"/ops/r/demo-grocer/webhooks/{event_id}").get_data(as_text=True)
    assert "Connection refused" in shown and "retried later" in shown, "the first attempt, one by one"


def test_an_admin_rotates_the_secret_key_after_confirming_and_sees_it_once(pg_app, world):
    ours = world["demo-grocer"]
    admin = _client(pg_app, "admin@demo.test")
    keys_page = admin.get("/ops/r/demo-grocer/keys").get_data(as_text=True)
    assert ours["keys"]["secret_key"][:10] in keys_page and ours["keys"]["secret_key"] not in keys_page
    path = "/ops/r/demo-grocer/keys/secret/rotate"
    form = admin.get(path).get_data(as_text=True)
    seen = re.search(r'name="seen_prefix" type="hidden" value="([^"]+)"', form).group(1)
    token = csrf_of(admin, path)
    unconfirmed = admin.post(path, data={"csrf_token": token, "seen_prefix": seen})
    assert unconfirmed.status_code == 422 and "Tick this box" in unconfirmed.get_data(as_text=True)
    assert ours["api"].get("/bookings").status_code == 200, "nothing rotated yet"
    rotated = admin.post(path, data={"csrf_token": token, "seen_prefix": seen, "confirm": "y"})
    new_key = re.search(r'id="new-key">([^<]+)<', rotated.get_data(as_text=True)).group(1)
    assert rotated.headers["Cache-Control"] == "no-store"
    assert ours["api"].get("/bookings").status_code == 401
    assert ApiClient(pg_app.test_client(), new_key).get("/bookings").status_code == 200
    assert new_key not in admin.get("/ops/r/demo-grocer/keys").get_data(as_text=True)
    again = admin.post(path, data={"csrf_token": token, "seen_prefix": seen, "confirm": "y"})
    assert again.status_code == 409, "a page left open since before the rotation revokes nothing"
