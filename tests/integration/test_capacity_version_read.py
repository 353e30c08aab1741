"""The grid's capacity version read on the warm path (common/driver_read.py) against the database.

On PostgreSQL the read goes to psycopg directly (the warm GET /slots's one round trip); these
tests hold it to the Core statement's answer, to every committed bump of a depot day, and to the
guarantees of the Core path: autocommit (no transaction left open), errors as SQLAlchemy's
(OperationalError answers 503), no connection returned to the pool in autocommit, and no ORM
session made just to find the engine.
"""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import OperationalError, ProgrammingError

from slotbooking.bookings.capacity import _CAPACITY_VERSION, capacity_version
from slotbooking.common import driver_read
from slotbooking.common.driver_read import engine_of, scalar_in_autocommit
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.slots.models import DepotDay
from tests.conftest import import_document

pytestmark = pytest.mark.services


def _depot_and_days(app):
    with app.app_context():
        day = db.session.execute(select(DepotDay).order_by(DepotDay.service_date)).scalars().first()
        return day.depot_id, day.service_date, day.service_date + timedelta(days=6)


def _core_version(connection, depot_id, first, last) -> int:
    params = {"version_depot_id": depot_id, "version_first": first, "version_last": last}
    return connection.execute(_CAPACITY_VERSION, params).scalar_one()


def test_version_matches_the_core_statement_and_grows_with_every_bump(app, demo):
    depot_id, first, last = _depot_and_days(app)
    with app.app_context():
        engine = db.engine
        seen = capacity_version(engine, depot_id, first, last)
        with engine.connect() as connection:
            assert seen == _core_version(connection, depot_id, first, last)
        for _ in range(3):
            db.session.execute(
                update(DepotDay)
                .where(DepotDay.depot_id == depot_id, DepotDay.service_date == first)
                .values(lock_seq=DepotDay.lock_seq + 1)
            )
            db.session.commit()
            now_seen = capacity_version(engine, depot_id, first, last)
            assert now_seen == seen + 1
            seen = now_seen
        # days outside the range do not move it
        db.session.execute(
            update(DepotDay)
            .where(DepotDay.depot_id == depot_id, DepotDay.service_date > last)
            .values(lock_seq=DepotDay.lock_seq + 1)
        )
        db.session.commit()
        assert capacity_version(engine, depot_id, first, last) == seen


def test_postgres_read_leaves_no_transaction_and_pool_connections_not_in_autocommit(pg_app, clock):
    import_document(pg_app, demo_document(), clock)
    depot_id, first, last = _depot_and_days(pg_app)
    with pg_app.app_context():
        engine = db.engine
        capacity_version(engine, depot_id, first, last)
        pooled = engine.raw_connection()
        try:
            driver = pooled.driver_connection
            assert driver.autocommit is False  # what the ORM's transactions get back
            assert driver.info.transaction_status == driver.info.transaction_status.IDLE
        finally:
            pooled.close()
        # the same statement, read in the driver's own transaction, sees what the fast path saw
        with engine.connect() as connection:
            assert _core_version(connection, depot_id, first, last) == capacity_version(
                engine, depot_id, first, last
            )


def test_postgres_errors_come_out_as_sqlalchemy_errors_and_the_connection_is_dropped(pg_app):
    with pg_app.app_context():
        engine = db.engine
        with pytest.raises(ProgrammingError):
            scalar_in_autocommit(engine, select(text("no_such_column")), {})
        # the pool still hands out healthy connections in a transaction-ready state
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1


def test_postgres_unreachable_answers_operational_error(pg_database):
    dead = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    with pytest.raises(OperationalError):
        scalar_in_autocommit(dead, select(text("1")), {})
    dead.dispose()


def test_engine_found_without_making_a_session(app):
    with app.app_context():
        db.session.remove()
        assert engine_of(db.session) is db.engine
        assert not db.session.registry.has()  # no Session made (and closed at teardown) for it
        db.session.execute(text("SELECT 1"))
        assert engine_of(db.session) is db.engine  # with one open: its own bind


def test_sqlite_takes_the_core_path(sqlite_app, monkeypatch):
    calls = []
    monkeypatch.setattr(driver_read, "driver_sql", lambda *a: calls.append(a))
    with sqlite_app.app_context():
        assert scalar_in_autocommit(db.engine, select(text("41 + 1")), {}) == 42
    assert calls == []
