"""The console's login: staff add, the login form's contract, throttling, expiry, logout, rotation."""

import json

import pytest
from sqlalchemy import select

from slotbooking.extensions import db
from slotbooking.staff.models import StaffAuditEntry, StaffMember, StaffMembership
from tests.support.console import PASSWORD, add_staff, csrf_of, log_in


@pytest.fixture
def slug(demo):
    return demo["retailer"]


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(StaffAuditEntry.action).order_by(StaffAuditEntry.id)))


def test_staff_add_creates_then_updates_and_prints_it(app, runner, slug):
    args = ["staff", "add", "Ann@Example.COM", "--retailer", slug, "--role", "editor", "--password-stdin"]
    first = runner.invoke(args=args, input=PASSWORD + "\n")
    assert first.exit_code == 0, first.output
    assert first.output.strip() == f"created staff ann@example.com: editor at {slug}"
    again = runner.invoke(args=[*args[:5], "--role", "admin", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {
        "email": "ann@example.com",
        "retailer": slug,
        "role": "admin",
        "created": False,
    }
    with app.app_context():
        staff = db.session.scalar(select(StaffMember))
        assert staff.email == "ann@example.com" and staff.password_hash.startswith("$argon2id$")
        assert db.session.scalar(select(StaffMembership.role)) == "admin"


@pytest.mark.parametrize(
    ("extra", "stdin", "message"),
    [
        (["--retailer", "nobody"], PASSWORD, 'no retailer "nobody"'),
        ([], "short", "password: must be at least 10 characters"),
    ],
)
def test_staff_add_refuses_clearly(runner, slug, extra, stdin, message):
    args = ["staff", "add", "bob@example.com", "--retailer", slug, "--role", "viewer", "--password-stdin"]
    result = runner.invoke(args=args + extra, input=stdin + "\n")
    assert result.exit_code != 0
    assert message in result.output


def test_without_a_session_the_console_sends_to_the_login_form(client, slug):
    home = client.get("/ops/")
    assert home.status_code == 302 and home.headers["Location"] == "/ops/login?next=/ops/"
    page = client.get("/ops/login").get_data(as_text=True)
    for field in ('name="email"', 'name="password"', 'name="csrf_token"'):
        assert field in page


def test_a_good_login_opens_the_console_and_a_bad_one_starts_no_session(app, client, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    bad = log_in(client, "ann@example.com", "not the password")
    assert bad.status_code == 401
    assert client.get("/ops/").status_code == 302
    good = log_in(client, "ANN@example.com ", next_path=f"/ops/r/{slug}/")
    assert good.status_code == 302 and good.headers["Location"] == f"/ops/r/{slug}/"
    page = client.get(f"/ops/r/{slug}/")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert audit_actions(app) == ["staff.created", "login.failed", "login"]


def test_login_without_the_csrf_token_is_refused(app, client, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    response = client.post("/ops/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/ops/").status_code == 302


def test_next_never_leaves_the_console(app, client, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    response = log_in(client, "ann@example.com", next_path="https://evil.example/ops/")
    assert response.headers["Location"] == "/ops/"


def test_logout_ends_the_session_on_the_server(app, client, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    log_in(client, "ann@example.com")
    stolen = client.get_cookie("session").value
    token = csrf_of(client, f"/ops/r/{slug}/")
    assert client.post("/ops/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/ops/").status_code == 302
    client.set_cookie("session", stolen)  # a copy of the cookie from before the logout
    assert client.get("/ops/").status_code == 302
    assert audit_actions(app)[-1] == "logout"


def test_sessions_expire_after_idle_minutes(app, client, clock, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    log_in(client, "ann@example.com")
    clock.advance(minutes=app.config["CONSOLE_SESSION_IDLE_MINUTES"] - 1)
    assert client.get("/ops/").status_code == 200  # a page keeps it alive
    clock.advance(minutes=app.config["CONSOLE_SESSION_IDLE_MINUTES"] + 1)
    assert client.get("/ops/").status_code == 302


def test_login_rotates_the_session(app, client, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    before = csrf_of(client, "/ops/login")
    log_in(client, "ann@example.com")
    after = csrf_of(client, f"/ops/r/{slug}/")
    assert before != after
    # the pre-login token no longer works for a form
    response = client.post("/ops/logout", data={"csrf_token": before})
    assert response.status_code == 400


def test_failed_logins_are_throttled_per_account(app, client, clock, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    for _ in range(app.config["CONSOLE_LOGIN_FAILURES_PER_ACCOUNT"]):
        assert log_in(client, "ann@example.com", "wrong password").status_code == 401
    refused = log_in(client, "ann@example.com")  # even the right password waits
    assert refused.status_code == 429
    assert "too many failed logins" in refused.get_data(as_text=True)
    clock.advance(minutes=app.config["CONSOLE_LOGIN_WINDOW_MINUTES"] + 1)
    assert log_in(client, "ann@example.com").status_code == 302


def test_failed_logins_are_throttled_per_client(app, client, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    for n in range(app.config["CONSOLE_LOGIN_FAILURES_PER_CLIENT"]):
        assert log_in(client, f"guess{n}@example.com", "wrong password").status_code == 401
    assert log_in(client, "ann@example.com").status_code == 429


def test_a_deactivated_account_cannot_log_in(app, client, slug):
    add_staff(app, "ann@example.com", slug, "viewer")
    with app.app_context():
        staff = db.session.scalar(select(StaffMember))
        staff.active = False
        db.session.commit()
    assert log_in(client, "ann@example.com").status_code == 401
