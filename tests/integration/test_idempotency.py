"""Idempotency keys: scoped to the API key and the endpoint, kept 24 hours, never taken over early."""

import threading
from datetime import datetime

from sqlalchemy import event, func, select

from slotbooking.bookings.models import Booking
from slotbooking.extensions import db
from tests.support.db import row_counts


def later_slots(shop, clock, days_ahead=3, count=3):
    """Available hour windows at least this many days ahead (still bookable once the clock moves)."""
    slots = shop.slots(days=7)["slots"]
    found = [
        s
        for s in slots
        if s["available"]
        and s["width_minutes"] == 60
        and (datetime.fromisoformat(s["start"]).date() - clock().date()).days >= days_ahead
    ]
    assert len(found) >= count
    return found[:count]


def one_step(slot, order_ref="1001"):
    return {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": order_ref}


def hold_body(slot):
    return {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}}


def bookings_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Booking))


def in_progress(response) -> bool:
    return error_code(response, 409) == "idempotency_in_progress"


def error_code(response, status):
    body = response.get_json()
    assert response.status_code == status, body
    return body["error"]["code"]


def test_a_browser_key_cannot_block_the_shops_booking_with_the_same_key(shop, browser_shop):
    """The attack: any page with the publishable key sends the shop's next order number first."""
    offer, slot = shop.first_available()
    key = {"Idempotency-Key": "order-1001"}
    planted = browser_shop.post("/holds", hold_body(slot), headers=key)
    assert planted.status_code == 201

    booked = shop.post("/bookings", one_step(slot), headers=key)
    assert booked.status_code == 201, booked.get_json()
    assert "Idempotent-Replayed" not in booked.headers
    again = shop.post("/bookings", one_step(slot), headers=key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == booked.get_json()["id"]


def test_the_same_key_and_body_from_another_api_key_is_not_answered_with_its_hold(shop, browser_shop):
    offer, slot = shop.first_available()
    key = {"Idempotency-Key": "basket-7"}
    body = hold_body(slot)
    theirs = browser_shop.post("/holds", body, headers=key)
    ours = shop.post("/holds", body, headers=key)
    assert theirs.status_code == ours.status_code == 201
    assert "Idempotent-Replayed" not in ours.headers
    assert ours.get_json()["id"] != theirs.get_json()["id"]
    # Each key still replays its own answer.
    assert browser_shop.post("/holds", body, headers=key).get_json()["id"] == theirs.get_json()["id"]
    assert shop.post("/holds", body, headers=key).get_json()["id"] == ours.get_json()["id"]


def test_one_key_on_two_endpoints_is_two_keys(shop):
    """A checkout may reuse its basket id as the key of the hold and of the booking."""
    offer, slot = shop.first_available()
    key = {"Idempotency-Key": "k-1"}
    hold = shop.post("/holds", hold_body(slot), headers=key)
    booking = shop.post("/bookings", {"hold_id": hold.get_json()["id"], "order_ref": "1"}, headers=key)
    assert hold.status_code == booking.status_code == 201, booking.get_json()


def test_records_are_replayed_for_24_hours_then_forgotten(app, shop, clock, runner):
    first, second, third = later_slots(shop, clock)
    key = {"Idempotency-Key": "order-2002"}
    created = shop.post("/bookings", one_step(first), headers=key)
    assert created.status_code == 201

    clock.advance(hours=23, minutes=59)
    replay = shop.post("/bookings", one_step(first), headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == created.get_json()
    assert error_code(shop.post("/bookings", one_step(second), headers=key), 409) == "idempotency_conflict"

    clock.advance(minutes=2)  # past 24 hours: the key neither replays nor conflicts
    fresh = shop.post("/bookings", one_step(second), headers=key)
    assert fresh.status_code == 201, fresh.get_json()
    assert "Idempotent-Replayed" not in fresh.headers
    assert fresh.get_json()["id"] != created.get_json()["id"]
    assert bookings_count(app) == 2

    shop.post("/bookings", one_step(third, "3003"), headers={"Idempotency-Key": "order-3003"})
    clock.advance(hours=24, seconds=1)
    result = runner.invoke(args=["idempotency", "forget"])
    assert result.exit_code == 0, result.output
    assert "2 expired idempotency records forgotten" in result.output
    assert row_counts(app)["idempotency_records"] == 0


def test_the_keeping_time_is_a_setting(app, shop, clock):
    app.config["IDEMPOTENCY_KEY_HOURS"] = 1
    first, second, _ = later_slots(shop, clock)
    key = {"Idempotency-Key": "order-4004"}
    assert shop.post("/bookings", one_step(first), headers=key).status_code == 201
    clock.advance(hours=1)
    assert shop.post("/bookings", one_step(second), headers=key).status_code == 201


def _locks_a_slot(statement: str) -> bool:
    head = " ".join(statement.split()).upper()
    return head.startswith("UPDATE SLOTS") or head.startswith("WITH LOCKED_SLOT AS (UPDATE SLOTS")


class Paused:
    """Stop one request thread just before it takes the slot's lock, until released."""

    def __init__(self, app):
        self.app, self.thread, self.reached, self.go = app, None, threading.Event(), threading.Event()

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._pause)
        return self

    def __exit__(self, *exc):
        self.go.set()
        if self.thread:
            self.thread.join(timeout=30)
        event.remove(self.engine, "before_cursor_execute", self._pause)

    def _pause(self, conn, cursor, statement, parameters, context, executemany):
        # The slot's lock: its own UPDATE, or on PostgreSQL the CTE that locks it with its depot day.
        if threading.current_thread() is self.thread and _locks_a_slot(statement):
            self.reached.set()
            assert self.go.wait(timeout=30)

    def run(self, send):
        answers = []
        self.thread = threading.Thread(target=lambda: answers.append(send()))
        self.thread.start()
        assert self.reached.wait(timeout=30), "the first request never reached the slot lock"
        return answers

    def finish(self):
        self.go.set()
        self.thread.join(timeout=30)


def test_a_repeat_while_the_first_request_runs_is_told_it_is_in_progress(app, shop, clock):
    offer, slot = shop.first_available()
    key = {"Idempotency-Key": "order-5005"}
    with Paused(app) as paused:
        answers = paused.run(lambda: shop.post("/bookings", one_step(slot), headers=key))
        assert (
            error_code(shop.post("/bookings", one_step(slot), headers=key), 409) == "idempotency_in_progress"
        )
        clock.advance(seconds=61)  # older than the 60 s after which the claim used to be taken over
        repeat = shop.post("/bookings", one_step(slot), headers=key)
        assert error_code(repeat, 409) == "idempotency_in_progress"
        other_body = shop.post("/bookings", one_step(slot, "other"), headers=key)
        assert error_code(other_body, 409) == "idempotency_conflict"
        paused.finish()
    (first,) = answers
    assert first.status_code == 201, first.get_json()
    replay = shop.post("/bookings", one_step(slot), headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true" and replay.get_json() == first.get_json()
    assert bookings_count(app) == 1


def test_a_request_that_outlives_the_claim_bound_cannot_overwrite_the_claim_that_took_over(app, shop, clock):
    app.config["IDEMPOTENCY_CLAIM_SECONDS"] = 30
    offer, slot = shop.first_available()
    key = {"Idempotency-Key": "order-6006"}
    with Paused(app) as paused:
        answers = paused.run(lambda: shop.post("/bookings", one_step(slot), headers=key))
        clock.advance(seconds=29)
        assert (
            error_code(shop.post("/bookings", one_step(slot), headers=key), 409) == "idempotency_in_progress"
        )
        clock.advance(seconds=2)  # the bound is passed: the first request is presumed dead
        took_over = shop.post("/bookings", one_step(slot), headers=key)
        assert took_over.status_code == 201, took_over.get_json()
        paused.finish()
    assert answers[0].status_code == 201  # it was not dead: why the bound must exceed --timeout
    replay = shop.post("/bookings", one_step(slot), headers=key)
    assert replay.get_json() == took_over.get_json()


def statements_on_records(app, call) -> list[str]:
    """The statements a call sends that name idempotency_records, first words only."""
    sent = []

    def note(_conn, _cursor, statement, *_args):
        if "idempotency_records" in statement:
            sent.append(" ".join(statement.split()[:3]))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return sent


def test_a_new_key_is_claimed_in_one_statement_and_a_repeat_reads_the_record(app, shop):
    _, slot = shop.first_available()
    key = {"Idempotency-Key": "order-7007"}
    first = statements_on_records(app, lambda: shop.post("/bookings", one_step(slot), headers=key))
    # INSERT ... ON CONFLICT DO NOTHING RETURNING id, then the answer kept in the claim
    assert first == ["INSERT INTO idempotency_records", "UPDATE idempotency_records SET"], first
    repeat = statements_on_records(app, lambda: shop.post("/bookings", one_step(slot), headers=key))
    assert repeat[0] == "INSERT INTO idempotency_records" and repeat[1].startswith("SELECT"), repeat
    assert len(repeat) == 2 and bookings_count(app) == 1


def test_the_openapi_document_describes_the_header_and_its_answers(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/holds", "/api/v1/bookings"):
        operation = spec["paths"][path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "idempotency_in_progress" in operation["responses"]["409"]["description"]
        assert "Retry-After" in operation["responses"]["503"]["headers"]
