"""Fixtures: an app on SQLite (the embedded default) or on PostgreSQL + Redis, and its keys."""

import atexit
import contextlib
import copy
import functools
import io
import json
import logging
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from slotbooking import create_app
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.ops.logs import log_handler
from slotbooking.setup.document import import_setup
from tests.support import snapshots
from tests.support.api import MONDAY_MORNING, ApiClient, Clock
from tests.support.services import create_pg_database, drop_pg_database, fresh_redis_url


def pytest_unconfigure(config):
    """Cancel the rate limiter's pending expiry timers, so the test process can exit.

    Each app on the in-memory limiter storage (no Redis) starts a ``threading.Timer`` of 10 ms
    (``limits.storage.memory``), a non-daemon thread that Python joins at exit. Under Debian's
    libfaketime (the moved-date run) a timed wait never returns, so the timers never fire and
    the process never exited after printing its summary; cancelling them wakes them at once.
    Nothing is lost: the apps they expire counters for are gone with the session.
    """
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


SHOP_ORIGIN = "http://127.0.0.1:5001"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def make_app(database_url: str, clock: Clock, redis_url: str = "", **settings):
    """Build an app for tests with its schema at the migrations' head.

    A new SQLite file starts as a copy of one migrated once per run (``schema_template``), and
    a database already at the head is left as it is: running Alembic's no-op upgrade for every
    test cost about a second each. Any other database is brought up with the migrations.
    """
    fresh_sqlite_from_template(database_url)
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CLOCK": clock,
        "AUTH_CACHE_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "http://shop.test",
        "SECRET_KEY": "test-secret",
        "PASSWORD_HASH_COST": "cheapest",  # still Argon2id; full cost is tested in test_config.py
        **settings,
    }
    app = create_app(config)
    with app.app_context():
        if schema_revision() != head_revision():
            upgrade()
    return app


@functools.cache
def head_revision() -> str:
    """The migrations' head revision (read from the scripts once per run)."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def schema_revision() -> str | None:
    """The revision the app's database is at (None before any migration), without Alembic's start-up."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


@functools.cache
def schema_template() -> Path:
    """A SQLite file brought up with the migrations once per run, for new test databases to copy."""
    folder = Path(tempfile.mkdtemp(prefix="slotbooking-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    template = folder / "schema.db"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{template}", "SECRET_KEY": "test-secret"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return template


def fresh_sqlite_from_template(database_url: str) -> None:
    """Start a SQLite file that does not exist yet as a copy of the migrated template."""
    if not database_url.startswith("sqlite:///"):
        return
    path = Path(database_url.removeprefix("sqlite:///"))
    if path.exists() or not path.parent.is_dir():
        return
    with sqlite3.connect(schema_template()) as source, sqlite3.connect(path) as target:
        source.backup(target)


def empty_tables(app) -> None:
    """Empty every table of the app's PostgreSQL database (this run's database is shared by tests).

    As TRUNCATE ... RESTART IDENTITY would, ids start again at 1, but with DELETEs (children
    first) and ALTER SEQUENCE ... RESTART in one round trip: on a test's few rows that takes a
    few tens of milliseconds, where TRUNCATE's new files for every table and index took half a second.
    """
    with app.app_context():
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        sequences = snapshots.owned_sequences()
        statements = [f'DELETE FROM "{table}"' for table in tables]
        statements += [f"ALTER SEQUENCE {sequence} RESTART" for sequence in sequences]
        db.session.execute(text("; ".join(statements)))
        db.session.commit()


@pytest.fixture
def json_log_lines():
    """Read back, as dicts, the JSON lines the app's loggers write while the test runs."""
    stream = io.StringIO()
    handler = log_handler(stream)
    logger = logging.getLogger("slotbooking")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@pytest.fixture
def clock():
    return Clock(MONDAY_MORNING)


@pytest.fixture
def sqlite_app(tmp_path, clock):
    app = make_app(f"sqlite:///{tmp_path / 'test.db'}", clock)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def pg_database():
    name, url = create_pg_database()
    yield url
    drop_pg_database(name)


@contextlib.contextmanager
def fresh_pg_app(pg_database, clock, **settings):
    """The app on the test's PostgreSQL database (tables emptied) and a fresh Redis database,
    with ``settings`` over the test configuration; its connections closed afterwards."""
    app = make_app(pg_database, clock, redis_url=fresh_redis_url(), **settings)
    empty_tables(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def pg_app(pg_database, clock):
    with fresh_pg_app(pg_database, clock) as app:
        yield app


@pytest.fixture(params=["sqlite", "pg"])
def app(request):
    """The app on each backend: SQLite alone, and PostgreSQL with Redis."""
    return request.getfixturevalue(f"{request.param}_app")


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def import_document(app, document: dict, clock: Clock):
    """Import a setup document as the CLI would; return the retailer's slug and its keys.

    Into an empty database, a document imported before in this run at the same instant is
    restored from the rows that import wrote (tests/support/snapshots.py), keys included.
    """
    with app.app_context():
        now = clock()
        key = snapshots.snapshot_key(app, document, now)
        restored = snapshots.restore(key)
        if restored is not None:
            return restored
        empty = snapshots.is_empty()
        result = import_setup(db.session, copy.deepcopy(document), "test", now)
        keys = {"retailer": result.retailer.slug, **(result.keys or {})}
        if empty:
            snapshots.keep(key, keys)
        return keys


@pytest.fixture
def demo(app, clock):
    """The demo retailer's keys."""
    return import_document(app, demo_document(), clock)


@pytest.fixture
def shop(client, demo):
    """The API as the demo retailer's backend sees it (secret key)."""
    return ApiClient(client, demo["secret_key"])


@pytest.fixture
def browser_shop(client, demo):
    """The API as the demo retailer's checkout page sees it (publishable key, allowed origin)."""
    return ApiClient(client, demo["publishable_key"], origin=SHOP_ORIGIN)
