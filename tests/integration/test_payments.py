"""Card payments through Stripe (the localstripe emulator): a hold is paid before it is booked."""

import pytest
from sqlalchemy import func, select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.payments.models import HoldPayment, Refund, StripeEvent
from tests.conftest import empty_tables, import_document, make_app
from tests.support.api import ApiClient
from tests.support.db import row_counts
from tests.support.localstripe import TEST_SECRET_KEY, pay, start_localstripe, stripe_event, stripe_signature
from tests.support.services import fresh_redis_url

WEBHOOK_SECRET = "whsec_test_for_payments"


@pytest.fixture(scope="module")
def emulator():
    running = start_localstripe()
    yield running
    running.stop()


@pytest.fixture(params=["sqlite", "pg"])
def pay_app(request, tmp_path, clock, emulator):
    """The app with Stripe configured (pointing at the emulator), on each backend."""
    settings = {
        "STRIPE_SECRET_KEY": TEST_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": emulator.url,
        "PAYMENT_HOLD_EXTENSION_MINUTES": 10,
        "PAYMENT_HOLD_MAX_MINUTES": 20,
    }
    if request.param == "sqlite":
        app = make_app(f"sqlite:///{tmp_path / 'payments.db'}", clock, **settings)
    else:
        app = make_app(request.getfixturevalue("pg_database"), clock, redis_url=fresh_redis_url(), **settings)
        empty_tables(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _retailer(app, clock, collect: str) -> ApiClient:
    document = demo_document()
    document["payments"] = {"collect": collect}
    keys = import_document(app, document, clock)
    return ApiClient(app.test_client(), keys["secret_key"])


@pytest.fixture
def paying(pay_app, clock) -> ApiClient:
    """The demo retailer, set to have its delivery fees paid by card through us."""
    return _retailer(pay_app, clock, "stripe")


def _hold(shop) -> dict:
    offer, slot = shop.first_available()
    response = shop.hold(slot["id"], quote_id=offer["quote_id"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _start(shop, hold_id) -> dict:
    response = shop.post(f"/holds/{hold_id}/payment")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _webhook(app, payload: bytes, signature: str | None = None):
    return app.test_client().post(
        "/stripe/webhook",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": signature or stripe_signature(payload, WEBHOOK_SECRET),
        },
    )


def _intent(emulator, intent_id: str, **changes) -> dict:
    intent = emulator.client().v1.payment_intents.retrieve(intent_id).to_dict()
    intent.update(changes)
    return intent


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _refunds_at_stripe(emulator, intent_id: str) -> list:
    return list(emulator.client().v1.refunds.list(params={"payment_intent": intent_id}).data)


def test_a_retailer_that_collects_itself_books_as_before(pay_app, clock):
    shop = _retailer(pay_app, clock, "retailer")
    hold = _hold(shop)
    booked = shop.book(hold["id"])
    assert booked.status_code == 201, booked.get_json()
    refused = shop.post(f"/holds/{_hold(shop)['id']}/payment")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "payment_not_required"


def test_booking_needs_the_payment_first(paying, pay_app):
    hold = _hold(paying)
    refused = paying.book(hold["id"])
    assert refused.status_code == 402
    error = refused.get_json()["error"]
    assert error["code"] == "payment_required"
    assert error["details"] == {
        "hold_id": hold["id"],
        "payment_status": None,
        "payment_url": f"/api/v1/holds/{hold['id']}/payment",
    }
    before = row_counts(pay_app)
    _, slot = paying.first_available()
    body = {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "O"}
    one_step = paying.post("/bookings", body)
    assert one_step.status_code == 402
    assert row_counts(pay_app) == before, "a refused one-step booking leaves no hold behind"


def test_one_payment_intent_per_hold_however_often_asked(paying, emulator):
    hold = _hold(paying)
    first = _start(paying, hold["id"])
    again = _start(paying, hold["id"])
    assert again["payment_intent_id"] == first["payment_intent_id"]
    assert again["client_secret"] == first["client_secret"]
    assert first["amount"] == hold["price"] and first["amount"]["amount"] > 0
    intent = emulator.client().v1.payment_intents.retrieve(first["payment_intent_id"])
    assert intent.amount == hold["price"]["amount"]
    assert intent.metadata["hold_id"] == hold["id"]
    assert first["status"] == "requires_payment_method"


def test_the_succeeded_webhook_permits_the_booking(paying, pay_app, emulator):
    hold = _hold(paying)
    payment = _start(paying, hold["id"])
    pay(emulator.client(), payment["payment_intent_id"])
    assert paying.book(hold["id"]).status_code == 402, "not booked until we are told the payment succeeded"

    answer = _webhook(
        pay_app, stripe_event("payment_intent.succeeded", _intent(emulator, payment["payment_intent_id"]))
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["outcome"] == "paid"
    booked = paying.book(hold["id"])
    assert booked.status_code == 201, booked.get_json()
    assert booked.get_json()["price"] == hold["price"]


def test_reading_the_payment_catches_up_when_the_webhook_is_late(paying, emulator):
    hold = _hold(paying)
    payment = _start(paying, hold["id"])
    pay(emulator.client(), payment["payment_intent_id"])
    shown = paying.get(f"/holds/{hold['id']}/payment")
    assert shown.status_code == 200 and shown.get_json()["status"] == "succeeded"
    assert paying.book(hold["id"]).status_code == 201


@pytest.mark.parametrize(
    "tamper",
    ["wrong_secret", "changed_body", "no_header", "old_timestamp"],
)
def test_a_badly_signed_webhook_is_refused_and_changes_nothing(paying, pay_app, emulator, tamper):
    hold = _hold(paying)
    payment = _start(paying, hold["id"])
    pay(emulator.client(), payment["payment_intent_id"])
    payload = stripe_event("payment_intent.succeeded", _intent(emulator, payment["payment_intent_id"]))
    tampered = payload.replace(b'"livemode": false', b'"livemode": true')
    signature = {
        "wrong_secret": stripe_signature(payload, "whsec_someone_else"),
        "changed_body": stripe_signature(tampered, WEBHOOK_SECRET),
        "no_header": "",
        "old_timestamp": stripe_signature(payload, WEBHOOK_SECRET, timestamp=1_000_000_000),
    }[tamper]
    answer = _webhook(pay_app, payload, signature=signature or "t=0")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_signature"
    assert _count(pay_app, StripeEvent) == 0
    assert paying.book(hold["id"]).status_code == 402


def test_a_webhook_body_that_is_not_an_event_is_a_400(pay_app):
    payload = b"not json at all"
    answer = _webhook(pay_app, payload)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "validation_error"


def test_a_repeated_event_is_handled_once(paying, pay_app, emulator, clock):
    hold = _hold(paying)
    payment = _start(paying, hold["id"])
    pay(emulator.client(), payment["payment_intent_id"])
    clock.advance(minutes=16)  # the hold has expired: the payment must be refunded, once
    payload = stripe_event("payment_intent.succeeded", _intent(emulator, payment["payment_intent_id"]))
    first, repeat = _webhook(pay_app, payload), _webhook(pay_app, payload)
    assert first.get_json()["outcome"] == "refund_queued"
    assert repeat.status_code == 200 and repeat.get_json()["outcome"] == "duplicate"
    assert _count(pay_app, StripeEvent) == 1
    assert _count(pay_app, Refund) == 1
    assert len(_refunds_at_stripe(emulator, payment["payment_intent_id"])) == 1
    gone = paying.book(hold["id"])
    assert gone.status_code == 410 and gone.get_json()["error"]["code"] == "hold_expired"


def test_events_out_of_order_never_undo_a_success(paying, pay_app, emulator):
    hold = _hold(paying)
    payment = _start(paying, hold["id"])
    intent_id = payment["payment_intent_id"]
    pay(emulator.client(), intent_id)
    succeeded = stripe_event("payment_intent.succeeded", _intent(emulator, intent_id), created=2_000)
    late_processing = stripe_event(
        "payment_intent.processing", _intent(emulator, intent_id, status="processing"), created=1_990
    )
    newer_but_stale = stripe_event(
        "payment_intent.processing", _intent(emulator, intent_id, status="processing"), created=2_010
    )
    assert _webhook(pay_app, succeeded).get_json()["outcome"] == "paid"
    assert _webhook(pay_app, late_processing).get_json()["outcome"] == "ignored_final"
    assert _webhook(pay_app, newer_but_stale).get_json()["outcome"] == "ignored_final"
    assert paying.get(f"/holds/{hold['id']}/payment").get_json()["status"] == "succeeded"
    assert paying.book(hold["id"]).status_code == 201


def test_an_older_event_does_not_overwrite_a_newer_one(paying, pay_app, emulator):
    hold = _hold(paying)
    intent_id = _start(paying, hold["id"])["payment_intent_id"]
    declined = _intent(emulator, intent_id, status="requires_payment_method")
    failed = stripe_event("payment_intent.payment_failed", declined, created=3_000)
    older_processing = stripe_event(
        "payment_intent.processing", _intent(emulator, intent_id, status="processing"), created=2_900
    )
    assert _webhook(pay_app, failed).get_json()["outcome"] == "unchanged"
    assert _webhook(pay_app, older_processing).get_json()["outcome"] == "ignored_older"
    with pay_app.app_context():
        assert db.session.scalar(select(HoldPayment.status)) == "requires_payment_method"


def test_a_success_after_the_booking_changes_nothing(paying, pay_app, emulator):
    hold = _hold(paying)
    intent_id = _start(paying, hold["id"])["payment_intent_id"]
    pay(emulator.client(), intent_id)
    assert paying.get(f"/holds/{hold['id']}/payment").get_json()["status"] == "succeeded"
    assert paying.book(hold["id"]).status_code == 201
    # Stripe's own succeeded event arrives after the shop has already booked.
    answer = _webhook(pay_app, stripe_event("payment_intent.succeeded", _intent(emulator, intent_id)))
    assert answer.get_json()["outcome"] == "already_booked"
    assert _count(pay_app, Refund) == 0
    assert _count(pay_app, Booking) == 1


def test_processing_extends_the_hold_once_and_within_the_limit(paying, pay_app, emulator, clock):
    hold = _hold(paying)
    intent_id = _start(paying, hold["id"])["payment_intent_id"]
    start = clock()
    clock.advance(minutes=12)  # 3 minutes left of the 15
    processing = _intent(emulator, intent_id, status="processing")
    answer = _webhook(pay_app, stripe_event("payment_intent.processing", processing, created=4_000))
    assert answer.get_json()["outcome"] == "processing"
    with pay_app.app_context():
        expires = db.session.scalar(select(Hold.expires_at))
    # now + 10 minutes would be 22 minutes after the hold began; the limit is 20.
    assert (expires - start).total_seconds() == 20 * 60
    clock.advance(minutes=7)
    _webhook(pay_app, stripe_event("payment_intent.processing", processing, created=4_100))
    with pay_app.app_context():
        assert db.session.scalar(select(Hold.expires_at)) == expires, "extended once only"
    assert paying.book(hold["id"]).status_code == 402, "still processing: not paid yet"


def test_cancelling_a_paid_booking_refunds_it_exactly_once(paying, pay_app, emulator):
    hold = _hold(paying)
    intent_id = _start(paying, hold["id"])["payment_intent_id"]
    pay(emulator.client(), intent_id)
    paying.get(f"/holds/{hold['id']}/payment")
    booking = paying.book(hold["id"]).get_json()
    first = paying.post(f"/bookings/{booking['id']}/cancel")
    assert first.status_code == 200
    assert len(_refunds_at_stripe(emulator, intent_id)) == 1  # sent during the cancel itself
    again = paying.post(f"/bookings/{booking['id']}/cancel")
    assert again.status_code == 200
    runner = pay_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["payments", "refunds"])
        assert result.exit_code == 0, result.output
    refunds = _refunds_at_stripe(emulator, intent_id)
    assert len(refunds) == 1
    assert refunds[0].amount == hold["price"]["amount"]
    with pay_app.app_context():
        refund = db.session.scalar(select(Refund))
        assert (refund.status, refund.booking_id, refund.stripe_refund_id) == (
            "succeeded",
            booking["id"],
            refunds[0].id,
        )
    assert _count(pay_app, Refund) == 1


def test_a_paid_hold_left_unbooked_is_refunded_by_the_refund_run(paying, pay_app, emulator, clock):
    hold = _hold(paying)
    intent_id = _start(paying, hold["id"])["payment_intent_id"]
    pay(emulator.client(), intent_id)
    assert paying.get(f"/holds/{hold['id']}/payment").get_json()["status"] == "succeeded"
    runner = pay_app.test_cli_runner()
    assert "0 refunds queued" in runner.invoke(args=["payments", "refunds"]).output
    clock.advance(minutes=40)  # the shop never booked; the hold (extended once) is over
    assert "1 refunds queued, 1 sent" in runner.invoke(args=["payments", "refunds"]).output
    assert len(_refunds_at_stripe(emulator, intent_id)) == 1


def test_without_a_stripe_key_the_retailer_collects_and_payment_is_skipped(app, clock):
    shop = _retailer(app, clock, "stripe")
    hold = _hold(shop)
    answer = shop.post(f"/holds/{hold['id']}/payment")
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "payment_not_required"
    booked = shop.book(hold["id"])
    assert booked.status_code == 201, booked.get_json()
    webhook = app.test_client().post("/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=0"})
    assert webhook.status_code == 503
