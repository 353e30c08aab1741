"""Reach this machine's PostgreSQL and Redis for tests: fail (CI) or skip (laptop) when absent."""

import os
import uuid

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def unavailable(what: str, error: Exception):
    """Fail when services are required (CI sets REQUIRE_SERVICES=1), else skip."""
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message)
    pytest.skip(message)


def create_pg_database() -> tuple[str, str]:
    """Create an empty database for this test run; return (name, SQLAlchemy URL)."""
    import psycopg

    name = f"slotbooking_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        unavailable("PostgreSQL", error)
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_redis_url() -> str:
    """Return the test Redis URL with its database emptied."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.RedisError as error:
        unavailable("Redis", error)
    return REDIS_URL


BROKER_URL = os.environ.get("TEST_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def broker_url() -> str:
    """Return the test RabbitMQ URL once the broker answers (fail in CI, else skip)."""
    from kombu import Connection

    try:
        with Connection(BROKER_URL, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:  # any failure to reach the broker
        unavailable("RabbitMQ", error)
    return BROKER_URL


def private_queue_name() -> str:
    """Return a queue name of this test's own, so parallel runs on one broker never collide."""
    return f"slotbooking-test-{uuid.uuid4().hex[:12]}"


def delete_queues(app) -> None:
    """Delete a test app's queues on the broker: the jobs queue and the route-planning one
    (bookings send to it), so no message outlives the test."""
    from slotbooking.jobs.queue import routes_queue_name

    with app.extensions["celery"].connection_for_write() as connection:
        for name in (app.config["JOBS_QUEUE"], routes_queue_name(app.config)):
            connection.default_channel.queue_delete(name)
