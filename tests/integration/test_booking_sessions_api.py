"""POST/GET /api/v1/booking_sessions: what a shop's backend sees, on SQLite and on PostgreSQL + Redis."""

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from slotbooking.booking_sessions.models import BookingSession
from slotbooking.bookings.models import IdempotencyRecord
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import import_document, make_app
from tests.support.api import ApiClient


def stored_sessions(app) -> list[BookingSession]:
    with app.app_context():
        return db.session.scalars(select(BookingSession)).all()


def test_a_shop_opens_a_session_and_gets_an_absolute_link(app, shop, clock):
    body = {
        "order_ref": "1001",
        "address": {"postcode": "n1 2ab", "lat": 51.539, "lon": -0.102, "line1": "12 Example Street"},
        "customer_ref": "cust-7",
        "return_url": "https://shop.example/orders/1001",
    }
    response = shop.post("/booking_sessions", body)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["id"].startswith("bks_")
    assert made["url"].startswith("http://shop.test/r/demo-grocer/s/")  # PUBLIC_BASE_URL, absolute
    token = made["url"].rsplit("/", 1)[1]
    assert len(token) >= 40
    assert made["expires_at"] == (clock() + timedelta(hours=24)).isoformat()

    shown = shop.get(f"/booking_sessions/{made['id']}").get_json()
    assert shown["status"] == "open" and shown["booking_id"] is None
    assert shown["order_ref"] == "1001" and shown["customer_ref"] == "cust-7"
    assert shown["address"] == {
        "postcode": "N1 2AB",
        "lat": 51.539,
        "lon": -0.102,
        "line1": "12 Example Street",
    }
    assert "url" not in shown  # the link is shown once

    # Only the token's digest is kept, like an API key's.
    (row,) = stored_sessions(app)
    assert row.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr([getattr(row, c.key) for c in BookingSession.__table__.columns])


def test_the_link_lifetime_is_a_setting(tmp_path, clock):
    app = make_app(f"sqlite:///{tmp_path / 'short.db'}", clock, BOOKING_SESSION_HOURS=2)
    keys = import_document(app, demo_document(), clock)
    made = ApiClient(app.test_client(), keys["secret_key"]).booking_session()
    assert made["expires_at"] == (clock() + timedelta(hours=2)).isoformat()
    with app.app_context():
        db.engine.dispose()


def test_publishable_keys_cannot_open_sessions(app, browser_shop):
    response = browser_shop.post("/booking_sessions", {"order_ref": "1", "address": {"postcode": "N1 2AB"}})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert stored_sessions(app) == []


@pytest.mark.parametrize(
    "body, status, code, field",
    [
        ({"order_ref": "1", "address": {"postcode": "ZZ9 9ZZ"}}, 422, "address_not_served", None),
        ({"address": {"postcode": "N1 2AB"}}, 422, "validation_error", "order_ref"),
        ({"order_ref": "1"}, 422, "validation_error", "address"),
        (
            {"order_ref": "1", "address": {"postcode": "N1 2AB", "lat": 51.5}},
            422,
            "validation_error",
            "address.lat",
        ),
        ({"order_ref": "1\x00", "address": {"postcode": "N1 2AB"}}, 422, "validation_error", "order_ref"),
        (
            {"order_ref": "1", "address": {"postcode": "N1 2AB"}, "sneaky": 1},
            422,
            "validation_error",
            "sneaky",
        ),
        *[
            (
                {"order_ref": "1", "address": {"postcode": "N1 2AB"}, "return_url": url},
                422,
                "validation_error",
                "return_url",
            )
            for url in (
                "javascript:alert(1)",
                "data:text/html,hi",
                "/orders/1",
                "http://evil.example/orders/1",  # http only to the retailer's allowed origins
                "https://user:pass@shop.example/",
                "ftp://shop.example/",
            )
        ],
    ],
)
def test_bad_sessions_are_refused_and_store_nothing(app, shop, body, status, code, field):
    response = shop.post("/booking_sessions", body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    if field:
        assert field in error["details"], error
    assert stored_sessions(app) == []


@pytest.mark.parametrize("url", ["https://shop.example/orders/1", "http://127.0.0.1:5001/orders/1"])
def test_return_urls_that_are_allowed(shop, url):
    """https anywhere; plain http only on one of the retailer's allowed origins (the demo's shop)."""
    made = shop.booking_session(return_url=url)
    assert shop.get(f"/booking_sessions/{made['id']}").get_json()["return_url"] == url


def test_an_idempotent_retry_answers_the_same_session(app, shop):
    body = {"order_ref": "1001", "address": {"postcode": "N1 2AB"}}
    first = shop.post("/booking_sessions", body, headers={"Idempotency-Key": "session-1001"})
    again = shop.post("/booking_sessions", body, headers={"Idempotency-Key": "session-1001"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert len(stored_sessions(app)) == 1
    other = shop.post(
        "/booking_sessions", {**body, "order_ref": "1002"}, headers={"Idempotency-Key": "session-1001"}
    )
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "idempotency_conflict"


def test_a_kept_session_answer_never_holds_the_link_in_the_clear(app, shop):
    """The idempotency record replays the link, so it is kept sealed, as webhook secrets are."""
    body = {"order_ref": "1001", "address": {"postcode": "N1 2AB"}}
    first = shop.post("/booking_sessions", body, headers={"Idempotency-Key": "session-sealed"})
    token = first.get_json()["url"].rsplit("/", 1)[-1]
    with app.app_context():
        kept = db.session.scalars(select(IdempotencyRecord)).one()
        stored = json.dumps(kept.response)
    assert token not in stored and first.get_json()["id"] not in stored
    again = shop.post("/booking_sessions", body, headers={"Idempotency-Key": "session-sealed"})
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_a_session_shows_expired_once_its_link_runs_out(shop, clock):
    made = shop.booking_session()
    clock.advance(hours=24)
    assert shop.get(f"/booking_sessions/{made['id']}").get_json()["status"] == "expired"


def test_another_retailers_key_never_sees_a_session(app, client, shop, clock):
    document = demo_document()
    document["retailer"].update(slug="rival-grocer", name="Rival")
    rival = ApiClient(client, import_document(app, document, clock)["secret_key"])
    made = shop.booking_session()
    refused = rival.get(f"/booking_sessions/{made['id']}")
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_found"
    assert shop.get("/booking_sessions/bks_nope").status_code == 404
    # The link only opens on its own retailer's page.
    token = made["url"].rsplit("/", 1)[1]
    assert client.get(f"/r/rival-grocer/s/{token}").status_code == 404


def test_the_openapi_document_describes_booking_sessions(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/booking_sessions"]
    assert "get" in spec["paths"]["/api/v1/booking_sessions/{session_id}"]
    schemas = spec["components"]["schemas"]
    assert {"order_ref", "address", "customer_ref", "return_url"} <= set(
        schemas["BookingSessionIn"]["properties"]
    )
    assert {"id", "url", "expires_at"} <= set(schemas["BookingSessionCreated"]["properties"])
    with client.application.app_context():
        assert db.session.scalar(select(func.count()).select_from(BookingSession)) == 0
