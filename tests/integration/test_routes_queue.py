"""Route plans through the real job queue: Celery on this machine's RabbitMQ, PostgreSQL the truth.

As in test_job_queue.py, each test has queues of its own and a real Celery worker consuming
them in a thread of this process, so it shares the test's clock. Planning has its own queue
(JOBS_QUEUE + ".routes"); the worker consumes both.
"""

import time

import pytest
from celery.beat import EmbeddedService
from sqlalchemy import select

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.jobs.queue import routes_queue_name
from slotbooking.jobs.routes import PLAN_DUE_ROUTES, PLAN_ROUTES
from slotbooking.routes.models import RoutePlanVersion
from tests.conftest import import_document, make_app
from tests.support.api import ApiClient
from tests.support.services import broker_url, delete_queues, fresh_redis_url, private_queue_name
from tests.support.waiting import solo_worker, waiter

pytestmark = pytest.mark.services

DEBOUNCE_SECONDS = 3.0
NEAR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}


@pytest.fixture
def make_queue_app(pg_app, pg_database, clock):
    built = []

    def build(**settings):
        app = make_app(
            pg_database,
            clock,
            redis_url=fresh_redis_url(),
            BROKER_URL=broker_url(),
            JOBS_QUEUE=private_queue_name(),
            JOBS_RETRY_JITTER=False,
            ROUTES_DEBOUNCE_SECONDS=DEBOUNCE_SECONDS,
            **settings,
        )
        built.append(app)
        return app

    yield build
    for app in built:
        delete_queues(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _worker(app):
    return solo_worker(app, shutdown_timeout=30)


_wait_for = waiter(30.0, step=0.1)


def _plans(app):
    with app.app_context():
        rows = db.session.scalars(select(RoutePlanVersion).order_by(RoutePlanVersion.version)).all()
        db.session.rollback()
        return [(r.version, r.trigger, r.stops, sorted(r.body["stop_details"])) for r in rows]


def _shop(app, clock):
    return ApiClient(app.test_client(), import_document(app, demo_document(), clock)["secret_key"])


def _book_three(shop) -> tuple[str, list[str]]:
    offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    hourly = [s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60][:3]
    ids = []
    for index, slot in enumerate(hourly):
        address = {**NEAR, "lat": NEAR["lat"] + 0.001 * index}
        answer = shop.post("/bookings", {"slot_id": slot["id"], "address": address, "order_ref": f"Q{index}"})
        assert answer.status_code == 201, answer.get_json()
        ids.append(answer.get_json()["id"])
    return hourly[0]["start"][:10], ids


def test_bookings_lead_to_one_stored_plan_through_the_queue(make_queue_app, clock, json_log_lines):
    app = make_queue_app()
    shop = _shop(app, clock)
    with _worker(app):
        day, booked = _book_three(shop)
        assert _wait_for(lambda: _plans(app)), "no plan was stored"
        time.sleep(DEBOUNCE_SECONDS + 1)  # any later planning job has run by now
    assert _plans(app) == [(1, "bookings", 3, sorted(booked))], "three bookings, one planning run"
    runs = [
        line["result"]["status"]
        for line in json_log_lines()
        if line["message"] == "job done" and line["task"] == PLAN_ROUTES
    ]
    assert runs.count("stored") == 1 and set(runs) <= {"stored", "unchanged"}
    answer = shop.get("/routes", date=day, depot="PRY")
    assert answer.status_code == 200
    assert sorted(s["booking_id"] for v in answer.get_json()["vehicles"] for s in v["stops"]) == sorted(
        booked
    )


def test_a_cancellation_is_planned_again_and_a_lost_message_by_the_periodic_run(
    make_queue_app, clock, tmp_path
):
    app = make_queue_app(JOBS_ROUTES_SECONDS=1.0)
    shop = _shop(app, clock)
    day, booked = _book_three(shop)  # no worker yet: the messages wait
    with app.extensions["celery"].connection_for_write() as connection:
        purged = connection.default_channel.queue_purge(routes_queue_name(app.config))
    assert purged >= 1, "the planning message was lost"
    clock.advance(seconds=DEBOUNCE_SECONDS)
    beat = EmbeddedService(
        app.extensions["celery"], thread=True, max_interval=0.5, schedule_filename=str(tmp_path / "beat")
    )
    beat.start()
    try:
        with _worker(app):
            assert _wait_for(lambda: len(_plans(app)) == 1), "the periodic run never planned the day"
            assert shop.post(f"/bookings/{booked[0]}/cancel").status_code == 200
            # Whether the cancellation sends a job of its own depends on the wall clock: within
            # ROUTES_DEBOUNCE_SECONDS / 2 of the purged send it sends none, trusting the lost
            # job to read it. Either way the periodic run plans it once it is quiet.
            clock.advance(seconds=DEBOUNCE_SECONDS)
            assert _wait_for(lambda: len(_plans(app)) == 2), "the cancellation was never planned"
    finally:
        beat.stop()
    assert _plans(app)[-1][2:] == (2, sorted(booked[1:]))


def test_the_days_cutoff_gives_a_final_plan_once(make_queue_app, clock):
    app = make_queue_app()
    shop = _shop(app, clock)
    with _worker(app):
        day, booked = _book_three(shop)
        assert _wait_for(lambda: len(_plans(app)) == 1)
        celery = app.extensions["celery"]
        celery.tasks[PLAN_DUE_ROUTES].delay()
        time.sleep(2)
        assert len(_plans(app)) == 1, "before the cut-off nothing is due"
        # Tomorrow's windows close at 22:00 tonight (the demo's cut-off); the clock passes it.
        clock.advance(hours=16, minutes=1)
        celery.tasks[PLAN_DUE_ROUTES].delay()
        assert _wait_for(lambda: len(_plans(app)) == 2), "no final plan at the cut-off"
        celery.tasks[PLAN_DUE_ROUTES].delay()
        time.sleep(2)
    assert [(v, trigger) for v, trigger, *_ in _plans(app)] == [(1, "bookings"), (2, "cutoff")]
    final = shop.get("/routes", date=day, depot="PRY").get_json()
    assert final["trigger"] == "cutoff" and final["up_to_date"] and final["stops"] == 3
