"""The demo's jobs with no broker: one thread runs the beat schedule and the jobs sent after commits."""

import time

import pytest
from sqlalchemy import select

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.jobs import start_in_process_jobs, tasks
from slotbooking.payments.models import Refund
from tests.conftest import import_document, make_app
from tests.integration import test_payments
from tests.integration.test_events import Receiver
from tests.support.api import ApiClient
from tests.support.localstripe import pay
from tests.support.waiting import waiter


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


_wait_for = waiter(10.0, step=0.05)


def _demo_app(tmp_path, clock, receiver, **settings):
    app = make_app(f"sqlite:///{tmp_path / 'demo.db'}", clock, **settings)
    document = demo_document()
    document["events"] = {"webhook_url": receiver.url}
    keys = import_document(app, document, clock)
    return app, ApiClient(app.test_client(), keys["secret_key"])


def _book(shop):
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    booked = shop.book(hold["id"])
    assert booked.status_code == 201, booked.get_json()
    return booked.get_json()


def test_the_demo_sends_a_booking_webhook_at_once_without_a_broker(tmp_path, clock, receiver):
    app, shop = _demo_app(tmp_path, clock, receiver)  # periodic jobs a minute apart
    runner = start_in_process_jobs(app)
    try:
        booking = _book(shop)
        assert _wait_for(lambda: len(receiver.received) == 1), "sent after the commit, not a minute later"
        assert receiver.events()[0]["data"]["booking"]["id"] == booking["id"]
        assert app.test_client().get("/healthz").get_json()["checks"]["queue"] == "in-process"
    finally:
        runner.stop()
        with app.app_context():
            db.engine.dispose()


def test_the_demo_runs_the_periodic_jobs_itself(tmp_path, clock, receiver):
    app, shop = _demo_app(tmp_path, clock, receiver, JOBS_SWEEP_SECONDS=0.2, JOBS_EVENTS_SECONDS=0.2)
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    clock.advance(hours=1)  # the hold lapses; only the sweep notices and tells the retailer
    runner = start_in_process_jobs(app)
    try:
        assert _wait_for(lambda: any(e["type"] == "hold.expired" for e in receiver.events()))
        expired = [e for e in receiver.events() if e["type"] == "hold.expired"]
        assert [e["data"]["hold"]["id"] for e in expired] == [hold["id"]]
    finally:
        runner.stop()
        with app.app_context():
            db.engine.dispose()


def test_without_a_broker_or_runner_nothing_is_sent_and_the_command_still_delivers(app, clock, receiver):
    document = demo_document()
    document["events"] = {"webhook_url": receiver.url}
    shop = ApiClient(app.test_client(), import_document(app, document, clock)["secret_key"])
    _book(shop)
    time.sleep(0.3)
    assert receiver.received == []  # no queue, no runner: cron's `flask events deliver` does it
    assert "1 delivered" in app.test_cli_runner().invoke(args=["events", "deliver"]).output


# The payment tests' fixtures: the Stripe emulator, the app with a Stripe key, a paying retailer.
emulator, pay_app, paying = test_payments.emulator, test_payments.pay_app, test_payments.paying


def test_a_cancellation_sends_its_refund_job_and_the_shopper_is_refunded_once(
    paying, pay_app, emulator, monkeypatch
):
    hold = test_payments._hold(paying)
    intent_id = test_payments._start(paying, hold["id"])["payment_intent_id"]
    pay(emulator.client(), intent_id)
    paying.get(f"/holds/{hold['id']}/payment")
    booking = paying.book(hold["id"]).get_json()
    ran = []
    original = tasks.send_due_refunds
    monkeypatch.setattr(tasks, "send_due_refunds", lambda *a, **k: ran.append(k) or original(*a, **k))
    runner = start_in_process_jobs(pay_app)
    try:
        assert paying.post(f"/bookings/{booking['id']}/cancel").status_code == 200
        assert _wait_for(lambda: ran), "the cancel's commit sent 'send this refund now'"
    finally:
        runner.stop()
    assert ran[0]["booking_id"] == booking["id"]
    assert len(test_payments._refunds_at_stripe(emulator, intent_id)) == 1, (
        "the job and the request never refund twice"
    )
    with pay_app.app_context():
        assert db.session.scalar(select(Refund)).status == "succeeded"
