"""The version watch (bookings/version_watch.py): a cache hit skips the version read only while
the database could not have moved it, and a change committed elsewhere reaches the next answer
within the documented bound (2.5 polls).

"Elsewhere" is a plain psycopg connection here: nothing this process's SQLAlchemy sees, as a
booking in another gunicorn worker or another host.
"""

import time
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import select

from slotbooking.bookings.capacity import capacity_version
from slotbooking.bookings.version_watch import VersionWatch, watch_engine, watch_of
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.slots.models import DepotDay, Slot
from tests.conftest import empty_tables, fresh_pg_app, import_document, make_app
from tests.support.api import ApiClient
from tests.support.services import fresh_redis_url
from tests.support.waiting import waiter

pytestmark = pytest.mark.services
POLL = 0.05
STALE = 1.0  # wide enough that a loaded machine's late poll does not fall back mid-test


_wait_until = waiter(5.0, step=0.01)


def _driver_url(app) -> str:
    with app.app_context():
        return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def watched(pg_app, clock):
    """The demo on PostgreSQL, a watch of its engine polling every 50 ms, and one depot's week."""
    import_document(pg_app, demo_document(), clock)
    with pg_app.app_context():
        engine = db.engine
        day = db.session.scalars(select(DepotDay).order_by(DepotDay.service_date)).first()
        depot_id, first = day.depot_id, day.service_date
        db.session.remove()
    watch = VersionWatch(engine, clock, POLL, STALE)
    reads = []

    def read():
        reads.append(1)
        return capacity_version(engine, depot_id, first, first + timedelta(days=6))

    def version():
        return watch.version(depot_id, first, first + timedelta(days=6), read)

    yield watch, version, reads, depot_id, first
    watch.stop()


def _bump_elsewhere(app, depot_id, day):
    with psycopg.connect(_driver_url(app), autocommit=True) as conn:
        conn.execute(
            "UPDATE depot_days SET lock_seq = lock_seq + 1 WHERE depot_id = %s AND service_date = %s",
            (depot_id, day),
        )


def test_a_synced_watch_answers_from_memory_until_the_depot_moves(pg_app, watched):
    watch, version, reads, depot_id, first = watched
    seen = version()  # starts the thread; not synced yet: read
    assert _wait_until(lambda: watch.synced)
    assert version() == seen
    reads.clear()
    for _ in range(20):
        assert version() == seen
    assert reads == []  # no database round trip while nothing moved
    assert watch.answered["memory"] >= 20

    _bump_elsewhere(pg_app, depot_id, first)
    time.sleep(watch.stale_seconds + POLL)  # the documented bound, and a poll more
    assert version() == seen + 1
    assert reads == [1]


def test_another_depot_moving_keeps_this_one_in_memory(pg_app, watched):
    watch, version, reads, depot_id, first = watched
    version()
    assert _wait_until(lambda: watch.synced)
    version()
    reads.clear()
    with pg_app.app_context():
        other = db.session.scalars(select(DepotDay).where(DepotDay.depot_id != depot_id)).first()
        other_depot, other_day = other.depot_id, other.service_date
        db.session.remove()
    _bump_elsewhere(pg_app, other_depot, other_day)
    time.sleep(watch.stale_seconds + POLL)
    version()
    assert reads == []


def test_a_commit_of_this_process_is_seen_by_its_next_read_at_once(pg_app, watched):
    watch, version, reads, depot_id, first = watched
    seen = version()
    assert _wait_until(lambda: watch.synced)
    version()
    with pg_app.app_context():
        day = db.session.scalars(
            select(DepotDay).where(DepotDay.depot_id == depot_id, DepotDay.service_date == first)
        ).one()
        day.lock_seq += 1
        db.session.commit()
        db.session.remove()
    assert version() == seen + 1  # no wait for a poll


def test_a_watch_that_cannot_poll_reads_every_time(watched, monkeypatch):
    watch, version, reads, _depot_id, _first = watched
    version()
    assert _wait_until(lambda: watch.synced)

    def refuse(*_args, **_kwargs):
        raise psycopg.OperationalError("the database went away")

    monkeypatch.setattr(watch, "poll", refuse)
    assert _wait_until(lambda: not watch.synced)
    reads.clear()
    for _ in range(5):
        version()
    assert reads == [1] * 5


def test_a_stopped_watch_falls_back_within_the_bound(watched):
    watch, version, reads, _depot_id, _first = watched
    version()
    assert _wait_until(lambda: watch.synced)
    watch.stop()
    time.sleep(watch.stale_seconds + POLL)
    reads.clear()
    version()
    version()
    assert len(reads) >= 1  # the first call restarts the thread; until its first poll: reads


def _second_process(pg_app, pg_database, clock):
    """Another worker of the same deployment: its own engine (and watch), the same database and Redis."""
    return make_app(pg_database, clock, redis_url=pg_app.config["REDIS_URL"])


def _warm(shop, watch):
    """Serve the grid until its version comes from this process's memory (a synced watch)."""
    assert _wait_until(lambda: shop.slots(days=2) and watch.answered["memory"] > 0)


def test_by_default_a_booking_in_another_process_shows_in_the_next_grid_at_once(pg_app, pg_database, clock):
    """The watch is on by default and told of commits by Redis; a change made by another app
    shows in the next answer. (Both apps live in one Python process here, where a commit is also
    counted in memory; the proof across processes is in test_race_gunicorn.py.)"""
    keys = import_document(pg_app, demo_document(), clock)
    shop = ApiClient(pg_app.test_client(), keys["secret_key"])
    with pg_app.app_context():
        watch = watch_of(db.engine)
    assert watch is not None and watch.signals is not None
    slot = next(s for s in shop.slots(days=2)["slots"] if s["available"])
    _warm(shop, watch)
    other = _second_process(pg_app, pg_database, clock)
    try:
        elsewhere = ApiClient(other.test_client(), keys["secret_key"])
        hold = elsewhere.hold(slot["id"])
        assert hold.status_code == 201, hold.get_json()
        with other.app_context():
            assert watch_of(db.engine) is not watch
        # No sleep: the very next answer of this process.
        again = {s["id"]: s for s in shop.slots(days=2)["slots"]}[slot["id"]]
        assert again["remaining"] == slot["remaining"] - 1
        released = elsewhere.delete(f"/holds/{hold.get_json()['id']}")
        assert released.status_code in (200, 204), released.get_data(as_text=True)
        again = {s["id"]: s for s in shop.slots(days=2)["slots"]}[slot["id"]]
        assert again["remaining"] == slot["remaining"]
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_change_that_sends_no_signal_shows_within_the_bound(pg_app, clock):
    """SQL by hand (or a signal lost with Redis away) moves no counter: the poll's bound holds."""
    keys = import_document(pg_app, demo_document(), clock)
    shop = ApiClient(pg_app.test_client(), keys["secret_key"])
    with pg_app.app_context():
        watch = watch_of(db.engine)
    slot = next(s for s in shop.slots(days=2)["slots"] if s["available"])
    _warm(shop, watch)
    with pg_app.app_context():
        row = db.session.get(Slot, slot["id"])
        depot_id, day = row.depot_id, row.service_date
        db.session.remove()
    with psycopg.connect(_driver_url(pg_app), autocommit=True) as conn:  # "another process" fills it
        conn.execute("UPDATE slots SET capacity = 0 WHERE id = %s", (slot["id"],))
    _bump_elsewhere(pg_app, depot_id, day)
    time.sleep(watch.stale_seconds + watch.poll_seconds)
    again = {s["id"]: s for s in shop.slots(days=2)["slots"]}[slot["id"]]
    assert (again["remaining"], again["available"]) == (0, False)


def test_with_the_watch_off_a_change_by_hand_shows_at_once(pg_database, clock):
    """CAPACITY_VERSION_POLL_SECONDS=0: a version read per request, even SQL by hand shows at once."""
    with fresh_pg_app(pg_database, clock, CAPACITY_VERSION_POLL_SECONDS=0) as app:
        keys = import_document(app, demo_document(), clock)
        shop = ApiClient(app.test_client(), keys["secret_key"])
        with app.app_context():
            assert watch_of(db.engine) is None
        slot = next(s for s in shop.slots(days=2)["slots"] if s["available"])
        with app.app_context():
            row = db.session.get(Slot, slot["id"])
            depot_id, day = row.depot_id, row.service_date
            db.session.remove()
        with psycopg.connect(_driver_url(app), autocommit=True) as conn:
            conn.execute("UPDATE slots SET capacity = 0 WHERE id = %s", (slot["id"],))
        _bump_elsewhere(app, depot_id, day)
        again = {s["id"]: s for s in shop.slots(days=2)["slots"]}[slot["id"]]
        assert (again["remaining"], again["available"]) == (0, False)


def test_sqlite_has_no_watch(sqlite_app):
    with sqlite_app.app_context():
        assert watch_of(db.engine) is None
        assert watch_engine(db.engine, lambda: None, 0.1, 1.0) is None


def test_a_slot_filled_by_another_process_shows_full_in_the_next_grid_after_the_bound(pg_database, clock):
    # The app's own settings, made short so the test waits less: the same code path.
    pg_app = make_app(
        pg_database,
        clock,
        redis_url=fresh_redis_url(),
        CAPACITY_VERSION_POLL_SECONDS=POLL,
        CAPACITY_VERSION_STALE_SECONDS=STALE,
    )
    empty_tables(pg_app)
    keys = import_document(pg_app, demo_document(), clock)
    shop = ApiClient(pg_app.test_client(), keys["secret_key"])
    with pg_app.app_context():
        watch = watch_of(db.engine)
    assert watch is not None  # PostgreSQL: on by default
    slot = next(s for s in shop.slots(days=2)["slots"] if s["available"])
    # cached, and its version kept in memory
    assert _wait_until(lambda: shop.slots(days=2) and watch.answered["memory"] > 0)
    with pg_app.app_context():
        depot_id, day = db.session.execute(
            select(Slot.depot_id, Slot.service_date).where(Slot.id == slot["id"])
        ).one()
        db.session.remove()
    # As a booking commits: the capacity and the depot day's lock_seq in one transaction.
    with psycopg.connect(_driver_url(pg_app)) as conn:
        conn.execute("UPDATE slots SET capacity = 0 WHERE id = %s", (slot["id"],))
        conn.execute(
            "UPDATE depot_days SET lock_seq = lock_seq + 1 WHERE depot_id = %s AND service_date = %s",
            (depot_id, day),
        )
    time.sleep(watch.stale_seconds + POLL)
    after = {s["id"]: s for s in shop.slots(days=2)["slots"]}
    assert after[slot["id"]]["available"] is False
    with pg_app.app_context():
        db.session.remove()
        db.engine.dispose()  # stops the watch


def test_warm_hits_with_the_rate_limiter_on_answer_from_memory(pg_database, clock):
    """Production's settings (limiter on): nothing on a warm hit commits, so hits skip the read."""
    app = make_app(
        pg_database,
        clock,
        redis_url=fresh_redis_url(),
        RATELIMIT_ENABLED=True,
        CAPACITY_VERSION_POLL_SECONDS=POLL,
    )
    empty_tables(app)
    keys = import_document(app, demo_document(), clock)
    shop = ApiClient(app.test_client(), keys["secret_key"])
    with app.app_context():
        watch = watch_of(db.engine)
    shop.slots(days=2)
    assert _wait_until(lambda: shop.slots(days=2) and watch.answered["memory"] > 0)
    before = dict(watch.answered)
    for _ in range(10):
        shop.slots(days=2)
    assert watch.answered["database"] - before["database"] <= 1  # a poll may lag once, no more
    assert watch.answered["memory"] - before["memory"] >= 9
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
