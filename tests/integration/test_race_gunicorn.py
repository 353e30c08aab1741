"""A real race: many shoppers released at once against gunicorn (4 processes) on PostgreSQL + Redis.

The in-process tests prove the logic; only separate processes with their own database
connections prove the row locks. Each client below has its own TCP connection, they all wait
on one barrier, and half of them hold-and-book in one step while the other half hold first and
then book. Afterwards the answers, the database and the cached grid must tell the same story.
"""

import http.client
import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade
from sqlalchemy import func, select

from slotbooking import create_app
from slotbooking.bookings.capacity import capacity_version, lock_depot_day, usage_by_depot_day, usage_by_slot
from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.cache import cache_namespace
from slotbooking.clock import system_now as utcnow
from slotbooking.config import DEFAULTS
from slotbooking.demo.cli import prepare_demo
from slotbooking.extensions import db
from slotbooking.offers.offer import Offer
from slotbooking.retailers.models import Zone
from slotbooking.slots.models import DepotDay, Slot
from tests.support import services
from tests.support.gunicorn import GunicornServer

pytestmark = pytest.mark.services

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


@pytest.fixture(scope="module")
def live():
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


# A worker shows a change committed by another process at once by default (a version read per
# request); with the version watch on (docs/cache.md), within its bound plus a poll and the
# round trips. Its own commits at once either way.
VERSION_BOUND = (
    DEFAULTS["CAPACITY_VERSION_STALE_SECONDS"] + 1.0 if DEFAULTS["CAPACITY_VERSION_POLL_SECONDS"] else 0.0
)


def within_the_version_bound(check) -> None:
    """Run the check (it asserts) until it passes, for at most VERSION_BOUND seconds."""
    deadline = time.monotonic() + VERSION_BOUND
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def assert_views_agree(live: Live, zone: str, day: date, slot_id: str, remaining: int) -> None:
    """The API (twice: built, then from Redis) and the cached entry say `remaining` for the slot,
    once every worker's version watch can have seen the last commit."""

    def agree():
        first = grid(live, zone, day)[slot_id]
        second = grid(live, zone, day)[slot_id]
        assert first["remaining"] == second["remaining"] == remaining, (first, second)
        assert first["available"] is (remaining > 0)
        assert cached_remaining(live, slot_id) == {remaining}

    within_the_version_bound(agree)


# -- the races -------------------------------------------------------------------------------


def test_a_nearly_full_slot_gives_its_last_places_to_exactly_that_many_clients(live):
    day, (slot,) = fresh_slots(live, "N1", 1)
    status, body = call(
        live,
        "POST",
        "/bookings",
        {"slot_id": slot["id"], "address": {"postcode": POSTCODES["N1"]}, "order_ref": "EARLY-BIRD"},
    )
    assert status == 201, body
    assert_views_agree(live, "N1", day, slot["id"], remaining=3)  # the cache is warm before the race

    attempts = race(live, [(slot["id"], POSTCODES["N1"])])

    assert_exactly(attempts, places=3)
    assert confirmed_in_slot(live, slot["id"]) == 4
    assert live_holds_in_slot(live, slot["id"]) == 0  # every successful hold became its booking
    assert occupied(live, slot["id"]) == 4
    assert_views_agree(live, "N1", day, slot["id"], remaining=0)


def test_the_depot_daily_cap_gives_its_last_places_to_exactly_that_many_clients(live):
    """Two windows of two zones of one depot, 8 places between them, but 3 left in the depot's day."""
    day, (in_n1,) = fresh_slots(live, "N1", 1)
    _, (in_nw1,) = fresh_slots(live, "NW1", 1)
    assert in_nw1["date"] == in_n1["date"] == day.isoformat()
    with live.app.app_context():
        depot_id = db.session.get(Slot, in_n1["id"]).depot_id
        assert db.session.get(Slot, in_nw1["id"]).depot_id == depot_id
        depot_day = db.session.scalar(
            select(DepotDay).where(DepotDay.depot_id == depot_id, DepotDay.service_date == day)
        )
        taken_before = depot_day_taken(depot_id, day)
        depot_day.capacity = taken_before + 3
        capacity = depot_day.capacity
        other_depot_zone = db.session.scalar(select(Zone).where(Zone.code == "E8"))
        assert other_depot_zone.depot_id != depot_id
        db.session.commit()
    bump_cache(live, in_n1["id"], in_nw1["id"])  # committed here: the servers see it within the bound

    def both_show_three():
        assert grid(live, "N1", day)[in_n1["id"]]["remaining"] == 3
        assert grid(live, "NW1", day)[in_nw1["id"]]["remaining"] == 3

    within_the_version_bound(both_show_three)

    attempts = race(live, [(in_n1["id"], POSTCODES["N1"]), (in_nw1["id"], POSTCODES["NW1"])])

    assert_exactly(attempts, places=3)
    with live.app.app_context():
        assert depot_day_taken(depot_id, day) == capacity
    assert occupied(live, in_n1["id"]) + occupied(live, in_nw1["id"]) == 3
    assert live_holds_in_slot(live, in_n1["id"]) + live_holds_in_slot(live, in_nw1["id"]) == 0
    assert_views_agree(live, "N1", day, in_n1["id"], remaining=0)
    assert_views_agree(live, "NW1", day, in_nw1["id"], remaining=0)

    # the whole depot day is full, in a zone nobody raced for too; the other depot is untouched
    def depot_day_full():
        assert not any(s["available"] for s in grid(live, "W2", day).values())
        assert any(s["available"] for s in grid(live, "E8", day).values())

    within_the_version_bound(depot_day_full)


def fresh_wide_window(live: Live, zone: str) -> tuple[date, dict, list[dict]]:
    """An untouched 4-hour window of the zone and the hour windows under it, from the day after tomorrow."""
    start = first_day_far_from_cutoff()
    for offset in range(7):
        day = start + timedelta(days=offset)
        windows = grid(live, zone, day).values()
        for wide in (s for s in windows if s["width_minutes"] == 240 and s["remaining"] == 12):
            hours = [s for s in windows if wide["start"] <= s["start"] and s["end"] <= wide["end"]]
            hours = [s for s in hours if s["id"] != wide["id"]]
            if len(hours) == 4 and all(s["width_minutes"] == 60 and s["remaining"] == 4 for s in hours):
                return day, wide, hours
    raise AssertionError(f"no untouched 4-hour window in zone {zone}")


def test_wide_and_narrow_holds_share_the_last_joint_places_without_overbooking(live):
    """A 4-hour window over four hour windows of 2 places each: 8 vans' places, 5 taken by wide bookings.

    Three joint places are left, and every one of them can go to the wide window or to any hour
    under it; shoppers race for all five windows at once, in one step or with a hold first.
    """
    day, wide, hours = fresh_wide_window(live, "E8")
    with live.app.app_context():
        for hour in hours:
            db.session.get(Slot, hour["id"]).capacity = 2
        db.session.commit()
    bump_cache(live, wide["id"])
    for n in range(5):
        status, body = call(
            live,
            "POST",
            "/bookings",
            {"slot_id": wide["id"], "address": {"postcode": POSTCODES["E8"]}, "order_ref": f"WIDE-{n}"},
        )
        assert status == 201, body
    assert_views_agree(live, "E8", day, wide["id"], remaining=3)
    for hour in hours:
        assert_views_agree(live, "E8", day, hour["id"], remaining=2)
    family = [wide["id"], *(h["id"] for h in hours)]

    # seven entries, so the wide window and every hour get one-step and two-step clients alike
    order = [wide, hours[0], hours[1], wide, hours[2], hours[3], wide]
    attempts = race(live, [(s["id"], POSTCODES["E8"]) for s in order])

    assert_exactly(attempts, places=3)
    assert sum(occupied(live, slot_id) for slot_id in family) == 8  # every place of the four hours
    assert all(occupied(live, h["id"]) <= 2 for h in hours)
    assert sum(live_holds_in_slot(live, slot_id) for slot_id in family) == 0
    assert sum(confirmed_in_slot(live, slot_id) for slot_id in family) == 8
    for slot_id in family:
        assert_views_agree(live, "E8", day, slot_id, remaining=0)
