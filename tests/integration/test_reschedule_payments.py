"""Reschedules where we take the fee by card (localstripe): refund a cheaper move, charge a dearer first."""

import pytest
from sqlalchemy import func, select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.extensions import db
from slotbooking.payments.models import Refund
from tests.integration import test_payments
from tests.integration.test_reschedule import _window
from tests.support.db import occupied
from tests.support.localstripe import pay

# The Stripe emulator and the app that pays through it, as the payments tests set them up.
emulator, pay_app = test_payments.emulator, test_payments.pay_app
_retailer = test_payments._retailer


@pytest.fixture
def paying(pay_app, clock):
    return _retailer(pay_app, clock, "stripe")


def _paid_booking(shop, emulator, slot) -> tuple[dict, str]:
    """Hold, pay and book a window as the shop does; return the booking and its PaymentIntent id."""
    hold = shop.hold(slot["id"]).get_json()
    intent_id = shop.post(f"/holds/{hold['id']}/payment").get_json()["payment_intent_id"]
    pay(emulator.client(), intent_id)
    assert shop.get(f"/holds/{hold['id']}/payment").get_json()["status"] == "succeeded"
    booked = shop.book(hold["id"])
    assert booked.status_code == 201, booked.get_json()
    return booked.get_json(), intent_id


def _refunds_at_stripe(emulator, intent_id) -> list[int]:
    return [r.amount for r in emulator.client().v1.refunds.list(params={"payment_intent": intent_id}).data]


def _refund_rows(app) -> list[tuple]:
    with app.app_context():
        return [
            (r.reason, r.amount, r.status) for r in db.session.scalars(select(Refund).order_by(Refund.id))
        ]


def _refund_run(app) -> None:
    for _ in range(2):
        result = app.test_cli_runner().invoke(args=["payments", "refunds"])
        assert result.exit_code == 0, result.output


def test_a_cheaper_move_refunds_the_difference_once_and_a_cancel_only_what_remains(
    paying,
    pay_app,
    emulator,
):
    offer = paying.slots()
    evening = _window(offer, 18)
    morning = _window(offer, 9, day=evening["start"][:10])
    booking, intent_id = _paid_booking(paying, emulator, evening)
    assert booking["price"]["amount"] == 500

    moved = paying.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": morning["id"]})

    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["price_change"] == {"amount": -100, "currency": "GBP"}
    assert moved.get_json()["price"]["amount"] == 400
    assert _refunds_at_stripe(emulator, intent_id) == [100]  # sent during the reschedule itself
    again = paying.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": morning["id"]})
    assert again.get_json()["price_change"]["amount"] == 0
    _refund_run(pay_app)
    assert _refunds_at_stripe(emulator, intent_id) == [100], "the difference is refunded once"
    assert _refund_rows(pay_app) == [("booking_rescheduled", 100, "succeeded")]

    assert paying.post(f"/bookings/{booking['id']}/cancel").status_code == 200
    _refund_run(pay_app)
    assert sorted(_refunds_at_stripe(emulator, intent_id)) == [100, 400], "the rest, and only the rest"
    assert _refund_rows(pay_app) == [
        ("booking_rescheduled", 100, "succeeded"),
        ("booking_cancelled", 400, "succeeded"),
    ]


def test_a_dearer_move_is_paid_first_then_completes(paying, pay_app, emulator, clock):
    offer = paying.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking, first_intent = _paid_booking(paying, emulator, morning)
    path = f"/bookings/{booking['id']}/reschedule"

    refused = paying.post(path, {"slot_id": evening["id"]})

    assert refused.status_code == 402
    error = refused.get_json()["error"]
    assert error["code"] == "payment_required"
    details = error["details"]
    hold_id = details["hold_id"]
    assert details["amount_due"] == details["price_change"] == {"amount": 100, "currency": "GBP"}
    assert details["price"] == {"amount": 500, "currency": "GBP"}
    assert details["payment_url"] == f"/api/v1/holds/{hold_id}/payment"
    assert details["reschedule_url"] == f"/api/v1{path}"
    assert (details["slot_id"], details["payment_status"]) == (evening["id"], None)
    unchanged = paying.get(f"/bookings/{booking['id']}").get_json()
    assert unchanged["slot"]["id"] == morning["id"] and unchanged["price"]["amount"] == 400
    assert occupied(pay_app, evening["id"], clock()) == 1, "the new window is held while the shopper pays"
    assert paying.post(path, {"slot_id": evening["id"]}).get_json()["error"]["details"]["hold_id"] == hold_id
    misuse = paying.book(hold_id)
    assert misuse.status_code == 409, "a move's hold never becomes a second booking"

    payment = paying.post(details["payment_url"].removeprefix("/api/v1")).get_json()
    assert payment["amount"] == {"amount": 100, "currency": "GBP"}
    still_unpaid = paying.post(path, {"slot_id": evening["id"], "hold_id": hold_id})
    assert still_unpaid.status_code == 402
    assert still_unpaid.get_json()["error"]["details"]["payment_status"] == "requires_payment_method"
    pay(emulator.client(), payment["payment_intent_id"])
    paying.get(f"/holds/{hold_id}/payment")  # the shop reads the payment (or Stripe's webhook came)

    done = paying.post(path, {"slot_id": evening["id"], "hold_id": hold_id})

    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["slot"]["id"] == evening["id"] and body["price"]["amount"] == 500
    assert body["price_change"] == {"amount": 100, "currency": "GBP"}
    assert occupied(pay_app, evening["id"], clock()) == 1 and occupied(pay_app, morning["id"], clock()) == 0
    intent = emulator.client().v1.payment_intents.retrieve(payment["payment_intent_id"])
    assert (intent.amount, intent.status) == (100, "succeeded")
    repeat = paying.post(path, {"slot_id": evening["id"], "hold_id": hold_id})
    assert repeat.status_code == 200 and repeat.get_json()["price_change"]["amount"] == 0

    # Cancelling gives back both payments in full: 400 for the window, 100 for the move.
    assert paying.post(f"/bookings/{booking['id']}/cancel").status_code == 200
    _refund_run(pay_app)
    assert _refunds_at_stripe(emulator, first_intent) == [400]
    assert _refunds_at_stripe(emulator, payment["payment_intent_id"]) == [100]
    with pay_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_a_move_hold_left_unpaid_changes_nothing_when_it_lapses(paying, pay_app, emulator, clock):
    offer = paying.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking, _ = _paid_booking(paying, emulator, morning)
    path = f"/bookings/{booking['id']}/reschedule"
    hold_id = paying.post(path, {"slot_id": evening["id"]}).get_json()["error"]["details"]["hold_id"]
    clock.advance(minutes=16)

    late = paying.post(path, {"slot_id": evening["id"], "hold_id": hold_id})

    assert late.status_code == 410 and late.get_json()["error"]["code"] == "hold_expired"
    assert occupied(pay_app, evening["id"], clock()) == 0
    shown = paying.get(f"/bookings/{booking['id']}").get_json()
    assert shown["slot"]["id"] == morning["id"] and shown["price"]["amount"] == 400
    with pay_app.app_context():
        assert db.session.get(Hold, hold_id).moves_booking_id == booking["id"]
    assert _refund_rows(pay_app) == []


def test_where_the_retailer_collects_a_dearer_move_completes_at_once(pay_app, clock):
    shop = _retailer(pay_app, clock, "retailer")
    offer = shop.slots()
    morning = _window(offer, 9)
    evening = _window(offer, 18, day=morning["start"][:10])
    booking = shop.book(shop.hold(morning["id"]).get_json()["id"]).get_json()
    moved = shop.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": evening["id"]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["price_change"]["amount"] == 100
    assert _refund_rows(pay_app) == []
