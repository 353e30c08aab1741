"""Reschedules at the new window's price, through the API: the booking, the answer and the event."""

import pytest
from sqlalchemy import select

from slotbooking.demo.cli import demo_document
from slotbooking.events.models import EventDelivery
from slotbooking.extensions import db
from tests.conftest import import_document
from tests.support.api import ApiClient

# A flat in Islington (N1 zone), at its door rather than the zone's centroid.
DOOR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}


def _retailer(app, clock, **pricing) -> ApiClient:
    document = demo_document()
    document["pricing"].update(pricing)
    document["events"] = {"webhook_url": "http://127.0.0.1:9/hooks"}  # queued, never reached
    keys = import_document(app, document, clock)
    return ApiClient(app.test_client(), keys["secret_key"])


def _window(offer, hour: int, width: int = 60, day=None) -> dict:
    """The first available window starting at ``hour`` (local time), on ``day`` when given."""
    return next(
        s
        for s in offer["slots"]
        if s["available"]
        and s["width_minutes"] == width
        and int(s["start"][11:13]) == hour
        and (day is None or s["start"][:10] == day)
    )


def _book(shop, slot, address=None) -> dict:
    body = {"slot_id": slot["id"], "address": address or {"postcode": "N1 2AB"}, "order_ref": "R-1"}
    answer = shop.post("/bookings", body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _reschedule(shop, booking, slot, **extra):
    return shop.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": slot["id"], **extra})


def _rescheduled_events(app, runner) -> list[dict]:
    assert runner.invoke(args=["events", "deliver"]).exit_code == 0
    with app.app_context():
        rows = db.session.scalars(
            select(EventDelivery.payload).where(EventDelivery.kind == "booking.rescheduled")
        ).all()
    return list(rows)


@pytest.fixture
def flat_shop(app, clock):
    return _retailer(app, clock)


def test_a_dearer_move_takes_the_new_price_flat(flat_shop, app, runner):
    offer = flat_shop.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    assert (morning["price"]["amount"], evening["price"]["amount"]) == (400, 500)
    booking = _book(flat_shop, morning)

    moved = _reschedule(flat_shop, booking, evening)

    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert body["slot"]["id"] == evening["id"] and body["status"] == "rescheduled"
    assert body["price"] == {"amount": 500, "currency": "GBP"}
    assert body["base_price"] == {"amount": 500, "currency": "GBP"}
    assert body["price_change"] == {"amount": 100, "currency": "GBP"}
    shown = flat_shop.get(f"/bookings/{booking['id']}").get_json()
    assert shown["price"]["amount"] == 500 and "price_change" not in shown
    [event] = _rescheduled_events(app, runner)
    assert event["data"]["booking"]["price"]["amount"] == 500
    assert event["data"]["booking"]["price_change"] == {"amount": 100, "currency": "GBP"}
    details = event["data"]["details"]
    assert details["price_change"] == {"amount": 100, "currency": "GBP"}
    assert (details["from_price"]["amount"], details["to_price"]["amount"]) == (400, 500)
    assert details["refunded"]["amount"] == 0 and details["paid"]["amount"] == 0


def test_a_cheaper_move_takes_the_new_price_flat(flat_shop, app, runner):
    offer = flat_shop.slots()
    evening = _window(offer, 19)
    morning = _window(offer, 8, day=evening["start"][:10])
    booking = _book(flat_shop, evening)
    assert booking["price"]["amount"] == 500

    body = _reschedule(flat_shop, booking, morning).get_json()

    assert body["price"]["amount"] == 400
    assert body["price_change"] == {"amount": -100, "currency": "GBP"}
    [event] = _rescheduled_events(app, runner)
    # The retailer collects its own fees: nothing refunded here, the event says what to settle.
    assert event["data"]["details"]["price_change"]["amount"] == -100
    assert event["data"]["details"]["refunded"]["amount"] == 0


def test_moving_to_a_wide_window_in_static_mode_carries_its_discount(app, clock):
    shop = _retailer(app, clock, mode="static")
    offer = shop.slots()
    hour = _window(offer, 9)
    wide = _window(offer, 8, width=240, day=hour["start"][:10])
    assert wide["price"]["amount"] < hour["price"]["amount"], "static mode discounts wide windows"
    booking = _book(shop, hour)

    body = _reschedule(shop, booking, wide).get_json()

    assert body["price"] == wide["price"] and body["base_price"] == wide["base_price"]
    assert body["incentives"] == wide["incentives"] and body["incentives"][0]["kind"] == "wide"
    assert body["price_change"]["amount"] == wide["price"]["amount"] - hour["price"]["amount"] < 0
    assert body["price"]["amount"] == body["base_price"]["amount"] + sum(
        i["amount"] for i in body["incentives"]
    )


def test_a_dynamic_move_is_priced_for_the_booking_address_at_the_time_of_the_move(app, clock):
    shop = _retailer(app, clock, mode="dynamic", daily_discount_budget=100_000)
    offer = shop.slots(DOOR["postcode"], lat=DOOR["lat"], lon=DOOR["lon"])
    first = _window(offer, 9)
    booking = _book(shop, first, DOOR)
    clock.advance(minutes=30)  # later: the new window is priced now, not from the old offer
    now_offer = shop.slots(DOOR["postcode"], lat=DOOR["lat"], lon=DOOR["lon"])
    target = _window(now_offer, 8, width=240, day=first["start"][:10])

    body = _reschedule(shop, booking, target).get_json()

    assert body["price"] == target["price"] and body["incentives"] == target["incentives"]
    assert body["price_change"]["amount"] == target["price"]["amount"] - booking["price"]["amount"]
    assert shop.get(f"/bookings/{booking['id']}").get_json()["price"] == target["price"]


def test_a_quote_for_the_booking_address_is_honoured(app, clock):
    shop = _retailer(app, clock, mode="dynamic", daily_discount_budget=100_000)
    offer = shop.slots(DOOR["postcode"], lat=DOOR["lat"], lon=DOOR["lon"])
    booking = _book(shop, _window(offer, 9), DOOR)
    target = _window(offer, 12, width=240)
    body = _reschedule(shop, booking, target, quote_id=offer["quote_id"]).get_json()
    assert body["price"] == target["price"]


def test_asking_again_for_the_same_window_changes_nothing_and_a_key_replays_the_answer(
    flat_shop, app, runner
):
    offer = flat_shop.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking = _book(flat_shop, morning)
    path, body = f"/bookings/{booking['id']}/reschedule", {"slot_id": evening["id"]}

    first = flat_shop.post(path, body, headers={"Idempotency-Key": "move-1"})
    replay = flat_shop.post(path, body, headers={"Idempotency-Key": "move-1"})
    again = flat_shop.post(path, body)

    assert first.get_json()["price_change"]["amount"] == 100
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.get_json() == first.get_json()
    assert again.status_code == 200 and again.get_json()["price_change"]["amount"] == 0
    assert again.get_json()["price"]["amount"] == 500
    assert len(_rescheduled_events(app, runner)) == 1


def test_a_full_window_leaves_the_booking_and_its_price_unchanged(flat_shop, app):
    from tests.support.db import set_slot_capacity

    offer = flat_shop.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking = _book(flat_shop, morning)
    set_slot_capacity(app, evening["id"], 0)
    refused = _reschedule(flat_shop, booking, evening)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "slot_full"
    shown = flat_shop.get(f"/bookings/{booking['id']}").get_json()
    assert shown["slot"]["id"] == morning["id"] and shown["price"]["amount"] == 400
