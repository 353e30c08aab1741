"""Ops console on PostgreSQL: webhook deliveries and "retry now"; API keys by prefix, rotated if confirmed."""

import pytest

from slotbooking.common.errors import Conflict, NotFound, ValidationFailed
from slotbooking.events.delivery import RetryPolicy, deliver_due
from slotbooking.events.outbox import queue_booking_events
from slotbooking.extensions import db
from slotbooking.operations.api_keys import NotConfirmed, live_keys, rotate_key
from slotbooking.operations.webhooks import attempts_of, is_failing, list_deliveries, retry_now
from tests.support.api import ApiClient
from tests.support.ops_console import audit_rows, book, recorder, retailer, tenant_of

HOOKS = "http://127.0.0.1:9/hooks"  # queued, never reached: the tests answer for it
POLICY = RetryPolicy(base_seconds=30, max_seconds=3600, max_attempts=2)


class Answers:
    """A webhook endpoint that answers each send with the next status given, and counts the sends."""

    def __init__(self, *statuses: int):
        self.statuses, self.sent = list(statuses), []

    def __call__(self, url, body, headers, timeout):
        self.sent.append(headers["Slotbooking-Event-Id"])
        return self.statuses.pop(0), None


def _run(app, clock, send) -> None:
    with app.app_context():
        queue_booking_events(db.session, app.extensions["manage_links"], clock())
        deliver_due(db.session, clock(), POLICY, send=send)


@pytest.fixture
def one_event(pg_app, clock):
    shop, _ = retailer(pg_app, clock, webhook_url=HOOKS)
    book(shop, shop.first_available()[1], "ORD-1")
    return shop


def test_a_given_up_delivery_retried_now_is_sent_by_the_next_run(pg_app, clock, one_event):
    failing = Answers(500, 503)
    _run(pg_app, clock, failing)
    clock.advance(seconds=31)
    _run(pg_app, clock, failing)  # the second and last attempt: given up
    with pg_app.app_context():
        tenant = tenant_of()
        [given_up] = list_deliveries(db.session, tenant).rows
        assert (given_up.status, given_up.attempts, given_up.last_error) == ("failed", 2, "HTTP 503")
        assert is_failing(given_up)
        assert list_deliveries(db.session, tenant, status="delivered").total == 0
        retried = retry_now(db.session, tenant, given_up.event_id, clock(), POLICY, recorder(tenant))
        assert (retried.status, retried.next_attempt_at) == ("pending", clock())
        [row] = audit_rows("webhook.retried")
        assert row.details["diff"]["status"] == ["failed", "pending"]
        event_id = given_up.event_id
    answering = Answers(200)
    _run(pg_app, clock, answering)  # same moment: due now
    assert answering.sent == [event_id]
    with pg_app.app_context():
        [delivered] = list_deliveries(db.session, tenant_of(), status="delivered").rows
        assert (delivered.attempts, is_failing(delivered)) == (3, False)
        attempts = [(a.number, a.status, a.outcome) for a in attempts_of(db.session, delivered)]
        assert attempts == [(1, 500, "retrying"), (2, 503, "given_up"), (3, 200, "delivered")]
        with pytest.raises(Conflict):
            retry_now(db.session, tenant_of(), event_id, clock(), POLICY, recorder(tenant_of()))


def test_a_failing_delivery_retried_now_skips_its_wait(pg_app, clock, one_event):
    _run(pg_app, clock, Answers(500))
    with pg_app.app_context():
        tenant = tenant_of()
        [waiting] = list_deliveries(db.session, tenant, status="pending").rows
        assert waiting.next_attempt_at > clock() and is_failing(waiting)
        retry_now(db.session, tenant, waiting.event_id, clock(), POLICY, recorder(tenant))
    answering = Answers(200)
    _run(pg_app, clock, answering)
    assert len(answering.sent) == 1


def test_another_retailers_delivery_cannot_be_seen_or_retried(pg_app, clock, one_event):
    _run(pg_app, clock, Answers(500))
    retailer(pg_app, clock, webhook_url=HOOKS, slug="other-grocer")
    with pg_app.app_context():
        theirs = tenant_of("other-grocer")
        assert list_deliveries(db.session, theirs).total == 0
        [ours] = list_deliveries(db.session, tenant_of()).rows
        with pytest.raises(NotFound):
            retry_now(db.session, theirs, ours.event_id, clock(), POLICY, recorder(theirs))
        with pytest.raises(ValidationFailed):
            list_deliveries(db.session, theirs, status="lost")


def test_rotating_the_secret_key_shows_the_new_one_once_and_revokes_the_old(pg_app, clock):
    shop, keys = retailer(pg_app, clock, webhook_url=HOOKS)
    with pg_app.app_context():
        tenant = tenant_of()
        live = live_keys(db.session, tenant)
        assert keys["secret_key"].startswith(live["secret"].prefix)
        assert keys["publishable_key"].startswith(live["publishable"].prefix)
        assert len(live["secret"].prefix) == 10
        rotated = rotate_key(
            db.session, tenant, "secret", live["secret"].prefix, True, clock(), recorder(tenant)
        )
        assert rotated.revoked_prefix == live["secret"].prefix and rotated.token.startswith(
            rotated.key.prefix
        )
        [row] = audit_rows("api_key.rotated")
        assert row.details == {
            "target": "secret",
            "diff": {"prefix": [live["secret"].prefix, rotated.key.prefix]},
        }
        after = live_keys(db.session, tenant)
        assert (after["secret"].prefix, after["publishable"].prefix) == (
            rotated.key.prefix,
            live["publishable"].prefix,
        )
        token = rotated.token
    assert shop.get("/bookings").status_code == 401
    assert ApiClient(pg_app.test_client(), token).get("/bookings").status_code == 200


def test_rotation_needs_the_confirmation_and_the_key_the_admin_saw(pg_app, clock):
    retailer(pg_app, clock, webhook_url=HOOKS)
    with pg_app.app_context():
        tenant = tenant_of()
        seen = live_keys(db.session, tenant)["secret"].prefix
        with pytest.raises(NotConfirmed):
            rotate_key(db.session, tenant, "secret", seen, False, clock(), recorder(tenant))
        with pytest.raises(ValidationFailed):
            rotate_key(db.session, tenant, "master", seen, True, clock(), recorder(tenant))
        rotate_key(db.session, tenant, "secret", seen, True, clock(), recorder(tenant))
        with pytest.raises(Conflict):  # a second admin's page, left open since before the rotation
            rotate_key(db.session, tenant, "secret", seen, True, clock(), recorder(tenant))
        assert len(audit_rows("api_key.rotated")) == 1
        assert live_keys(db.session, tenant)["secret"].prefix != seen
