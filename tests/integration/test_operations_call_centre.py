"""The call centre moves and cancels bookings for shoppers (PostgreSQL): the API's services, audited."""

import pytest
from sqlalchemy import select

from slotbooking.common.errors import Conflict
from slotbooking.extensions import db
from slotbooking.operations.call_centre import (
    CardPaymentNeeded,
    cancel_for_shopper,
    move_options,
    preview_move,
    reschedule_for_shopper,
)
from slotbooking.payments.models import Refund
from slotbooking.reservations.moves import PriceChanged
from tests.conftest import empty_tables, make_app
from tests.support.localstripe import TEST_SECRET_KEY, pay, start_localstripe
from tests.support.ops_console import audit_rows, book, deps, recorder, retailer, tenant_of, window
from tests.support.services import fresh_redis_url


def test_a_move_for_a_shopper_is_the_apis_move_with_an_audit_row(pg_app, clock):
    shop, _ = retailer(pg_app, clock)
    offer = shop.slots()
    booking = book(shop, window(offer, "08"), "ORD-1")
    day = booking["slot"]["start"][:10]
    evening = window(offer, "18", day)
    with pg_app.app_context():
        tenant = tenant_of()
        options = move_options(db.session, deps(pg_app), tenant, booking["id"], clock())
        assert options.day.isoformat() == day and evening["id"] in {w.slot_id for w in options.windows}
        assert {w.service_date for w in options.windows} == {options.day}
        assert options.days[0] == clock().date() and len(options.days) == tenant.horizon_days + 1
        confirmation = preview_move(db.session, deps(pg_app), tenant, booking["id"], evening["id"], clock())
        preview = confirmation.preview
        assert confirmation.booking.slot_id == booking["slot"]["id"]
        assert (preview.price.price, preview.price_change) == (500, 100)
        move = reschedule_for_shopper(
            db.session, deps(pg_app), tenant, booking["id"], evening["id"], 500, clock(), recorder(tenant)
        )
        assert (move.booking.slot_id, move.price_change) == (evening["id"], 100)
        [row] = audit_rows("booking.rescheduled")
        assert (row.actor, row.details["target"]) == ("agent@shop.test", booking["id"])
        assert row.details["diff"] == {"slot_id": [booking["slot"]["id"], evening["id"]], "price": [400, 500]}
    seen = shop.get(f"/bookings/{booking['id']}").get_json()
    assert (seen["slot"]["id"], seen["status"], seen["price"]["amount"]) == (
        evening["id"],
        "rescheduled",
        500,
    )


def test_a_move_at_a_price_that_changed_is_refused_and_leaves_no_trace(pg_app, clock):
    shop, _ = retailer(pg_app, clock)
    offer = shop.slots()
    booking = book(shop, window(offer, "08"), "ORD-1")
    evening = window(offer, "18", booking["slot"]["start"][:10])
    with pg_app.app_context():
        tenant = tenant_of()
        with pytest.raises(PriceChanged) as refused:
            reschedule_for_shopper(
                db.session, deps(pg_app), tenant, booking["id"], evening["id"], 400, clock(), recorder(tenant)
            )
        assert refused.value.details["price"] == 500
        assert audit_rows("booking.rescheduled") == []
    assert shop.get(f"/bookings/{booking['id']}").get_json()["slot"]["id"] == booking["slot"]["id"]


def test_a_cancelled_booking_cannot_be_moved(pg_app, clock):
    shop, _ = retailer(pg_app, clock)
    offer = shop.slots()
    booking = book(shop, window(offer, "08"), "ORD-1")
    with pg_app.app_context():
        tenant = tenant_of()
        cancel_for_shopper(db.session, deps(pg_app), tenant, booking["id"], clock(), recorder(tenant))
        with pytest.raises(Conflict):
            reschedule_for_shopper(
                db.session,
                deps(pg_app),
                tenant,
                booking["id"],
                window(offer, "09")["id"],
                400,
                clock(),
                recorder(tenant),
            )
        assert [r.action for r in audit_rows("booking.cancelled")] == ["booking.cancelled"]
        assert audit_rows("booking.rescheduled") == []


# -- paid by card through us (the localstripe emulator) -----------------------------------------


@pytest.fixture(scope="module")
def emulator():
    running = start_localstripe()
    yield running
    running.stop()


@pytest.fixture
def pay_app(pg_database, clock, emulator):
    app = make_app(
        pg_database,
        clock,
        redis_url=fresh_redis_url(),
        STRIPE_SECRET_KEY=TEST_SECRET_KEY,
        STRIPE_WEBHOOK_SECRET="whsec_ops",
        STRIPE_API_BASE=emulator.url,
    )
    empty_tables(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _paid_booking(shop, emulator, slot, quote_id) -> tuple[dict, str]:
    hold = shop.hold(slot["id"], quote_id=quote_id).get_json()
    intent_id = shop.post(f"/holds/{hold['id']}/payment").get_json()["payment_intent_id"]
    pay(emulator.client(), intent_id)
    shop.get(f"/holds/{hold['id']}/payment")  # our record catches up with Stripe
    booked = shop.book(hold["id"], order_ref="PAID-1")
    assert booked.status_code == 201, booked.get_json()
    return booked.get_json(), intent_id


def test_a_cancel_for_a_shopper_refunds_their_card_once(pay_app, clock, emulator):
    shop, _ = retailer(pay_app, clock, collect="stripe")
    offer = shop.slots()
    booking, intent_id = _paid_booking(shop, emulator, window(offer, "08"), offer["quote_id"])
    with pay_app.app_context():
        tenant = tenant_of()
        for _ in range(2):  # a repeat answers the same, refunds nothing more, records nothing more
            cancelled = cancel_for_shopper(
                db.session, deps(pay_app), tenant, booking["id"], clock(), recorder(tenant)
            )
            assert cancelled.status == "cancelled"
        refund = db.session.scalar(select(Refund))
        assert (refund.status, refund.amount, refund.reason) == ("succeeded", 400, "booking_cancelled")
        assert len(audit_rows("booking.cancelled")) == 1
    refunds = list(emulator.client().v1.refunds.list(params={"payment_intent": intent_id}).data)
    assert [r.amount for r in refunds] == [400]


def test_a_dearer_card_move_is_left_to_the_shopper_and_nothing_is_held(pay_app, clock, emulator):
    shop, _ = retailer(pay_app, clock, collect="stripe")
    offer = shop.slots()
    booking, _ = _paid_booking(shop, emulator, window(offer, "08"), offer["quote_id"])
    evening = window(offer, "18", booking["slot"]["start"][:10])
    with pay_app.app_context():
        tenant = tenant_of()
        with pytest.raises(CardPaymentNeeded) as refused:
            reschedule_for_shopper(
                db.session,
                deps(pay_app),
                tenant,
                booking["id"],
                evening["id"],
                500,
                clock(),
                recorder(tenant),
            )
        assert refused.value.status == 402 and refused.value.details["amount_due"]["amount"] == 100
        assert audit_rows("booking.rescheduled") == []
    detail = shop.get(f"/bookings/{booking['id']}").get_json()
    assert detail["slot"]["id"] == booking["slot"]["id"]
    again = shop.slots()  # no move hold took the evening's place
    assert next(s for s in again["slots"] if s["id"] == evening["id"])["remaining"] == evening["remaining"]


def test_a_cheaper_move_for_a_shopper_refunds_the_difference(pay_app, clock, emulator):
    shop, _ = retailer(pay_app, clock, collect="stripe")
    offer = shop.slots()
    evening = window(offer, "18")
    booking, intent_id = _paid_booking(shop, emulator, evening, offer["quote_id"])
    morning = window(offer, "08")
    with pay_app.app_context():
        tenant = tenant_of()
        move = reschedule_for_shopper(
            db.session, deps(pay_app), tenant, booking["id"], morning["id"], 400, clock(), recorder(tenant)
        )
        assert (move.price_change, move.refunded) == (-100, 100)
    refunds = list(emulator.client().v1.refunds.list(params={"payment_intent": intent_id}).data)
    assert [r.amount for r in refunds] == [100]
