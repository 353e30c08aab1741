"""The job queue for real: Celery workers on this machine's RabbitMQ, PostgreSQL the truth.

Each test has a queue of its own (a per-run name), so parallel runs on one broker never take
each other's messages. The worker is a real Celery worker (celery.contrib.testing) consuming
from RabbitMQ in a thread of this process, so it shares the test's clock.
"""

import time

import pytest
from celery.beat import EmbeddedService
from sqlalchemy.exc import OperationalError

from slotbooking.demo.cli import demo_document
from slotbooking.events.models import EventDelivery
from slotbooking.extensions import db
from slotbooking.jobs import tasks
from tests.conftest import import_document, make_app
from tests.integration.test_events import Receiver
from tests.support.api import ApiClient
from tests.support.services import broker_url, delete_queues, fresh_redis_url, private_queue_name
from tests.support.waiting import solo_worker, waiter

pytestmark = pytest.mark.services


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


def _queue_app(pg_app, pg_database, clock, **settings):
    app = make_app(
        pg_database,
        clock,
        redis_url=fresh_redis_url(),
        BROKER_URL=settings.pop("BROKER_URL", None) or broker_url(),
        JOBS_QUEUE=private_queue_name(),
        JOBS_RETRY_JITTER=False,
        **settings,
    )
    return app


@pytest.fixture
def queue_app(pg_app, pg_database, clock):
    """The PostgreSQL app with RabbitMQ as its broker, on a queue of this test's own."""
    app = _queue_app(pg_app, pg_database, clock, JOBS_RETRY_BACKOFF_SECONDS=1, JOBS_MAX_RETRIES=2)
    yield app
    with app.app_context():
        delete_queues(app)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def subscribed(queue_app, clock, receiver):
    document = demo_document()
    document["events"] = {"webhook_url": receiver.url}
    keys = import_document(queue_app, document, clock)
    return ApiClient(queue_app.test_client(), keys["secret_key"])


def _worker(app):
    return solo_worker(app, shutdown_timeout=30)


def _book(shop, headers=None) -> dict:
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    booked = shop.book(hold["id"], headers=headers)
    assert booked.status_code == 201, booked.get_json()
    return booked.get_json()


_wait_for = waiter(15.0, step=0.05)


def test_a_booking_webhook_goes_out_through_the_queue_with_the_request_id(
    queue_app, subscribed, receiver, json_log_lines
):
    with _worker(queue_app):
        booking = _book(subscribed, headers={"X-Request-ID": "checkout-7781"})
        # No CLI, no periodic run: the commit sent "deliver events now" and the worker did it.
        assert _wait_for(lambda: len(receiver.received) == 1), "the webhook never came"
    event = receiver.events()[0]
    assert (event["type"], event["data"]["booking"]["id"]) == ("booking.created", booking["id"])
    jobs = [line for line in json_log_lines() if line["message"] == "job done"]
    delivered = [
        line for line in jobs if line["task"] == tasks.DELIVER_EVENTS and line["result"]["delivered"]
    ]
    assert delivered and delivered[0]["request_id"] == "checkout-7781"
    requests = [
        line
        for line in json_log_lines()
        if line["message"] == "request" and line["path"] == "/api/v1/bookings"
    ]
    assert requests[0]["request_id"] == "checkout-7781"


def test_a_failing_job_is_retried_with_backoff_and_then_given_up(queue_app, monkeypatch, json_log_lines):
    attempts = []

    def database_away(*_args, **_kwargs):
        attempts.append(time.monotonic())
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(tasks, "deliver_due", database_away)
    with _worker(queue_app):
        queue_app.extensions["celery"].tasks[tasks.DELIVER_EVENTS].delay()
        assert _wait_for(lambda: len(attempts) >= 3, 20)
        assert _wait_for(lambda: any(line["message"] == "job failed" for line in json_log_lines()), 20)
        time.sleep(1)
    assert len(attempts) == 3, "1 attempt + JOBS_MAX_RETRIES (2) retries, then given up"
    retried = [line for line in json_log_lines() if line["message"] == "job failed, retried later"]
    assert [(line["retries"], line["retry_in_seconds"]) for line in retried] == [(0, 1), (1, 2)]
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 0.9 and gaps[1] >= 1.9, f"each retry waits its backoff, got {gaps}"
    given_up = [line for line in json_log_lines() if line["message"] == "job failed"]
    assert [line["retries"] for line in given_up] == [2]


def test_a_lost_message_is_still_delivered_by_the_periodic_run(
    pg_app, pg_database, clock, receiver, tmp_path
):
    app = _queue_app(pg_app, pg_database, clock, JOBS_EVENTS_SECONDS=1.0)
    document = demo_document()
    document["events"] = {"webhook_url": receiver.url}
    shop = ApiClient(app.test_client(), import_document(app, document, clock)["secret_key"])
    celery = app.extensions["celery"]
    try:
        booking = _book(shop)  # "deliver now" is sent, but no worker is there yet
        metrics = app.test_client().get("/metrics").get_data(as_text=True)
        waiting = f'slotbooking_queue_messages{{queue="{app.config["JOBS_QUEUE"]}"}} 1.0'
        assert waiting in metrics, "the queue depth shows the message waiting"
        with celery.connection_for_write() as connection:
            assert connection.default_channel.queue_purge(app.config["JOBS_QUEUE"]) >= 1, "message lost"
        beat = EmbeddedService(
            celery, thread=True, max_interval=0.5, schedule_filename=str(tmp_path / "beat")
        )
        beat.start()
        try:
            with _worker(app):
                assert _wait_for(lambda: len(receiver.received) == 1, 20), "the periodic run never sent it"
        finally:
            beat.stop()
        assert receiver.events()[0]["data"]["booking"]["id"] == booking["id"]
        with app.app_context():
            assert db.session.query(EventDelivery).one().status == "delivered"
    finally:
        delete_queues(app)
        with app.app_context():
            db.engine.dispose()


def test_healthz_reports_the_queue(queue_app):
    answer = queue_app.test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json()["checks"]["queue"] == "ok"
    assert answer.get_json()["status"] == "ok"


def test_with_the_broker_down_bookings_succeed_and_the_periodic_run_delivers(
    pg_app, pg_database, clock, receiver, json_log_lines
):
    app = _queue_app(pg_app, pg_database, clock, BROKER_URL="amqp://guest:guest@127.0.0.1:1//")
    try:
        health = app.test_client().get("/healthz")
        assert health.status_code == 200
        assert health.get_json()["status"] == "degraded"
        assert health.get_json()["checks"]["queue"] == "down"

        document = demo_document()
        document["events"] = {"webhook_url": receiver.url}
        shop = ApiClient(app.test_client(), import_document(app, document, clock)["secret_key"])
        started = time.monotonic()
        booking = _book(shop)
        assert time.monotonic() - started < 5, "a request never waits long on a dead broker"
        assert any(line["message"].startswith("job not sent") for line in json_log_lines())
        assert receiver.received == []

        result = app.test_cli_runner().invoke(args=["events", "deliver"])  # what beat would run
        assert "1 delivered" in result.output
        assert receiver.events()[0]["data"]["booking"]["id"] == booking["id"]
    finally:
        with app.app_context():
            db.engine.dispose()
