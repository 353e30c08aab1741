"""PostgreSQL refusing a booking transaction (serialization failure, deadlock): retried, then 503.

PostgreSQL itself raises the errors here: a trigger on holds and bookings fails the first N
writes with the SQLSTATE under test, counted by a sequence (which, unlike a table, is not
rolled back with the refused transaction). So the real driver, the real rollback and the
real retry run, and afterwards the database and the grid must tell the same story.
"""

import logging
import threading
import time

import psycopg
import pytest
from sqlalchemy import func, select, text

from slotbooking.bookings.models import Booking, BookingEvent, Hold, IdempotencyRecord
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.payments.models import HoldPayment, StripeEvent
from slotbooking.slots.models import Slot
from tests.conftest import empty_tables, import_document, make_app
from tests.support.api import ApiClient
from tests.support.localstripe import TEST_SECRET_KEY, pay, start_localstripe, stripe_event, stripe_signature
from tests.support.services import fresh_redis_url

pytestmark = pytest.mark.services

SQLSTATES = {"serialization_failure": "40001", "deadlock_detected": "40P01"}
BOOKING_TABLES = ("holds", "bookings")
ALL_TABLES = (*BOOKING_TABLES, "hold_payments")
ALWAYS = 1_000_000
WEBHOOK_SECRET = "whsec_test_for_retries"


@pytest.fixture
def pg_app(pg_database, clock, emulator):
    """The PostgreSQL app with Stripe configured (the emulator)."""
    app = make_app(
        pg_database,
        clock,
        redis_url=fresh_redis_url(),
        STRIPE_SECRET_KEY=TEST_SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=emulator.url,
    )
    empty_tables(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def emulator():
    running = start_localstripe()
    yield running
    running.stop()


@pytest.fixture
def shop(pg_app, clock):
    keys = import_document(pg_app, demo_document(), clock)
    return ApiClient(pg_app.test_client(), keys["secret_key"])


@pytest.fixture
def refuse(pg_app):
    """refuse(times, sqlstate): make PostgreSQL refuse the next `times` writes to these tables."""

    def arm(times: int, sqlstate: str, tables=BOOKING_TABLES) -> None:
        with pg_app.app_context():
            db.session.execute(text("DROP SEQUENCE IF EXISTS test_refusals"))
            db.session.execute(text("CREATE SEQUENCE test_refusals"))
            db.session.execute(
                text(
                    f"""
                    CREATE OR REPLACE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF nextval('test_refusals') <= {int(times)} THEN
                        RAISE EXCEPTION 'refused by the test' USING ERRCODE = '{sqlstate}';
                      END IF;
                      RETURN NEW;
                    END $$"""
                )
            )
            for table in tables:
                db.session.execute(text(f"DROP TRIGGER IF EXISTS test_refuse ON {table}"))
                db.session.execute(
                    text(
                        f"CREATE TRIGGER test_refuse BEFORE INSERT OR UPDATE ON {table} "
                        "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
                    )
                )
            db.session.commit()

    yield arm
    with pg_app.app_context():
        for table in ALL_TABLES:
            db.session.execute(text(f"DROP TRIGGER IF EXISTS test_refuse ON {table}"))
        db.session.execute(text("DROP FUNCTION IF EXISTS test_refuse()"))
        db.session.execute(text("DROP SEQUENCE IF EXISTS test_refusals"))
        db.session.commit()


def refusals_used(app) -> int:
    with app.app_context():
        return db.session.scalar(text("SELECT last_value FROM test_refusals"))


def story(app) -> dict:
    """What a retailer could count: bookings, holds, events, keys, and each one's state."""
    with app.app_context():
        session = db.session
        return {
            "bookings": sorted(session.execute(select(Booking.id, Booking.slot_id, Booking.status)).all()),
            "holds": sorted(session.execute(select(Hold.id, Hold.slot_id, Hold.status)).all()),
            "events": session.scalar(select(func.count()).select_from(BookingEvent)),
            "idempotency_records": session.scalar(select(func.count()).select_from(IdempotencyRecord)),
        }


def remaining(shop, slot_id) -> int:
    return next(s for s in shop.slots()["slots"] if s["id"] == slot_id)["remaining"]


def _hold(shop, slot, other):
    response = shop.hold(slot["id"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _booking(shop, slot, other):
    body = {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "setup"}
    response = shop.post("/bookings", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


# Each operation: (prepare(shop, slot, other) -> state, act(shop, state, slot, other, headers) -> response,
# the status it answers, and how many places of `slot` it takes (+) or gives back (-)).
OPERATIONS = {
    "place_hold": (
        lambda shop, slot, other: None,
        lambda shop, state, slot, other, headers: shop.post(
            "/holds", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}}, headers=headers
        ),
        201,
        1,
    ),
    "book_slot": (
        lambda shop, slot, other: None,
        lambda shop, state, slot, other, headers: shop.post(
            "/bookings",
            {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "1001"},
            headers=headers,
        ),
        201,
        1,
    ),
    "book_hold": (
        _hold,
        lambda shop, hold_id, slot, other, headers: shop.book(hold_id, "1001", headers=headers),
        201,
        0,
    ),
    "release_hold": (
        _hold,
        lambda shop, hold_id, slot, other, headers: shop.delete(f"/holds/{hold_id}"),
        204,
        -1,
    ),
    "reschedule": (
        _booking,
        lambda shop, booking_id, slot, other, headers: shop.post(
            f"/bookings/{booking_id}/reschedule", {"slot_id": other["id"]}
        ),
        200,
        -1,
    ),
    "cancel": (
        _booking,
        lambda shop, booking_id, slot, other, headers: shop.post(f"/bookings/{booking_id}/cancel"),
        200,
        -1,
    ),
}


def two_slots(shop):
    offer = shop.slots()
    slot, other = [s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60][:2]
    return slot, other


@pytest.mark.parametrize("sqlstate", SQLSTATES.values(), ids=SQLSTATES.keys())
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_refusal_that_clears_is_retried_transparently(pg_app, shop, refuse, operation, sqlstate):
    prepare, act, status, taken = OPERATIONS[operation]
    slot, other = two_slots(shop)
    state = prepare(shop, slot, other)
    before_story, before_left = story(pg_app), remaining(shop, slot["id"])

    refuse(2, sqlstate)  # the first two attempts are refused, the third passes
    response = act(shop, state, slot, other, {"Idempotency-Key": f"{operation}-1"})

    assert response.status_code == status, response.get_json()
    assert refusals_used(pg_app) >= 3
    assert remaining(shop, slot["id"]) == before_left - taken
    after = story(pg_app)
    new_bookings = set(after["bookings"]) - set(before_story["bookings"])
    if operation in ("book_slot", "book_hold"):
        assert len(new_bookings) == 1 and len(after["bookings"]) == len(before_story["bookings"]) + 1
        assert after["events"] == before_story["events"] + 1
    if operation == "place_hold":
        assert len(after["holds"]) == len(before_story["holds"]) + 1
    if operation in ("reschedule", "cancel"):
        assert after["events"] == before_story["events"] + 1


@pytest.mark.parametrize("sqlstate", SQLSTATES.values(), ids=SQLSTATES.keys())
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_refusal_that_persists_answers_503_and_stores_nothing(pg_app, shop, refuse, operation, sqlstate):
    prepare, act, status, _ = OPERATIONS[operation]
    slot, other = two_slots(shop)
    state = prepare(shop, slot, other)
    before_story, before_left = story(pg_app), remaining(shop, slot["id"])
    headers = {"Idempotency-Key": f"{operation}-2"}

    refuse(ALWAYS, sqlstate)
    response = act(shop, state, slot, other, headers)

    body = response.get_json()
    assert response.status_code == 503, body
    assert body["error"]["code"] == "unavailable" and body["error"]["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 5
    assert refusals_used(pg_app) == pg_app.config["DB_RETRY_ATTEMPTS"] == 3  # bounded
    assert story(pg_app) == before_story
    assert remaining(shop, slot["id"]) == before_left

    refuse(0, sqlstate)  # the contention is over: the same request, same key, now goes through
    assert act(shop, state, slot, other, headers).status_code == status


def test_the_number_of_attempts_is_a_setting(pg_app, shop, refuse):
    pg_app.config["DB_RETRY_ATTEMPTS"] = 5
    slot, _ = two_slots(shop)
    refuse(4, SQLSTATES["deadlock_detected"])
    response = shop.post("/holds", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}})
    assert response.status_code == 201, response.get_json()
    assert refusals_used(pg_app) == 5


@pytest.fixture
def paid_hold(pg_app, clock, emulator):
    """A card-paying retailer's hold, paid at Stripe; we have not been told yet."""
    document = demo_document()
    document["payments"] = {"collect": "stripe"}
    keys = import_document(pg_app, document, clock)
    paying = ApiClient(pg_app.test_client(), keys["secret_key"])
    offer, slot = paying.first_available()
    hold = paying.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    payment = paying.post(f"/holds/{hold['id']}/payment").get_json()
    pay(emulator.client(), payment["payment_intent_id"])
    intent = emulator.client().v1.payment_intents.retrieve(payment["payment_intent_id"]).to_dict()
    return paying, hold["id"], stripe_event("payment_intent.succeeded", intent)


def webhook(app, payload: bytes):
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": stripe_signature(payload, WEBHOOK_SECRET),
    }
    return app.test_client().post("/stripe/webhook", data=payload, headers=headers)


def payment_story(app) -> dict:
    with app.app_context():
        return {
            "events": db.session.scalar(select(func.count()).select_from(StripeEvent)),
            "payments": db.session.execute(select(HoldPayment.status, HoldPayment.state_seen_at)).all(),
        }


@pytest.mark.parametrize("sqlstate", SQLSTATES.values(), ids=SQLSTATES.keys())
def test_a_payment_webhook_refused_for_a_while_is_applied_once(pg_app, paid_hold, refuse, sqlstate):
    paying, hold_id, event = paid_hold
    refuse(2, sqlstate, tables=("hold_payments",))
    answer = webhook(pg_app, event)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["outcome"] == "paid"
    assert refusals_used(pg_app) == 3
    assert payment_story(pg_app)["events"] == 1
    assert paying.book(hold_id).status_code == 201


@pytest.mark.parametrize("sqlstate", SQLSTATES.values(), ids=SQLSTATES.keys())
def test_a_payment_webhook_refused_for_good_answers_503_and_stores_nothing(
    pg_app, paid_hold, refuse, sqlstate
):
    paying, hold_id, event = paid_hold
    before = payment_story(pg_app)
    refuse(ALWAYS, sqlstate, tables=("hold_payments",))
    answer = webhook(pg_app, event)
    assert answer.status_code == 503  # Stripe delivers the event again later
    assert 1 <= int(answer.headers["Retry-After"]) <= 5
    assert refusals_used(pg_app) == 3
    assert payment_story(pg_app) == before  # not even the event id: Stripe's redelivery is applied
    refuse(0, sqlstate, tables=("hold_payments",))
    assert webhook(pg_app, event).get_json()["outcome"] == "paid"
    assert paying.book(hold_id).status_code == 201


def test_a_real_deadlock_with_another_connection_is_retried(pg_app, pg_database, shop, caplog):
    """Another client locks the depot's day, then the slot the booking has just locked: PostgreSQL
    detects the deadlock and aborts the booking (it waited first), whose retry then goes through."""
    slot, _ = two_slots(shop)
    with pg_app.app_context():
        depot_id, day = db.session.execute(
            select(Slot.depot_id, Slot.service_date).where(Slot.id == slot["id"])
        ).one()
    answers = []
    caplog.set_level(logging.INFO, logger="slotbooking.common.retry")
    with psycopg.connect(pg_database) as other, psycopg.connect(pg_database, autocommit=True) as watch:
        other.execute(
            "UPDATE depot_days SET lock_seq = lock_seq + 1 WHERE depot_id = %s AND service_date = %s",
            (depot_id, day),
        )
        booking = threading.Thread(
            target=lambda: answers.append(
                shop.post(
                    "/bookings",
                    {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "1001"},
                )
            )
        )
        booking.start()
        for _ in range(200):  # until the booking waits for the depot day, holding the slot's row
            waiting = watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE '%%UPDATE depot_days%%'"  # on its own, or after the slot's in one statement
            ).fetchone()[0]
            if waiting:
                break
            time.sleep(0.02)
        assert waiting, "the booking never waited for the depot day's lock"
        other.execute("UPDATE slots SET lock_seq = lock_seq + 1 WHERE id = %s", (slot["id"],))
        other.commit()
        booking.join(timeout=30)
    (answer,) = answers
    assert answer.status_code == 201, answer.get_json()
    assert any("40P01" in record.getMessage() for record in caplog.records), "no deadlock was retried"
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
