"""Junk never answers 500: a 4xx validation_error naming the field, with nothing stored.

Lone surrogates (cannot be encoded for the database), NUL bytes (PostgreSQL text cannot hold
them), integers past Python's 4,300-digit conversion limit and JSON nested 30,000 deep, on
the API, the hosted pages, the widget embed's endpoints and the Stripe webhook.
"""

import json
import re

import pytest
from sqlalchemy import func, select, text

from slotbooking.extensions import db
from slotbooking.payments.models import StripeEvent
from tests.conftest import make_app
from tests.support.db import row_counts
from tests.support.localstripe import stripe_event, stripe_signature
from tests.support.services import fresh_redis_url

HUGE_INT = "9" * 5000
DEEP = "[" * 30_000 + "]" * 30_000
EMBED = "/embed/demo-grocer"


@pytest.fixture
def unchanged(app, shop):
    """Assert after the test that no booking, hold, slot or idempotency record appeared."""
    shop.slots()  # let the slots exist before counting
    before = row_counts(app)
    yield
    assert row_counts(app) == before


def validation_error(response, field: str, statuses=(400, 422)) -> dict:
    """Check a JSON 4xx validation_error whose details name the field; return the error."""
    assert response.status_code in statuses, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == "validation_error", error
    assert field in error["details"], error
    return error


def raw_post(shop, path: str, body: str, headers=None):
    """POST a JSON text exactly as written (json= would refuse to encode some of it)."""
    return shop.client.post(
        f"/api/v1{path}",
        data=body.encode("utf-8"),
        headers={**shop._headers(), "Content-Type": "application/json", **(headers or {})},
    )


def hold_body(slot_id: str, address: str = '{"postcode": "N1 2AB"}', **extra) -> str:
    fields = [f'"slot_id": "{slot_id}"', f'"address": {address}'] + [f'"{k}": {v}' for k, v in extra.items()]
    return "{" + ", ".join(fields) + "}"


@pytest.mark.usefixtures("unchanged")
class TestApi:
    def test_a_lone_surrogate_in_order_ref_is_refused(self, shop):
        _, slot = shop.first_available()
        body = hold_body(slot["id"], order_ref='"ORDER-\\ud800"')
        validation_error(raw_post(shop, "/bookings", body), "order_ref")

    def test_a_lone_surrogate_in_line1_is_refused_on_holds_and_bookings(self, shop):
        _, slot = shop.first_available()
        address = '{"postcode": "N1 2AB", "line1": "1 High St \\udfff"}'
        validation_error(raw_post(shop, "/holds", hold_body(slot["id"], address)), "address.line1")
        booking = hold_body(slot["id"], address, order_ref='"ORDER-1"')
        validation_error(raw_post(shop, "/bookings", booking), "address.line1")

    def test_a_surrogate_in_a_field_name_is_refused(self, shop):
        _, slot = shop.first_available()
        validation_error(raw_post(shop, "/holds", hold_body(slot["id"], **{"x\\ud800": "1"})), "x\ufffd")

    def test_a_nul_byte_in_the_cursor_is_refused(self, shop):
        validation_error(shop.get("/bookings", cursor="bkg_\x00x"), "cursor")

    def test_other_control_characters_in_the_query_are_refused_too(self, shop):
        validation_error(shop.get("/bookings", cursor="bkg_\x01x"), "cursor")

    @pytest.mark.parametrize(
        "method, path, field",
        [
            ("get", "/bookings/bkg_\x00x", "booking_id"),
            ("post", "/bookings/bkg_\x00x/cancel", "booking_id"),
            ("post", "/bookings/bkg_\x00x/reschedule", "booking_id"),
            ("delete", "/holds/hold_\x00x", "hold_id"),
            ("post", "/holds/hold_\x00x/payment", "hold_id"),
            ("get", "/holds/hold_\x00x/payment", "hold_id"),
        ],
    )
    def test_a_nul_byte_in_a_path_id_is_refused(self, shop, method, path, field):
        body = {"slot_id": "slot_x"} if path.endswith("reschedule") else None
        response = getattr(shop.client, method)(f"/api/v1{path}", json=body, headers=shop._headers())
        validation_error(response, field)

    @pytest.mark.parametrize(
        "path, body, field",
        [
            ("/holds", hold_body("slot_x").replace('"slot_x"', HUGE_INT), "slot_id"),
            (
                "/holds",
                hold_body("slot_x", f'{{"postcode": "N1 2AB", "lat": {HUGE_INT}, "lon": 0}}'),
                "address.lat",
            ),
            (
                "/holds",
                hold_body("slot_x", f'{{"postcode": "N1 2AB", "lat": -{HUGE_INT}, "lon": 0}}'),
                "address.lat",
            ),
            ("/bookings", hold_body("slot_x", order_ref=HUGE_INT), "order_ref"),
            ("/bookings/bkg_x/reschedule", f'{{"slot_id": {HUGE_INT}}}', "slot_id"),
        ],
    )
    def test_an_integer_of_5000_digits_is_refused(self, shop, path, body, field):
        validation_error(raw_post(shop, path, body), field)

    @pytest.mark.parametrize("path", ["/holds", "/bookings", "/bookings/bkg_x/reschedule"])
    def test_json_nested_30000_deep_is_refused(self, shop, path):
        error = validation_error(raw_post(shop, path, DEEP), "_schema", statuses=(400,))
        assert "nested" in error["details"]["_schema"][0]

    def test_json_nested_deeper_than_any_document_of_ours_is_refused(self, shop):
        _, slot = shop.first_available()
        deep_line = "[" * 40 + "]" * 40
        body = hold_body(slot["id"], f'{{"postcode": "N1 2AB", "line1": {deep_line}}}')
        response = raw_post(shop, "/holds", body)
        assert response.status_code == 422
        [(field, messages)] = response.get_json()["error"]["details"].items()
        assert field.startswith("address.line1[0]") and "nested deeper" in messages[0]


def test_junk_with_an_idempotency_key_stores_nothing_and_leaves_the_key_free(app, shop):
    _, slot = shop.first_available()
    key = {"Idempotency-Key": "order-7"}
    before = row_counts(app)
    junk = hold_body(slot["id"], order_ref='"ORDER-\\ud800"')
    validation_error(raw_post(shop, "/bookings", junk, headers=key), "order_ref")
    assert row_counts(app) == before
    good = {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "ORDER-7"}
    assert shop.post("/bookings", good, headers=key).status_code == 201


def page_token(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.mark.usefixtures("unchanged")
class TestHostedPages:
    BOOK = "/r/demo-grocer/book"

    def _inside_a_session(self, client, shop) -> str:
        """Open a booking session's link in this browser; return the grid's CSRF token."""
        url = shop.booking_session("ORDER-9")["url"]
        client.get("/" + url.split("/", 3)[3])
        return page_token(client, self.BOOK)

    def test_a_nul_byte_in_the_chosen_window_is_refused(self, client, shop):
        token = self._inside_a_session(client, shop)
        form = {"csrf_token": token, "slot_id": "slot_\x00x", "order_ref": "ORDER-9", "postcode": "N1 2AB"}
        response = client.post(f"{self.BOOK}/hold", data=form)
        assert response.status_code == 400
        assert "slot_id" in response.get_data(as_text=True)

    def test_a_nul_byte_in_the_quote_is_refused(self, client, shop):
        _, slot = shop.first_available()
        token = self._inside_a_session(client, shop)
        form = {
            "csrf_token": token,
            "slot_id": slot["id"],
            "quote_id": "q\x00",
            "order_ref": "ORDER-9",
            "postcode": "N1 2AB",
        }
        assert client.post(f"{self.BOOK}/hold", data=form).status_code == 400

    @pytest.mark.parametrize(
        "url, field",
        [
            (f"{BOOK}?order_ref=ORDER%00&postcode=N1%202AB", "order_ref"),
            (f"{BOOK}?order_ref=ORDER-9&postcode=N1%202AB&from=%00", "from"),
            ("/r/demo%00grocer/book?order_ref=ORDER-9", "slug"),
            ("/manage/aaaaaaaaaaaaaaaaaaaaaaaa%00", "token"),
        ],
    )
    def test_a_nul_byte_in_a_page_link_is_refused(self, client, url, field):
        response = client.get(url)
        assert response.status_code == 400
        assert field in response.get_data(as_text=True)


def test_a_nul_byte_in_a_new_window_leaves_the_booking_as_it_was(app, client, shop):
    _, slot = shop.first_available()
    booking = shop.post(
        "/bookings", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "R-1"}
    ).get_json()
    manage = "/manage/" + booking["manage_url"].rsplit("/", 1)[1]
    token = page_token(client, f"{manage}/reschedule")
    before = row_counts(app)
    response = client.post(f"{manage}/reschedule", data={"csrf_token": token, "slot_id": "slot_\x00"})
    assert response.status_code == 400
    assert "slot_id" in response.get_data(as_text=True)
    assert row_counts(app) == before
    assert shop.get(f"/bookings/{booking['id']}").get_json() == booking


@pytest.mark.usefixtures("unchanged")
class TestWidgetEmbed:
    def headers(self, demo):
        return {
            "Authorization": f"Bearer {demo['publishable_key']}",
            "Origin": "http://localhost",
            "Content-Type": "application/json",
        }

    def test_junk_in_a_hold_is_a_json_validation_error(self, client, demo, shop):
        _, slot = shop.first_available()
        address = '{"postcode": "N1 2AB", "line1": "\\ud800"}'
        for body, field in [
            (hold_body(slot["id"], address), "address.line1"),
            (hold_body(slot["id"]).replace(f'"{slot["id"]}"', HUGE_INT), "slot_id"),
            (DEEP, "_schema"),
        ]:
            response = client.post(f"{EMBED}/api/holds", data=body.encode(), headers=self.headers(demo))
            validation_error(response, field)

    def test_junk_in_the_slots_query_is_a_json_validation_error(self, client, demo):
        headers = self.headers(demo)
        response = client.get(f"{EMBED}/api/slots?postcode=N1%00&days={HUGE_INT}", headers=headers)
        validation_error(response, "postcode", statuses=(422,))
        response = client.get(f"{EMBED}/api/slots?postcode=N1%202AB&days={HUGE_INT}", headers=headers)
        validation_error(response, "days", statuses=(422,))

    def test_a_nul_byte_in_a_released_hold_id_is_refused(self, client, demo):
        response = client.delete(f"{EMBED}/api/holds/hold_%00", headers=self.headers(demo))
        validation_error(response, "hold_id")


WEBHOOK_SECRET = "whsec_test_for_junk"


@pytest.fixture(params=["sqlite", "pg"])
def webhook_app(request, tmp_path, clock):
    """The app with Stripe's webhook configured, on each backend."""
    settings = {"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
    if request.param == "sqlite":
        app = make_app(f"sqlite:///{tmp_path / 'webhook.db'}", clock, **settings)
    else:
        app = make_app(request.getfixturevalue("pg_database"), clock, redis_url=fresh_redis_url(), **settings)
        with app.app_context():
            db.session.execute(text("TRUNCATE stripe_events"))
            db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _signed_webhook(app, payload: bytes):
    return app.test_client().post(
        "/stripe/webhook",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_signature(payload, WEBHOOK_SECRET),
        },
    )


def _events(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StripeEvent))


@pytest.mark.parametrize(
    "event_id, field",
    [("evt_\\u0000nul", "id"), ("evt_\\ud800surrogate", "id")],
)
def test_a_correctly_signed_webhook_with_junk_ids_is_refused(webhook_app, event_id, field):
    intent = {"id": "pi_x", "object": "payment_intent", "status": "succeeded", "amount": 400}
    payload = stripe_event("payment_intent.succeeded", intent, event_id="EVENT_ID")
    payload = payload.replace(b"EVENT_ID", event_id.encode())
    assert json.loads(payload)["id"].startswith("evt_")
    validation_error(_signed_webhook(webhook_app, payload), field)
    assert _events(webhook_app) == 0


def test_a_webhook_nested_30000_deep_is_refused(webhook_app):
    validation_error(_signed_webhook(webhook_app, DEEP.encode()), "_schema", statuses=(400,))
    assert _events(webhook_app) == 0
