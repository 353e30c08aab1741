"""Every console route checks login, tenant and role: anonymous -> login, another retailer's -> 404,
too low a role -> 403. The routes are read from the app's URL map, so a new page is walked too."""

import copy

import pytest
from werkzeug.routing import Rule

from slotbooking.demo.cli import demo_document
from slotbooking.staff.models import role_rank
from tests.conftest import import_document
from tests.support.console import add_staff, log_in

# Console pages that need no session (the login form and an invite link).
PUBLIC = {"console.login", "console.join", "console.logout"}


def other_document() -> dict:
    document = copy.deepcopy(demo_document())
    document["retailer"].update(slug="other-shop", name="Other Shop")
    return document


@pytest.fixture
def tenants(sqlite_app, clock):
    app = sqlite_app
    app.config["WTF_CSRF_ENABLED"] = False  # access is under test here; CSRF in test_console_login
    mine = import_document(app, demo_document(), clock)["retailer"]
    other = import_document(app, other_document(), clock)["retailer"]
    return app, mine, other


def tenant_rules(app) -> list[Rule]:
    rules = [
        r for r in app.url_map.iter_rules() if r.endpoint.startswith("console.") and "slug" in r.arguments
    ]
    assert len(rules) >= 10
    return rules


# What a route's other arguments are filled with: a number, a dashboard figure's name, or "x".
SAMPLE_ARGUMENTS = {"number": 1, "staff_id": 1, "run_id": 1, "figure_name": "capacity"}
ONE_RECORD = {"number", "booking_id", "event_id", "slot_id", "run_id"}


def path_of(rule: Rule, slug: str) -> str:
    values = {name: slug if name == "slug" else SAMPLE_ARGUMENTS.get(name, "x") for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def min_role_of(app, rule: Rule) -> str:
    return app.view_functions[rule.endpoint].console_min_role


def methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods if m in ("GET", "POST"))


def test_every_console_route_is_guarded(tenants):
    app, _, _ = tenants
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or rule.endpoint in PUBLIC | {"console.home"}:
            continue
        assert hasattr(app.view_functions[rule.endpoint], "console_min_role"), rule.endpoint


def test_anonymous_visitors_are_sent_to_the_login_page(tenants):
    app, mine, _ = tenants
    client = app.test_client()
    for rule in tenant_rules(app):
        for method in methods(rule):
            response = client.open(path_of(rule, mine), method=method)
            assert response.status_code == 302, (method, rule.rule)
            assert response.headers["Location"].startswith("/ops/login?next="), rule.rule


def test_staff_of_another_retailer_get_404_everywhere(tenants):
    app, mine, other = tenants
    add_staff(app, "admin@other.example", other, "admin")
    client = app.test_client()
    log_in(client, "admin@other.example")
    for rule in tenant_rules(app):
        for method in methods(rule):
            for slug in (mine, "no-such-shop"):
                response = client.open(path_of(rule, slug), method=method)
                assert response.status_code == 404, (method, rule.rule, slug)
                assert "Demo Grocer" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_too_low_a_role_gets_403(tenants, role):
    app, mine, _ = tenants
    add_staff(app, f"{role}@example.com", mine, role)
    client = app.test_client()
    log_in(client, f"{role}@example.com")
    refused = 0
    for rule in tenant_rules(app):
        if role_rank(min_role_of(app, rule)) <= role_rank(role):
            continue
        for method in methods(rule):
            response = client.open(path_of(rule, mine), method=method)
            assert response.status_code == 403, (method, rule.rule)
            refused += 1
    assert refused > 0


def test_a_viewer_sees_the_pages_meant_for_viewers(tenants):
    app, mine, _ = tenants
    add_staff(app, "viewer@example.com", mine, "viewer")
    client = app.test_client()
    log_in(client, "viewer@example.com")
    for rule in tenant_rules(app):
        # A page of one record (a version, a booking, a delivery) needs that record: those are
        # walked with real ones in test_console_operations.py and test_console_drafts.py.
        if rule.arguments & ONE_RECORD:
            continue
        if min_role_of(app, rule) == "viewer" and "GET" in rule.methods:
            assert client.get(path_of(rule, mine)).status_code == 200, rule.rule
