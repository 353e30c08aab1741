"""The demo's jobs with no broker: one thread runs the beat schedule and the jobs sent after commits."""

import time

import pytest

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.jobs import start_in_process_jobs
from tests.conftest import import_document, make_app
from tests.integration.test_events import Receiver
from tests.support.api import ApiClient


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def _wait_for(condition, seconds=10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


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
