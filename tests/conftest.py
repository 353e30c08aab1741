"""Fixtures: an app on SQLite (the embedded default) or on PostgreSQL + Redis, and its keys."""

import copy
import io
import json
import logging
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from slotbooking import create_app
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.ops.logs import log_handler
from slotbooking.setup.document import import_setup
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


def make_app(database_url: str, clock: Clock, redis_url: str = "", **settings):
    """Build an app for tests and bring its schema up with the migrations."""
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CLOCK": clock,
        "AUTH_CACHE_SECONDS": 0,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_BASE_URL": "http://shop.test",
        "SECRET_KEY": "test-secret",
        **settings,
    }
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def empty_tables(app) -> None:
    """Empty every table of the app's PostgreSQL database (this run's database is shared by tests)."""
    with app.app_context():
        tables = ", ".join(t.name for t in reversed(db.metadata.sorted_tables))
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
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


@pytest.fixture
def pg_app(pg_database, clock):
    app = make_app(pg_database, clock, redis_url=fresh_redis_url())
    empty_tables(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


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
    with app.app_context():
        result = import_setup(db.session, copy.deepcopy(document), "test", clock())
        return {"retailer": result.retailer.slug, **(result.keys or {})}


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
