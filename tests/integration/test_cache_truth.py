"""The cache cannot lie: whatever Redis does or forgets, GET /slots shows what the database holds.

Redis restored from an old snapshot, entries evicted at random under a tiny maxmemory, a hold
that lapses while its grid is cached, a change made behind the API's back: in each the grid a
shopper sees must agree with the database (the refusal of a hold must never be the first sign).
"""

import json
import random
import shutil
from datetime import datetime, timedelta

import pytest
import redis
from sqlalchemy import update

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.offers.offer import Offer
from slotbooking.slots.models import Slot
from tests.conftest import import_document, make_app
from tests.support.api import ApiClient
from tests.support.db import set_slot_capacity
from tests.support.redis_server import PrivateRedis
from tests.support.services import fresh_redis_url

pytestmark = pytest.mark.services

POSTCODES = ["N1 2AB", "NW1 2AB", "W2 1AA", "E8 1AA"]  # both depots of the demo


def app_on(pg_database, clock, redis_url, **settings):
    """Another app on the test's PostgreSQL database, talking to the given Redis (or none)."""
    return make_app(pg_database, clock, redis_url=redis_url, **settings)


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def private_redis(request):
    server = PrivateRedis(*getattr(request, "param", ()))
    server.start()
    yield server
    server.remove()


@pytest.fixture
def cached_app(pg_app, pg_database, clock, private_redis):
    """The PostgreSQL app, caching in a Redis of this test's own."""
    app = app_on(pg_database, clock, private_redis.url)
    yield app
    dispose(app)


@pytest.fixture
def api(cached_app, clock):
    keys = import_document(cached_app, demo_document(), clock)
    return ApiClient(cached_app.test_client(), keys["secret_key"])


def shown(api, slot_id, postcode="N1 2AB", **params):
    """The slot as GET /slots shows it."""
    return next(s for s in api.slots(postcode, **params)["slots"] if s["id"] == slot_id)


def book(api, slot_id, order_ref):
    body = {"slot_id": slot_id, "address": {"postcode": "N1 2AB"}, "order_ref": order_ref}
    return api.post("/bookings", body)


def cached_remaining(server: PrivateRedis, slot_id: str) -> set[int]:
    """`remaining` of the slot in every grid entry Redis holds, current or not."""
    client = server.client()
    seen = set()
    for key in client.scan_iter(match="e:offer:*"):
        _, _, text = (client.get(key) or "").partition("\n")
        if text:
            slots = json.loads(Offer.decode(text).slots_json)
            seen |= {s["remaining"] for s in slots if s["id"] == slot_id}
    return seen


# -- restored from an old snapshot -------------------------------------------------------------


def snapshot_rdb(server: PrivateRedis):
    """SAVE, and keep a copy of the snapshot file."""
    server.client().save()
    copy = server.dir / "old.rdb"
    shutil.copyfile(server.rdb_path, copy)
    return copy


def restart_from_rdb(server: PrivateRedis, copy) -> None:
    """Restart Redis from the old snapshot file, as after a crash and a restore from backup."""
    server.stop()
    shutil.copyfile(copy, server.rdb_path)
    server.start()


def snapshot_keys(server: PrivateRedis):
    """DUMP every key with its remaining time to live."""
    client = redis.Redis.from_url(server.url)
    return [(key, client.pttl(key), client.dump(key)) for key in client.scan_iter()]


def restore_keys(server: PrivateRedis, dumped) -> None:
    """Replace everything in Redis by the dumped keys (RESTORE), Redis itself never restarting."""
    client = redis.Redis.from_url(server.url)
    client.flushall()
    for key, pttl, value in dumped:
        client.restore(key, max(pttl, 0), value, replace=True)


RESTORES = {"rdb file": (snapshot_rdb, restart_from_rdb), "dump/restore": (snapshot_keys, restore_keys)}


@pytest.mark.parametrize("how", list(RESTORES))
def test_a_redis_restored_from_an_old_snapshot_shows_the_truth(how, cached_app, api, private_redis):
    snapshot, restore = RESTORES[how]
    _, slot = api.first_available()
    set_slot_capacity(cached_app, slot["id"], 3)
    assert book(api, slot["id"], "1").status_code == 201
    assert shown(api, slot["id"])["remaining"] == 2
    assert shown(api, slot["id"])["remaining"] == 2  # this time from the cache
    old = snapshot(private_redis)

    assert [book(api, slot["id"], ref).status_code for ref in ("2", "3")] == [201, 201]
    assert shown(api, slot["id"])["remaining"] == 0

    restore(private_redis, old)
    assert api.client.get("/healthz").get_json()["checks"]["redis"] == "ok"
    assert 2 in cached_remaining(private_redis, slot["id"]), "the old grid should be back in Redis"
    after = shown(api, slot["id"])
    assert (after["remaining"], after["available"]) == (0, False)
    assert api.hold(slot["id"]).status_code == 409  # and the database agrees


# -- a lapsed hold -----------------------------------------------------------------------------


def test_a_lapsed_hold_frees_its_place_in_the_grid_when_it_expires(pg_app, clock):
    keys = import_document(pg_app, demo_document(), clock)
    api = ApiClient(pg_app.test_client(), keys["secret_key"])
    _, slot = api.first_available()
    set_slot_capacity(pg_app, slot["id"], 1)
    hold = api.hold(slot["id"])
    assert hold.status_code == 201
    expires_at = datetime.fromisoformat(hold.get_json()["expires_at"])

    clock.now = expires_at - timedelta(seconds=30)
    assert shown(api, slot["id"])["available"] is False  # built and cached while the hold lives
    assert shown(api, slot["id"])["available"] is False

    clock.now = expires_at + timedelta(seconds=1)
    freed = shown(api, slot["id"])
    assert (freed["available"], freed["remaining"]) == (True, 1)
    assert api.hold(slot["id"]).status_code == 201


# -- CACHE_TTL_SECONDS ---------------------------------------------------------------------------


def test_a_grid_is_cached_no_longer_than_cache_ttl_seconds(pg_app, pg_database, clock):
    app = app_on(pg_database, clock, fresh_redis_url(), CACHE_TTL_SECONDS=20)
    try:
        keys = import_document(app, demo_document(), clock)
        api = ApiClient(app.test_client(), keys["secret_key"])
        _, slot = api.first_available()
        client = app.extensions["slot_cache"].client
        assert all(0 < client.ttl(key) <= 20 for key in client.scan_iter(match="e:offer:*"))

        set_slot_capacity(app, slot["id"], 2)  # behind the API's back: no version moves
        assert shown(api, slot["id"])["remaining"] == 4  # still the cached grid
        clock.advance(seconds=21)
        assert shown(api, slot["id"])["remaining"] == 2
    finally:
        dispose(app)


# -- a tiny maxmemory with allkeys-lru -------------------------------------------------------------


# One key sampled per eviction: LRU among equals (all these keys are seconds old) is arbitrary.
TINY_LRU = ("--maxmemory-policy", "allkeys-lru", "--maxmemory-samples", "1")


@pytest.mark.parametrize("private_redis", [TINY_LRU], indirect=True)
def test_grids_stay_true_while_redis_evicts_at_random(cached_app, api, pg_database, clock, private_redis):
    client = private_redis.client()
    for postcode in POSTCODES:  # connections and scripts in place: what an idle server uses
        api.slots(postcode)
    # Room for a few grids (10 to 15 KB each) over that: writes evict grid entries and price
    # sheets alike, and whatever else Redis holds.
    client.config_set("maxmemory", int(client.info("memory")["used_memory"]) + 100_000)
    truth = app_on(pg_database, clock, "")  # no Redis: every grid straight from the database
    try:
        _run_random_shoppers(api, ApiClient(truth.test_client(), api.key), cached_app, clock)
    finally:
        dispose(truth)
    stats = client.info("stats")
    assert stats["evicted_keys"] > 0, "the test should have made Redis evict"
    assert stats["keyspace_hits"] > 0, "the test should have used the cache"


def _run_random_shoppers(api, truth, app, clock, steps=200):
    with app.app_context():  # small windows fill and free all the time
        db.session.execute(update(Slot).values(capacity=2))
        db.session.commit()
    rng = random.Random(8)
    holds, bookings = [], []
    for step in range(steps):
        # a few grids per zone, asked for again and again, so entries live long enough to lie
        query = {"postcode": rng.choice(POSTCODES), "days": rng.choice([2, 3])}
        if rng.random() < 0.5:
            query["from"] = (clock().date() + timedelta(days=1)).isoformat()
        seen = api.get("/slots", **query)
        expected = truth.get("/slots", **query)
        assert seen.status_code == expected.status_code == 200, (step, seen.get_json())
        assert seen.get_json()["slots"] == expected.get_json()["slots"], f"stale grid at step {step}"
        free = [s for s in seen.get_json()["slots"] if s["available"]]
        action = rng.choice(["hold", "hold", "book", "book", "release", "cancel", "wait"])
        if action == "hold" and free:
            answer = api.hold(rng.choice(free)["id"], postcode=query["postcode"])
            assert answer.status_code in (201, 409), answer.get_json()
            if answer.status_code == 201:
                holds.append(answer.get_json()["id"])
        elif action == "book" and holds:
            answer = api.book(holds.pop(rng.randrange(len(holds))), order_ref=f"R-{step}")
            assert answer.status_code in (201, 409, 410), answer.get_json()
            if answer.status_code == 201:
                bookings.append(answer.get_json()["id"])
        elif action == "release" and holds:
            answer = api.delete(f"/holds/{holds.pop(rng.randrange(len(holds)))}")
            assert answer.status_code in (200, 204), answer.get_json()
        elif action == "cancel" and bookings:
            answer = api.post(f"/bookings/{bookings.pop(rng.randrange(len(bookings)))}/cancel")
            assert answer.status_code == 200, answer.get_json()
        elif action == "wait":
            clock.advance(minutes=rng.choice([1, 4, 9]))  # holds lapse (15 minutes in the demo)


def test_losing_any_one_key_never_brings_back_an_outdated_grid(
    cached_app, api, pg_database, clock, private_redis
):
    """Eviction picks keys one at a time: try each, whatever the cache keeps in Redis."""
    _, slot = api.first_available()
    asked = [{"days": 2}, {"days": 3}]
    for query in asked:  # both grids cached, then one booking outdates both
        api.slots(**query)
    assert book(api, slot["id"], "1").status_code == 201
    api.slots(**asked[0])  # one rebuilt, the other still outdated in Redis
    truth_app = app_on(pg_database, clock, "")
    truth = ApiClient(truth_app.test_client(), api.key)
    raw = redis.Redis.from_url(private_redis.url)
    try:
        everything = [(key, raw.pttl(key), raw.dump(key)) for key in raw.scan_iter()]
        assert len(everything) >= 3
        for key, _, _ in everything:
            raw.delete(key)
            for query in asked:
                assert api.slots(**query)["slots"] == truth.slots(**query)["slots"], (key, query)
            restore_keys(private_redis, everything)
    finally:
        dispose(truth_app)
