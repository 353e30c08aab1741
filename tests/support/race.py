"""Races against gunicorn (4 processes) on PostgreSQL + Redis: the live server, the clients, the checks.

The in-process tests prove the logic; only separate processes with their own database
connections prove the row locks. Each client has its own TCP connection, they all wait on one
barrier, and half of them hold-and-book in one step while the other half hold first and then
book. Afterwards the answers, the database and the cached grid must tell the same story.
Used by tests/integration/test_race_gunicorn.py (one window) and test_race_shared_capacity.py
(a depot's daily cap, nested windows).
"""

import http.client
import json
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import func, select

from slotbooking import create_app
from slotbooking.bookings.capacity import capacity_version, lock_depot_day, usage_by_depot_day, usage_by_slot
from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.cache import cache_namespace
from slotbooking.clock import system_now as utcnow
from slotbooking.demo.cli import prepare_demo
from slotbooking.extensions import db
from slotbooking.offers.offer import Offer
from slotbooking.slots.models import Slot
from tests.support import services
from tests.support.gunicorn import GunicornServer

CLIENTS = 60
SECRET = "race-test-secret"
ENCRYPTION_KEYS = Fernet.generate_key().decode()
LONDON = ZoneInfo("Europe/London")
# A Redis database of its own: other test runs flush theirs (TEST_REDIS_URL) while this one runs.
# Two suites run side by side (two checkouts) give each its own TEST_RACE_REDIS_URL.
RACE_REDIS_URL = os.environ.get(
    "TEST_RACE_REDIS_URL", urlsplit(services.REDIS_URL)._replace(path="/14").geturl()
)
POSTCODES = {"N1": "N1 2AB", "NW1": "NW1 2AB", "W2": "W2 1AA", "E8": "E8 1AA"}


@dataclass
class Live:
    server: GunicornServer
    app: object
    key: str
    redis: object


def live_server():
    """A module fixture's body: the demo retailer served by gunicorn with 4 workers."""
    name, database_url = services.create_pg_database()
    server = None
    app = None
    try:
        redis_client = _dedicated_redis()
        app = create_app(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": RACE_REDIS_URL,
                "RATELIMIT_ENABLED": False,
                "SECRET_KEY": SECRET,
                "ENCRYPTION_KEYS": ENCRYPTION_KEYS,
            }
        )
        with app.app_context():
            upgrade()
            keys = prepare_demo(db.session, utcnow())
        server = GunicornServer(
            "wsgi:app",
            env={
                "DATABASE_URL": database_url,
                "REDIS_URL": RACE_REDIS_URL,
                "SLOTBOOKING_RATELIMIT_ENABLED": "0",
                "SLOTBOOKING_SECRET_KEY": SECRET,
                "SLOTBOOKING_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
            },
            workers=4,
        ).start()
        yield Live(server, app, keys["secret_key"], redis_client)
        assert "Traceback" not in server.log_text(), server.log_tail(80)
    finally:
        if server is not None:
            server.cleanup()
        if app is not None:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        services.drop_pg_database(name)


def _dedicated_redis():
    import redis

    client = redis.Redis.from_url(RACE_REDIS_URL, socket_connect_timeout=1, decode_responses=True)
    try:
        client.flushdb()
    except redis.RedisError as error:
        services.unavailable("Redis", error)
    return client


# -- HTTP, one connection per client ---------------------------------------------------------


def _call(conn: http.client.HTTPConnection, key: str, method: str, path: str, body=None):
    headers = {"Authorization": f"Bearer {key}"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    conn.request(method, f"/api/v1{path}", body=payload, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        data = {"raw": raw[:200].decode("utf-8", "replace")}
    return response.status, data


def call(live: Live, method: str, path: str, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", live.server.port, timeout=30)
    try:
        return _call(conn, live.key, method, path, body)
    finally:
        conn.close()


def grid(live: Live, zone: str, day: date) -> dict[str, dict]:
    query = urlencode({"postcode": POSTCODES[zone], "from": day.isoformat(), "days": 1})
    status, body = call(live, "GET", f"/slots?{query}")
    assert status == 200, body
    return {slot["id"]: slot for slot in body["slots"]}


@dataclass
class Attempt:
    client: int
    slot_id: str
    two_step: bool
    statuses: list[int] = field(default_factory=list)
    bodies: list = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> int | None:
        return self.statuses[-1] if self.statuses else None

    @property
    def code(self) -> str | None:
        body = self.bodies[-1] if self.bodies else None
        return body.get("error", {}).get("code") if isinstance(body, dict) else None


def race(live: Live, slots: list[tuple[str, str]]) -> list[Attempt]:
    """Release CLIENTS shoppers at once; client i tries slots[i % len(slots)] (slot id, postcode).

    Even clients book in one step (POST /bookings with slot_id and address); odd clients hold
    first (POST /holds) and book the hold when they got one.
    """
    barrier = threading.Barrier(CLIENTS, timeout=30)
    attempts = [Attempt(i, slots[i % len(slots)][0], two_step=i % 2 == 1) for i in range(CLIENTS)]

    def shopper(attempt: Attempt) -> None:
        slot_id, postcode = slots[attempt.client % len(slots)]
        address = {"postcode": postcode}
        order_ref = f"RACE-{attempt.client}"
        conn = http.client.HTTPConnection("127.0.0.1", live.server.port, timeout=30)
        try:
            conn.connect()
            barrier.wait()
            if attempt.two_step:
                status, body = _call(
                    conn, live.key, "POST", "/holds", {"slot_id": slot_id, "address": address}
                )
                attempt.statuses.append(status)
                attempt.bodies.append(body)
                if status != 201:
                    return
                conn.close()  # sync workers close after each answer; book on a fresh connection
                status, body = _call(
                    conn, live.key, "POST", "/bookings", {"hold_id": body["id"], "order_ref": order_ref}
                )
            else:
                status, body = _call(
                    conn,
                    live.key,
                    "POST",
                    "/bookings",
                    {"slot_id": slot_id, "address": address, "order_ref": order_ref},
                )
            attempt.statuses.append(status)
            attempt.bodies.append(body)
        except Exception as exc:  # reported by the assertions, with the client's number
            attempt.error = repr(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=shopper, args=(a,), daemon=True) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "some clients never finished"
    return attempts


def assert_exactly(attempts: list[Attempt], places: int) -> list[Attempt]:
    """Exactly `places` clients booked; every other one was told slot_full; no 5xx at all."""
    errors = [(a.client, a.error) for a in attempts if a.error]
    assert not errors, errors
    every_status = Counter(s for a in attempts for s in a.statuses)
    assert not [s for s in every_status if s >= 500], every_status
    booked = [a for a in attempts if a.status == 201]
    refused = [a for a in attempts if a.status != 201]
    summary = Counter((a.status, a.code) for a in attempts)
    assert len(booked) == places, summary
    assert all(a.status == 409 and a.code == "slot_full" for a in refused), summary
    # a two-step client refused at booking time would mean a hold that did not reserve its place
    assert all(len(a.statuses) == 1 for a in refused), [(a.client, a.statuses) for a in refused]
    booking_ids = [a.bodies[-1]["id"] for a in booked]
    assert len(set(booking_ids)) == places
    assert all(a.bodies[-1]["status"] == "confirmed" for a in booked)
    assert all(a.bodies[-1]["slot"]["id"] == a.slot_id for a in booked)
    return booked


# -- the database's and the cache's view -----------------------------------------------------


def first_day_far_from_cutoff() -> date:
    """A date whose windows close no sooner than a day from now (the demo's cut-off is 22:00 the eve)."""
    return utcnow().astimezone(LONDON).date() + timedelta(days=2)


def fresh_slots(live: Live, zone: str, count: int, exclude=(), width=60) -> tuple[date, list[dict]]:
    """`count` untouched windows of a zone on the first date from the day after tomorrow that has them."""
    start = first_day_far_from_cutoff()
    for offset in range(7):
        day = start + timedelta(days=offset)
        found = [
            s
            for s in grid(live, zone, day).values()
            if s["available"]
            and s["width_minutes"] == width
            and s["remaining"] == 4
            and s["id"] not in exclude
        ]
        if len(found) >= count:
            return day, found[:count]
    raise AssertionError(f"no date with {count} free windows in zone {zone}")


def namespace_of(live: Live, slot_id: str) -> str:
    """The cache namespace the app files the slot's grid under (the app's own naming)."""
    with live.app.app_context():
        slot = db.session.get(Slot, slot_id)
        return cache_namespace(slot.retailer_id, slot.depot_id)


def bump_cache(live: Live, *slot_ids: str) -> None:
    """Tell the cache that capacities were changed behind the API's back (as a lock would)."""
    with live.app.app_context():
        for slot_id in set(slot_ids):
            slot = db.session.get(Slot, slot_id)
            lock_depot_day(db.session, slot.depot_id, slot.service_date)
        db.session.commit()


def cached_remaining(live: Live, slot_id: str) -> set[int]:
    """`remaining` of the slot in every current (not outdated) cached grid in Redis."""
    namespace = namespace_of(live, slot_id)
    with live.app.app_context():
        depot_id = db.session.get(Slot, slot_id).depot_id
    seen = set()
    for key in live.redis.scan_iter(match=f"e:*:{namespace}:*", count=500):
        raw = live.redis.get(key)
        if not raw:
            continue
        # as offers/service.py names the entry: offer:<namespace>:<zone>:<first>:<days>:...
        first, days = key.removeprefix(f"e:offer:{namespace}:").split(":")[1:3]
        first = date.fromisoformat(first)
        with live.app.app_context():  # the database's own version (this process's watch may lag)
            version = capacity_version(db.engine, depot_id, first, first + timedelta(days=int(days) - 1))
        entry_version, _, text = raw.partition("\n")  # as slotbooking.cache stores it
        if entry_version != str(version):
            continue
        slots = json.loads(Offer.decode(text).slots_json)
        seen |= {s["remaining"] for s in slots if s["id"] == slot_id}
    return seen


def confirmed_in_slot(live: Live, slot_id: str) -> int:
    with live.app.app_context():
        return db.session.scalar(
            select(func.count()).where(Booking.slot_id == slot_id, Booking.status.in_(OCCUPYING_STATUSES))
        )


def live_holds_in_slot(live: Live, slot_id: str) -> int:
    with live.app.app_context():
        return db.session.scalar(
            select(func.count()).where(
                Hold.slot_id == slot_id, Hold.status == "active", Hold.expires_at > utcnow()
            )
        )


def occupied(live: Live, slot_id: str) -> int:
    with live.app.app_context():
        return usage_by_slot(db.session, [slot_id], utcnow())[slot_id]


def depot_day_taken(depot_id: int, day: date) -> int:
    """Bookings plus live holds over the depot's windows that day (call in an app context)."""
    _capacity, taken = usage_by_depot_day(db.session, depot_id, [day], utcnow())[day]
    return taken


def assert_views_agree(live: Live, zone: str, day: date, slot_id: str, remaining: int) -> None:
    """The API (twice: built, then from Redis) and the cached entry say `remaining` for the slot,
    at once: every commit through the app moves its depot's change counter, which every worker's
    next hit reads (bookings/version_watch.py), so no worker may still show the old grid."""
    first = grid(live, zone, day)[slot_id]
    second = grid(live, zone, day)[slot_id]
    assert first["remaining"] == second["remaining"] == remaining, (first, second)
    assert first["available"] is (remaining > 0)
    assert cached_remaining(live, slot_id) == {remaining}
