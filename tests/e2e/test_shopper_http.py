"""The shopper pages and the embed over HTTP (no browser), on SQLite and on PostgreSQL + Redis."""

import re

import pytest
from sqlalchemy import func, select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import SHOP_ORIGIN, import_document, make_app
from tests.support.api import ApiClient

BOOK = "/r/demo-grocer/book"


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model).filter_by(**where)
        return db.session.scalar(query)


def form_fields(html: str) -> dict:
    fields = dict(re.findall(r'name="(csrf_token|quote_id|price)" value="([^"]*)"', html))
    fields["slots"] = re.findall(r'name="slot_id" value="([^"]+)"\s+class="window[^"]*"\s*>', html)
    return fields


def open_session(client, secret_key, order_ref="ORDER-9", postcode="N1 2AB") -> str:
    """Open a booking session through the API and follow its link in this client; return the grid page."""
    made = ApiClient(client, secret_key).booking_session(order_ref, postcode)
    link = client.get("/" + made["url"].split("/", 3)[3])
    assert link.status_code == 302 and link.headers["Location"] == BOOK
    response = client.get(BOOK)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def grid(client, demo):
    return form_fields(open_session(client, demo["secret_key"]))


def hold(client, grid, slot_index=0, **extra):
    data = {
        "csrf_token": grid["csrf_token"],
        "slot_id": grid["slots"][slot_index],
        "quote_id": grid["quote_id"],
        **extra,
    }
    return client.post(f"{BOOK}/hold", data=data)


def test_page_forms_need_the_session_token(app, client, grid):
    refused = hold(client, grid, csrf_token="forged")
    assert refused.status_code == 400 and "This page has expired" in refused.get_data(as_text=True)
    assert count(app, Hold) == 0
    missing = client.post(f"{BOOK}/confirm", data={"price": "400"})
    assert missing.status_code == 400
    accepted = hold(client, grid)
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith("/book/checkout")
    assert count(app, Hold, status="active") == 1


def test_the_api_needs_no_page_token_even_with_a_session_cookie(client, grid, browser_shop):
    offer, slot = browser_shop.first_available()
    assert browser_shop.hold(slot["id"], quote_id=offer["quote_id"]).status_code == 201


@pytest.mark.parametrize(
    "url, status, says",
    [
        ("/r/no-such-shop/book?order_ref=A", 404, "could not find this shop"),
        ("/r/Bad%20Slug!/book?order_ref=A", 404, "could not find"),
        (f"{BOOK}", 403, "Open your booking link"),
        (f"{BOOK}?order_ref=A%00B", 400, "order_ref"),  # junk: the input guard's page names the field
        (f"{BOOK}?order_ref=A&postcode=N1%202AB", 403, "Open your booking link"),
        ("/r/demo-grocer/s/not-a-token", 404, "We do not recognise this link"),
        ("/r/demo-grocer/s/" + "x" * 43, 404, "We do not recognise this link"),
        ("/manage/not-a-token", 404, "could not find this booking"),
        ("/manage/" + "x" * 43 + "/cancel", 404, "could not find this booking"),
        ("/embed/demo-grocer?key=pk_wrong", 401, "publishable key"),
    ],
)
def test_bad_links_get_a_clear_page(client, demo, url, status, says):
    response = client.get(url)
    assert response.status_code == status
    assert says in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


@pytest.mark.parametrize(
    "query", ["?from=1999-01-01&day=tuesday", "?from=not-a-date", "?day=someday", "?order_ref=A&postcode=E8"]
)
def test_odd_grid_links_inside_a_session_still_show_the_grid(client, grid, query):
    response = client.get(f"{BOOK}{query}")
    assert response.status_code == 200 and "Choose a delivery window" in response.get_data(as_text=True)


def test_a_window_that_cannot_be_held_sends_the_shopper_back_to_the_grid(app, client, grid):
    response = hold(client, grid, slot_id="slot_nonexistent")
    assert response.status_code == 302 and response.headers["Location"].startswith(BOOK)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "no longer offered" in page
    assert count(app, Hold) == 0


def test_confirming_after_the_hold_lapsed_books_nothing(app, client, clock, grid):
    hold(client, grid)
    checkout = form_fields(client.get(f"{BOOK}/checkout").get_data(as_text=True))
    clock.advance(minutes=16)
    response = client.post(
        f"{BOOK}/confirm", data={"csrf_token": grid["csrf_token"], "price": checkout["price"]}
    )
    assert response.status_code == 302 and response.headers["Location"].startswith(BOOK)
    assert "Your hold ran out" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert count(app, Booking) == 0


def test_confirmation_refuses_a_price_the_shopper_did_not_see(app, client, grid):
    hold(client, grid)
    response = client.post(f"{BOOK}/confirm", data={"csrf_token": grid["csrf_token"], "price": "1"})
    assert response.headers["Location"].endswith("/book/checkout")
    assert "Please check it and confirm again" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert count(app, Booking) == 0


def test_a_repeated_confirmation_lands_on_the_same_booking(app, client, grid):
    hold(client, grid)
    price = form_fields(client.get(f"{BOOK}/checkout").get_data(as_text=True))["price"]
    first = client.post(f"{BOOK}/confirm", data={"csrf_token": grid["csrf_token"], "price": price})
    again = client.post(f"{BOOK}/confirm", data={"csrf_token": grid["csrf_token"], "price": price})
    assert first.headers["Location"].startswith("/manage/")
    assert again.headers["Location"] == first.headers["Location"]
    assert count(app, Booking) == 1


def test_times_and_money_follow_the_shoppers_locale(client, grid):
    url = BOOK
    british = client.get(url, headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    american = client.get(url, headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    asked = client.get(f"{url}?lang=en_US").get_data(as_text=True)
    assert "08:00–12:00" in british and "£4.00" in british
    # The browser picks the language; a London shop's English shopper reads its formats.
    assert "08:00–12:00" in american and "£4.00" in american
    assert "8:00\u202fAM–12:00\u202fPM" in asked and "£4.00" in asked  # US formats by name


def test_our_pages_cannot_be_framed_and_the_embed_only_by_the_retailer(client, demo):
    page = client.get(f"{BOOK}?order_ref=A")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    embed = client.get(f"/embed/demo-grocer?key={demo['publishable_key']}&postcode=N1")
    assert embed.status_code == 200
    ancestors = embed.headers["Content-Security-Policy"].split("frame-ancestors ")[1]
    assert SHOP_ORIGIN in ancestors.split() and "*" not in ancestors
    assert client.get(f"/embed/demo-grocer?key={demo['secret_key']}").status_code == 401


def test_the_embed_api_takes_writes_only_from_its_own_page(app, client, demo):
    key = {"Authorization": f"Bearer {demo['publishable_key']}", "Accept": "application/json"}
    offer = client.get("/embed/demo-grocer/api/slots?postcode=N1%202AB", headers=key).get_json()
    slot = next(s for s in offer["slots"] if s["available"])
    body = {"slot_id": slot["id"], "quote_id": offer["quote_id"], "address": {"postcode": "N1 2AB"}}
    elsewhere = client.post("/embed/demo-grocer/api/holds", json=body, headers={**key, "Origin": SHOP_ORIGIN})
    assert elsewhere.status_code == 403 and elsewhere.get_json()["error"]["code"] == "forbidden"
    secret = {**key, "Authorization": f"Bearer {demo['secret_key']}", "Origin": "http://localhost"}
    assert client.post("/embed/demo-grocer/api/holds", json=body, headers=secret).status_code == 401
    bad = client.post(
        "/embed/demo-grocer/api/holds", json={"slot_id": ""}, headers={**key, "Origin": "http://localhost"}
    )
    assert bad.status_code == 422 and "address" in bad.get_json()["error"]["details"]
    assert count(app, Hold) == 0
    own = client.post(
        "/embed/demo-grocer/api/holds", json=body, headers={**key, "Origin": "http://localhost"}
    )
    assert own.status_code == 201 and own.get_json()["price"] == slot["price"]


def test_a_window_paid_by_card_is_not_booked_without_payment(tmp_path, clock):
    app = make_app(f"sqlite:///{tmp_path / 'paid.db'}", clock, STRIPE_SECRET_KEY="sk_test_not_called")
    document = demo_document()
    document["payments"] = {"collect": "stripe"}
    client = app.test_client()
    keys = import_document(app, document, clock)
    grid = form_fields(open_session(client, keys["secret_key"]))
    hold(client, grid)
    price = form_fields(client.get(f"{BOOK}/checkout").get_data(as_text=True))["price"]
    response = client.post(f"{BOOK}/confirm", data={"csrf_token": grid["csrf_token"], "price": price})
    assert response.headers["Location"].endswith("/book/checkout")
    assert "paid by card" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert count(app, Booking) == 0 and count(app, Hold, status="active") == 1
    with app.app_context():
        db.engine.dispose()
