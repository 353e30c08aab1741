"""Secrets and start-up: no public key in production, manage links as digests, webhook secrets encrypted."""

import hashlib
import json
import logging
import secrets
import stat
import subprocess
import sys
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from slotbooking import create_app
from slotbooking.demo.cli import demo_document
from slotbooking.events.models import EventEndpoint
from slotbooking.extensions import db
from slotbooking.security.encryption import UndecryptableSecret
from slotbooking.security.startup import UnsafeConfiguration
from tests.conftest import empty_tables, import_document, make_app
from tests.support.redis_server import service_environment

ROOT = Path(__file__).resolve().parents[2]
BEFORE_THIS_CHANGE = "c3d1e2f4a5b6"  # the revision before manage-link digests and encrypted secrets


def _production_config(tmp_path, **settings) -> dict:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}", "TESTING": False, "DEBUG": False, **settings}


def test_the_app_refuses_to_start_with_the_default_secret_key(tmp_path):
    with pytest.raises(UnsafeConfiguration, match="SLOTBOOKING_SECRET_KEY"):
        create_app(_production_config(tmp_path, ENCRYPTION_KEYS=Fernet.generate_key().decode()))


def test_the_app_refuses_to_start_without_encryption_keys(tmp_path):
    with pytest.raises(UnsafeConfiguration, match="SLOTBOOKING_ENCRYPTION_KEYS"):
        create_app(_production_config(tmp_path, SECRET_KEY=secrets.token_urlsafe(48)))


def test_the_app_starts_with_its_own_secrets_and_in_debug(tmp_path):
    key = Fernet.generate_key().decode()
    assert create_app(_production_config(tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ENCRYPTION_KEYS=key))
    assert create_app(_production_config(tmp_path, DEBUG=True)).debug


def test_a_cheap_password_hash_is_refused_outside_testing(tmp_path):
    production = _production_config(
        tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ENCRYPTION_KEYS=Fernet.generate_key().decode()
    )
    for debug in (False, True):
        with pytest.raises(UnsafeConfiguration, match="SLOTBOOKING_PASSWORD_HASH_COST"):
            create_app({**production, "DEBUG": debug, "PASSWORD_HASH_COST": "cheapest"})


def test_staff_passwords_are_argon2id_at_full_cost_unless_a_test_asks_for_the_cheapest(tmp_path):
    from argon2 import extract_parameters, profiles

    from slotbooking.staff.passwords import hash_password, needs_rehash, verify_password

    key = Fernet.generate_key().decode()
    production = create_app(
        _production_config(tmp_path, SECRET_KEY=secrets.token_urlsafe(48), ENCRYPTION_KEYS=key)
    )
    cheap = create_app({**_production_config(tmp_path), "TESTING": True, "PASSWORD_HASH_COST": "cheapest"})
    for app, expected in ((production, profiles.get_default_parameters()), (cheap, profiles.CHEAPEST)):
        with app.app_context():
            stored = hash_password("correct horse battery staple")
            assert stored.startswith("$argon2id$") and extract_parameters(stored) == expected
            assert verify_password(stored, "correct horse battery staple")
            assert not verify_password(stored, "wrong horse battery staple")
            assert not verify_password(None, "correct horse battery staple")
            assert not needs_rehash(stored)
    with production.app_context():  # a hash made cheaply is made again at full cost on the next login
        with cheap.app_context():
            cheaply = hash_password("correct horse battery staple")
        assert needs_rehash(cheaply)


def _flask(args, instance_dir, **env):
    # Without libfaketime (service_environment): the rate limiter's in-memory storage (the
    # limits library, used when there is no Redis) runs a threading.Timer, and under Debian's
    # libfaketime 0.9.10 its timed wait never returns, so the command would never exit. These
    # tests are about secrets and printed links, not dates; the app's clock is tested elsewhere.
    clean = {k: v for k, v in service_environment().items() if not k.startswith(("SLOTBOOKING_", "FLASK_"))}
    clean.update(SLOTBOOKING_INSTANCE_DIR=str(instance_dir), **env)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=240,  # the demo seeds its bookings and plans routes (about 20 s)
    )


@pytest.fixture(scope="module")
def first_demo(tmp_path_factory):
    """The demo's first run in a new instance folder, on port 5077 (seeding takes about 20 s: once)."""
    instance = tmp_path_factory.mktemp("demo")
    return instance, _flask(["demo", "--no-serve", "--port", "5077"], instance)


def test_the_served_app_names_the_missing_setting_and_the_demo_still_starts(tmp_path, first_demo):
    refused = _flask(["routes"], tmp_path / "served")
    assert refused.returncode != 0
    assert "refusing to start" in refused.stderr and "SLOTBOOKING_SECRET_KEY" in refused.stderr

    instance, first = first_demo
    assert first.returncode == 0, first.stderr
    assert "secret key:" in first.stdout
    made = instance / "demo_secrets.json"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    kept = json.loads(made.read_text())
    assert _flask(["demo", "--no-serve"], instance).returncode == 0
    assert json.loads(made.read_text()) == kept  # made once, then reused (links and secrets keep working)


def _booked(shop):
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    booking = shop.book(hold["id"]).get_json()
    return booking, booking["manage_url"].removeprefix("http://shop.test")


def test_the_manage_token_is_stored_only_as_its_digest(app, shop, client):
    booking, path = _booked(shop)
    token = path.rsplit("/", 1)[-1]
    assert shop.get(f"/bookings/{booking['id']}").get_json()["manage_url"] == booking["manage_url"]
    with app.app_context():
        row = db.session.execute(text("SELECT * FROM bookings")).mappings().one()
    assert all(token not in str(value) for value in row.values())
    assert row["manage_token_digest"] == hashlib.sha256(token.encode()).hexdigest()
    page = client.get(path)
    assert page.status_code == 200
    assert booking["order_ref"] in page.get_data(as_text=True)


def test_a_manage_link_stops_working_once_its_delivery_day_has_passed(app, shop, client, clock):
    booking, path = _booked(shop)
    day = datetime.fromisoformat(booking["slot"]["start"]).date()
    midnight_after = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo("Europe/London"))
    clock.now = midnight_after - timedelta(minutes=1)
    assert client.get(path).status_code == 200
    clock.now = midnight_after
    expired = client.get(path)
    assert expired.status_code == 410
    page = expired.get_data(as_text=True)
    assert "This link has expired" in page and "has passed" in page
    assert client.get(path + "/cancel").status_code == 410
    assert client.get(f"/manage/{secrets.token_urlsafe(32)}").status_code == 404


def test_a_moved_booking_keeps_its_link_until_its_new_day_has_passed(app, shop, client, clock):
    booking, path = _booked(shop)
    first_day = datetime.fromisoformat(booking["slot"]["start"]).date()
    later = next(
        s
        for s in shop.slots(days=4)["slots"]
        if s["available"] and datetime.fromisoformat(s["start"]).date() > first_day
    )
    moved = shop.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": later["id"]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["manage_url"] == booking["manage_url"]
    london = ZoneInfo("Europe/London")
    clock.now = datetime.combine(first_day + timedelta(days=1), time(0), tzinfo=london)
    assert client.get(path).status_code == 200
    new_day = datetime.fromisoformat(later["start"]).date()
    clock.now = datetime.combine(new_day + timedelta(days=1), time(0), tzinfo=london)
    assert client.get(path).status_code == 410


def test_links_and_secrets_made_before_the_migration_keep_working(app, clock, client):
    document = demo_document()
    document["events"] = {"webhook_url": "https://hooks.example/slots"}
    keys = import_document(app, document, clock)
    from tests.support.api import ApiClient

    booking, path = _booked(ApiClient(client, keys["secret_key"]))
    legacy_token = secrets.token_urlsafe(32)
    with app.app_context():
        downgrade(revision=BEFORE_THIS_CHANGE)
        # As rows stood before: a random token and a plain secret, stored as they are.
        db.session.execute(text("UPDATE bookings SET manage_token = :t"), {"t": legacy_token})
        stored = db.session.execute(text("SELECT secret FROM event_endpoints")).scalar_one()
        assert stored == keys["webhook_secret"]
        db.session.commit()
        upgrade()
        raw = db.session.execute(text("SELECT secret FROM event_endpoints")).scalar_one()
        assert keys["webhook_secret"] not in raw
        db.session.expire_all()
        assert db.session.get(EventEndpoint, 1).secret == keys["webhook_secret"]
    assert client.get(f"/manage/{legacy_token}").status_code == 200  # the link in the old e-mail
    assert client.get(path).status_code == 200  # the link the API gives now


@pytest.fixture
def database(request, tmp_path):
    """A database URL several apps can share: a SQLite file, or this run's PostgreSQL (emptied)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    url = request.getfixturevalue("pg_database")
    app = make_app(url, None)
    empty_tables(app)
    with app.app_context():
        db.engine.dispose()
    return url


@pytest.mark.parametrize("database", ["sqlite", "pg"], indirect=True)
def test_webhook_secrets_are_encrypted_at_rest_and_keys_rotate(database, clock):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    apps = []

    def app_with(keys: str):
        apps.append(make_app(database, clock, ENCRYPTION_KEYS=keys))
        return apps[-1]

    def stored_and_read(app):
        with app.app_context():
            raw = db.session.execute(text("SELECT secret FROM event_endpoints")).scalar_one()
            return raw, db.session.get(EventEndpoint, 1).secret

    try:
        first = app_with(old)
        document = demo_document()
        document["events"] = {"webhook_url": "https://hooks.example/slots"}
        secret = import_document(first, document, clock)["webhook_secret"]
        raw, read = stored_and_read(first)
        assert secret not in raw and read == secret
        assert Fernet(old).decrypt(raw.encode()).decode() == secret

        rotating = app_with(f"{new},{old}")
        assert stored_and_read(rotating)[1] == secret
        result = rotating.test_cli_runner().invoke(args=["events", "reencrypt"])
        assert result.exit_code == 0, result.output
        raw, _ = stored_and_read(rotating)
        assert Fernet(new).decrypt(raw.encode()).decode() == secret

        assert stored_and_read(app_with(new))[1] == secret  # the old key can now be dropped
        with pytest.raises(UndecryptableSecret, match="ENCRYPTION_KEYS"):
            stored_and_read(app_with(Fernet.generate_key().decode()))
    finally:
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.mark.parametrize(
    ("base_url", "secure"), [("https://book.example", True), ("http://127.0.0.1:5000", False)]
)
def test_the_session_cookie_is_secure_when_the_public_url_is_https(tmp_path, clock, base_url, secure):
    app = make_app(f"sqlite:///{tmp_path / 'cookie.db'}", clock, PUBLIC_BASE_URL=base_url)
    import_document(app, demo_document(), clock)
    response = app.test_client().get("/r/demo-grocer/book", query_string={"order_ref": "A-1"})
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith(app.config["SESSION_COOKIE_NAME"] + "=") for c in cookies), cookies
    for cookie in cookies:
        assert ("; Secure" in cookie) is secure, cookie
    # A shopper's page never loads a console user, so Flask-Login sets (or clears) nothing.
    assert not [c for c in cookies if c.startswith("remember_token=")], cookies
    with app.app_context():
        db.engine.dispose()


def test_a_failing_statement_logs_no_bound_value(app, caplog):
    value = f"4929-{secrets.token_hex(6)}"

    @app.get("/api/v1/failing-statement")
    def failing_statement():
        db.session.execute(text("INSERT INTO no_such_table (card) VALUES (:card)"), {"card": value})

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/v1/failing-statement")
    assert response.status_code in (500, 503)
    assert "no_such_table" in caplog.text  # the statement is logged...
    assert value not in caplog.text  # ...but never what was bound to it
    assert value not in response.get_data(as_text=True)


def test_the_demo_prints_links_to_where_it_serves(first_demo):
    _, shown = first_demo
    assert shown.returncode == 0, shown.stderr
    links = [word for word in shown.stdout.split() if word.startswith("http://")]
    assert links and all(link.startswith("http://127.0.0.1:5077/") for link in links), links
