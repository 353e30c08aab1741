"""No retailer ever reaches another's data; publishable keys only quote and hold, from allowed origins."""

import pytest

from slotbooking.demo.cli import demo_document
from tests.conftest import SHOP_ORIGIN, import_document
from tests.support.api import ApiClient


@pytest.fixture
def rival(app, client, clock):
    document = demo_document()
    document["retailer"].update(slug="rival-grocer", name="Rival", allowed_origins=["https://rival.example"])
    keys = import_document(app, document, clock)
    return ApiClient(client, keys["secret_key"])


def test_other_retailers_ids_answer_not_found(shop, rival):
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    booking = shop.book(hold["id"]).get_json()
    other_hold = shop.hold(offer["slots"][-1]["id"]).get_json()

    assert rival.hold(slot["id"]).status_code == 404
    assert rival.book(other_hold["id"]).status_code == 404
    assert rival.delete(f"/holds/{other_hold['id']}").status_code == 404
    assert rival.get(f"/bookings/{booking['id']}").status_code == 404
    assert rival.post(f"/bookings/{booking['id']}/cancel").status_code == 404
    assert rival.get("/bookings").get_json()["bookings"] == []
    assert shop.get(f"/bookings/{booking['id']}").get_json()["status"] == "confirmed"


def test_a_rival_quote_does_not_price_our_hold(shop, rival):
    rival_offer = rival.slots()
    _, slot = shop.first_available()
    response = shop.hold(slot["id"], quote_id=rival_offer["quote_id"])
    assert response.status_code == 201
    assert response.get_json()["price"]["amount"] == slot["price"]["amount"]


def test_publishable_key_quotes_and_holds_from_an_allowed_origin(browser_shop):
    offer, slot = browser_shop.first_available()
    response = browser_shop.hold(slot["id"], quote_id=offer["quote_id"])
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN
    assert browser_shop.delete(f"/holds/{response.get_json()['id']}").status_code == 204


def test_publishable_key_cannot_book_or_read_bookings(browser_shop):
    _, slot = browser_shop.first_available()
    hold = browser_shop.hold(slot["id"]).get_json()
    assert browser_shop.book(hold["id"]).get_json()["error"]["code"] == "forbidden"
    assert browser_shop.get("/bookings").status_code == 403


def test_publishable_key_from_another_origin_is_forbidden(client, demo):
    evil = ApiClient(client, demo["publishable_key"], origin="https://evil.example")
    response = evil.get("/slots", postcode="N1 2AB")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    no_origin = ApiClient(client, demo["publishable_key"])
    assert no_origin.get("/slots", postcode="N1 2AB").status_code == 403


def test_cors_preflight_answers_allowed_origins_only(client, demo):
    ok = client.options(
        "/api/v1/holds",
        headers={"Origin": SHOP_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert ok.headers["Access-Control-Allow-Origin"] == SHOP_ORIGIN
    assert "Idempotency-Key" in ok.headers["Access-Control-Allow-Headers"]
    evil = client.options(
        "/api/v1/holds",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in evil.headers


def test_keys_are_stored_hashed(app, demo):
    from sqlalchemy import select

    from slotbooking.extensions import db
    from slotbooking.retailers.models import ApiKey

    with app.app_context():
        stored = db.session.scalars(select(ApiKey)).all()
    assert stored
    for key in stored:
        assert demo["secret_key"] not in (key.digest, key.prefix)
        assert len(key.digest) == 64
    assert {k.prefix[:3] for k in stored} == {"sk_", "pk_"}


def test_too_many_requests_are_rate_limited(tmp_path, clock):
    from slotbooking.demo.cli import demo_document
    from tests.conftest import import_document, make_app

    app = make_app(
        f"sqlite:///{tmp_path / 'limited.db'}",
        clock,
        RATELIMIT_ENABLED=True,
        RATELIMIT_DEFAULT="3 per minute",
    )
    keys = import_document(app, demo_document(), clock)
    api = ApiClient(app.test_client(), keys["secret_key"])
    statuses = [api.get("/slots", postcode="N1 2AB").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/slots", postcode="N1 2AB")
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
