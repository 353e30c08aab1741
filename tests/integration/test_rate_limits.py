"""Limits that hold: junk keys, proxies and Retry-After, as an attacker and a retailer see them."""

import secrets
from itertools import count

import pytest

from slotbooking import create_app
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import empty_tables, import_document, make_app
from tests.support.api import ApiClient
from tests.support.services import fresh_redis_url

LIMIT = 5
LOAD_BALANCER = "10.0.0.1"
_apps = count()


@pytest.fixture(params=["sqlite", "pg"])
def backend(request, tmp_path):
    """(database URL, Redis URL) for a limited app: SQLite with in-memory limits, or PG + Redis."""
    if request.param == "sqlite":
        return lambda: (f"sqlite:///{tmp_path / f'limits-{next(_apps)}.db'}", "")
    database = request.getfixturevalue("pg_database")
    return lambda: (database, fresh_redis_url())


@pytest.fixture
def limited_app(backend, clock):
    """Build an app with RATELIMIT_DEFAULT at LIMIT per minute and the demo retailer loaded."""
    built = []

    def build(**settings):
        database, redis_url = backend()
        app = make_app(
            database,
            clock,
            redis_url=redis_url,
            RATELIMIT_ENABLED=True,
            RATELIMIT_DEFAULT=f"{LIMIT} per minute",
            **settings,
        )
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            empty_tables(app)
        built.append(app)
        return app, import_document(app, demo_document(), clock)

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _junk_key_get(client, address="203.0.113.7"):
    headers = {"Authorization": f"Bearer sk_{secrets.token_urlsafe(24)}"}
    return client.get(
        "/api/v1/slots",
        query_string={"postcode": "N1 2AB"},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def test_random_bearer_tokens_count_against_the_address(limited_app):
    app, _ = limited_app()
    client = app.test_client()
    statuses = [_junk_key_get(client).status_code for _ in range(LIMIT + 2)]
    assert statuses == [401] * LIMIT + [429, 429]
    # Another client's address still has its own bucket.
    assert _junk_key_get(client, address="198.51.100.9").status_code == 401


def test_a_known_key_keeps_its_own_bucket_while_junk_exhausts_the_address(limited_app):
    app, keys = limited_app()
    client = app.test_client()
    for _ in range(LIMIT + 1):
        _junk_key_get(client)
    response = client.get(
        "/api/v1/slots",
        query_string={"postcode": "N1 2AB"},
        headers={"Authorization": f"Bearer {keys['secret_key']}"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert response.status_code == 200


def _open_booking_page(client, forwarded_for=None, token=None):
    headers = {}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.get("/r/demo-grocer/book", headers=headers, environ_base={"REMOTE_ADDR": LOAD_BALANCER})
    return response.status_code


def test_the_hosted_page_counts_per_address_whatever_bearer_header_is_sent(limited_app):
    app, _ = limited_app()
    client = app.test_client()
    statuses = [_open_booking_page(client, token=secrets.token_urlsafe(24)) for _ in range(LIMIT + 1)]
    assert statuses[-1] == 429
    assert all(status != 429 for status in statuses[:LIMIT])


def test_the_widget_counts_per_address_whatever_bearer_header_is_sent(limited_app):
    app, _ = limited_app()
    client = app.test_client()

    def fetch():
        headers = {"Authorization": f"Bearer {secrets.token_urlsafe(24)}"}
        with client.get("/widget/slot-picker.js", headers=headers) as response:
            return response.status_code

    statuses = [fetch() for _ in range(LIMIT + 1)]
    assert statuses == [200] * LIMIT + [429]


def test_a_spoofed_forwarded_for_changes_nothing_without_a_trusted_proxy(limited_app):
    app, _ = limited_app()
    client = app.test_client()
    statuses = [_open_booking_page(client, forwarded_for=f"192.0.2.{n}") for n in range(LIMIT + 1)]
    assert statuses[-1] == 429


def test_behind_a_trusted_load_balancer_each_shopper_has_a_bucket(limited_app):
    app, _ = limited_app(PROXY_FIX_X_FOR=1)
    client = app.test_client()
    shoppers = [f"192.0.2.{n}" for n in range(LIMIT + 2)]
    # More shoppers than the limit, all through one balancer: none is refused.
    assert all(_open_booking_page(client, forwarded_for=shopper) != 429 for shopper in shoppers)
    # One shopper who puts addresses of their own in front of what the balancer appends is
    # still counted at their real address.
    statuses = [
        _open_booking_page(client, forwarded_for=f"198.51.100.{n}, 192.0.2.200") for n in range(LIMIT + 1)
    ]
    assert statuses[-1] == 429


def test_retry_after_only_on_429_with_the_real_wait(limited_app):
    app, keys = limited_app()
    shop = ApiClient(app.test_client(), keys["secret_key"])
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"])
    assert hold.status_code == 201
    assert "Retry-After" not in hold.headers
    assert hold.headers["X-RateLimit-Limit"] == str(LIMIT)
    assert "X-RateLimit-Retry-After" not in hold.headers
    statuses = [shop.get("/slots", postcode="N1 2AB") for _ in range(LIMIT)]
    refused = statuses[-1]
    assert [r.status_code for r in statuses[:-2]] == [200] * (LIMIT - 2)
    assert all("Retry-After" not in r.headers for r in statuses[:-1])
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    # The window is a minute: the client is told to wait for the rest of it, not a token second.
    assert 30 <= int(refused.headers["Retry-After"]) <= 60


@pytest.mark.parametrize(
    "database_url", ["sqlite:////nonexistent-dir/down.db", "postgresql://postgres@127.0.0.1:1/down"]
)
def test_a_503_keeps_its_own_retry_after(database_url, clock):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "CLOCK": clock,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_DEFAULT": "100 per minute",
            "SECRET_KEY": "test-secret",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"


def test_each_app_keeps_its_own_limits(limited_app, tmp_path, clock):
    limited_app()  # an app with LIMIT per minute, built first in this process
    database = f"sqlite:///{tmp_path / 'stricter.db'}"
    stricter = make_app(database, clock, RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = stricter.test_client()
    assert [_junk_key_get(client).status_code for _ in range(3)] == [401, 401, 429]
    with stricter.app_context():
        db.engine.dispose()
