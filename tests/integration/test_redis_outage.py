"""PostgreSQL is the truth: with Redis stopped, restarted empty or flushed, nothing is lost."""

import pytest

from slotbooking.extensions import db
from tests.conftest import import_document, make_app
from tests.support.api import ApiClient
from tests.support.db import occupied, set_slot_capacity
from tests.support.redis_server import PrivateRedis
from tests.support.services import fresh_redis_url

pytestmark = pytest.mark.services


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def outage_app(pg_app, pg_database, clock, private_redis):
    """The PostgreSQL app, but talking to a Redis this test may stop."""
    app = make_app(pg_database, clock, redis_url=private_redis.url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def api(outage_app, clock):
    from slotbooking.demo.cli import demo_document

    keys = import_document(outage_app, demo_document(), clock)
    return ApiClient(outage_app.test_client(), keys["secret_key"])


def remaining(api, slot_id):
    return next(s for s in api.slots()["slots"] if s["id"] == slot_id)["remaining"]


def test_bookings_stay_correct_while_redis_is_stopped(outage_app, api, private_redis, clock):
    offer, slot = api.first_available()
    set_slot_capacity(outage_app, slot["id"], 3)
    assert api.get("/slots", postcode="N1 2AB").status_code == 200  # cache warm
    first = api.post(
        "/bookings", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "1"}
    )
    assert first.status_code == 201

    private_redis.stop()
    health = api.client.get("/healthz").get_json()
    assert health["status"] == "degraded" and health["checks"]["redis"] == "down"
    assert remaining(api, slot["id"]) == 2
    second = api.post(
        "/bookings", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "2"}
    )
    third = api.post(
        "/bookings", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "3"}
    )
    fourth = api.post(
        "/bookings", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "4"}
    )
    assert [second.status_code, third.status_code, fourth.status_code] == [201, 201, 409]
    assert api.post(f"/bookings/{second.get_json()['id']}/cancel").status_code == 200
    assert remaining(api, slot["id"]) == 1

    private_redis.start()  # back, and empty: Redis keeps nothing on disk here
    assert api.client.get("/healthz").get_json()["status"] == "ok"
    assert remaining(api, slot["id"]) == 1
    assert occupied(outage_app, slot["id"], clock()) == 2
    listed = api.get("/bookings").get_json()["bookings"]
    assert sorted(b["order_ref"] for b in listed) == ["1", "2", "3"]


def test_a_flushed_cache_is_rebuilt_from_the_database(outage_app, api, private_redis, clock):
    _, slot = api.first_available()
    set_slot_capacity(outage_app, slot["id"], 2)
    hold = api.hold(slot["id"]).get_json()
    assert remaining(api, slot["id"]) == 1
    private_redis.flush()
    assert remaining(api, slot["id"]) == 1
    assert api.book(hold["id"]).status_code == 201
    private_redis.flush()
    assert api.hold(slot["id"]).status_code == 201
    assert api.hold(slot["id"]).status_code == 409
    assert remaining(api, slot["id"]) == 0
    assert occupied(outage_app, slot["id"], clock()) == 2


def test_a_stale_writer_never_overwrites_a_fresh_entry():
    from slotbooking.cache import Cache

    cache = Cache(fresh_redis_url())
    assert cache.lookup("offer", 7) is None
    # a booking committed (version 8) and a fresh reader stored its grid first
    assert cache.store("offer", 8, '{"remaining": 4}', 60) is True
    # the slow reader that began under version 7 finishes last: it must not win
    assert cache.store("offer", 7, '{"remaining": 5}', 60) is False
    assert cache.lookup("offer", 8) == '{"remaining": 4}'
    assert cache.lookup("offer", 7) is None  # an entry serves only the version it was built from
    assert cache.store("offer", 9, '{"remaining": 3}', 60) is True
    assert cache.lookup("offer", 9) == '{"remaining": 3}'


def test_the_cache_answers_and_is_invalidated_by_a_booking(pg_app, clock):
    from slotbooking.demo.cli import demo_document

    keys = import_document(pg_app, demo_document(), clock)
    api = ApiClient(pg_app.test_client(), keys["secret_key"])
    _, slot = api.first_available()
    cache = pg_app.extensions["slot_cache"]
    assert cache.client.keys("e:offer:*"), "the grid should have been cached"
    before = remaining(api, slot["id"])
    assert api.hold(slot["id"]).status_code == 201
    assert remaining(api, slot["id"]) == before - 1
