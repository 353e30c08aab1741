"""The manage page's reschedule over HTTP: prices for the address, and the difference before confirming."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import import_document, make_app
from tests.integration.test_reschedule import _window
from tests.support.api import ApiClient
from tests.support.localstripe import TEST_SECRET_KEY, pay, start_localstripe


@pytest.fixture
def shop_api(client, demo):
    """The demo retailer's backend (secret key); ``shop`` is the example shop's server here."""
    return ApiClient(client, demo["secret_key"])


def _text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _csrf(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _manage_path(booking) -> str:
    return "/manage/" + booking["manage_url"].rsplit("/manage/", 1)[1]


def _book(shop, slot) -> dict:
    body = {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "M-1"}
    answer = shop.post("/bookings", body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _review(client, path, slot) -> object:
    grid = client.get(f"{path}/reschedule")
    chosen = client.post(f"{path}/reschedule/review", data={"csrf_token": _csrf(grid), "slot_id": slot["id"]})
    assert chosen.status_code == 302, chosen.get_data(as_text=True)
    return client.get(chosen.headers["Location"])


def _confirm(client, review, **override):
    html = review.get_data(as_text=True)
    form = html[html.index('action="/manage/') :]
    fields = dict(re.findall(r'name="(csrf_token|slot_id|quote_id|price|day)" value="([^"]*)"', form))
    return client.post(review.request.path.removesuffix("/review"), data={**fields, **override})


def _stored(app, booking_id) -> Booking:
    with app.app_context():
        return db.session.get(Booking, booking_id)


def test_the_grid_and_the_review_show_the_new_price_and_the_difference(app, client, shop_api):
    offer = shop_api.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking = _book(shop_api, morning)
    path = _manage_path(booking)

    grid = _text(client.get(f"{path}/reschedule"))
    assert "for £4.00" in grid and "£5.00" in grid, "each window shows its price for this address"

    review = _review(client, path, evening)
    page = _text(review)
    assert review.status_code == 200 and "Change to this window?" in page
    assert "£5.00" in page and "£4.00" in page
    assert "This window costs £1.00 more. Demo Grocer settles the difference with you." in page
    assert _stored(app, booking["id"]).slot_id == morning["id"], "reviewing changes nothing"

    done = _confirm(client, review)
    assert done.status_code == 302 and done.headers["Location"].endswith(path)
    shown = _text(client.get(path))
    assert "Your delivery window has been changed. Your delivery now costs £5.00." in shown
    moved = _stored(app, booking["id"])
    assert (moved.slot_id, moved.price) == (evening["id"], 500)


def test_a_price_that_changed_since_the_review_is_not_taken(app, client, shop_api):
    offer = shop_api.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking = _book(shop_api, morning)
    path = _manage_path(booking)
    review = _review(client, path, evening)

    stale = _confirm(client, review, price="400")

    assert stale.status_code == 302 and "/reschedule/review" in stale.headers["Location"]
    assert "The price of this window is now £5.00" in _text(client.get(stale.headers["Location"]))
    assert _stored(app, booking["id"]).slot_id == morning["id"]


@pytest.fixture(scope="module")
def stripe_emulator():
    running = start_localstripe()
    yield running
    running.stop()


@pytest.fixture
def card_shop(tmp_path, clock, stripe_emulator):
    """A retailer that charges by card through us, with the hosted card form on (SQLite)."""
    app = make_app(
        f"sqlite:///{tmp_path / 'manage-pay.db'}",
        clock,
        STRIPE_SECRET_KEY=TEST_SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY="pk_test_localstripe",
        STRIPE_API_BASE=stripe_emulator.url,
        STRIPE_JS_URL=f"{stripe_emulator.url}/js.stripe.com/v3/",
    )
    document = demo_document()
    document["payments"] = {"collect": "stripe"}
    keys = import_document(app, document, clock)
    yield app, ApiClient(app.test_client(), keys["secret_key"])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _paid_booking(api, emulator, slot) -> dict:
    hold = api.hold(slot["id"]).get_json()
    intent = api.post(f"/holds/{hold['id']}/payment").get_json()["payment_intent_id"]
    pay(emulator.client(), intent)
    api.get(f"/holds/{hold['id']}/payment")
    return api.book(hold["id"]).get_json()


def test_a_cheaper_card_move_says_the_difference_is_refunded(card_shop, stripe_emulator):
    app, api = card_shop
    offer = api.slots()
    evening = _window(offer, 18)
    morning = _window(offer, 9, day=evening["start"][:10])
    booking = _paid_booking(api, stripe_emulator, evening)
    client, path = app.test_client(), _manage_path(booking)

    review = _review(client, path, morning)
    assert "This window costs £1.00 less. The £1.00 difference will be refunded to your card." in _text(
        review
    )
    _confirm(client, review)
    assert "The £1.00 difference has been refunded to your card" in _text(client.get(path))


def test_a_dearer_card_move_goes_to_payment_and_keeps_the_booking_until_paid(card_shop, stripe_emulator):
    app, api = card_shop
    offer = api.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking = _paid_booking(api, stripe_emulator, morning)
    client, path = app.test_client(), _manage_path(booking)

    review = _review(client, path, evening)
    page = _text(review)
    assert "This window costs £1.00 more. You pay the difference by card now" in page
    assert "Pay £1.00 and change window" in page
    to_pay = _confirm(client, review)
    assert to_pay.status_code == 302 and to_pay.headers["Location"].endswith(f"{path}/reschedule/pay")
    pay_page = client.get(to_pay.headers["Location"])
    assert pay_page.status_code == 200
    assert "Difference to pay now £1.00" in _text(pay_page)
    assert stripe_emulator.url in pay_page.headers["Content-Security-Policy"]
    assert _stored(app, booking["id"]).slot_id == morning["id"]
    with app.app_context():
        hold = db.session.scalar(select(Hold).where(Hold.moves_booking_id == booking["id"]))
        assert (hold.slot_id, hold.amount_due, hold.status) == (evening["id"], 100, "active")

    kept = client.post(f"{path}/reschedule/pay/release", data={"csrf_token": _csrf(pay_page)})
    assert kept.status_code == 302 and "Your delivery is unchanged." in _text(client.get(path))
    with app.app_context():
        assert db.session.get(Hold, hold.id).status == "released"
