"""Retailer events: signed webhooks for bookings and expired holds, retried with backoff, logged."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer
from slotbooking.setup.document import export_setup
from tests.conftest import import_document
from tests.support.api import ApiClient


class Receiver:
    """A tiny webhook endpoint on localhost that records what it is sent and answers as told."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/slots"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


@pytest.fixture
def subscribed(app, clock, receiver):
    """The demo retailer with its events sent to the receiver: (API client, import result)."""
    document = demo_document()
    document["events"] = {"webhook_url": receiver.url}
    keys = import_document(app, document, clock)
    return ApiClient(app.test_client(), keys["secret_key"]), keys


def _deliver(app) -> str:
    result = app.test_cli_runner().invoke(args=["events", "deliver"])
    assert result.exit_code == 0, result.output
    return result.output


def _log(app, slug="demo-grocer") -> list[dict]:
    result = app.test_cli_runner().invoke(args=["events", "log", slug, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _verify(secret: str, request: dict) -> bool:
    """Check a delivery's signature as a retailer would."""
    parts = dict(item.split("=", 1) for item in request["headers"]["Slotbooking-Signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + request["body"], hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


def _book(shop) -> dict:
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    booked = shop.book(hold["id"])
    assert booked.status_code == 201, booked.get_json()
    return booked.get_json()


def test_booking_events_reach_the_retailer_signed(app, subscribed, receiver):
    shop, keys = subscribed
    assert keys["webhook_secret"].startswith("whsec_")
    booking = _book(shop)
    offer = shop.slots()
    other = next(s for s in offer["slots"] if s["available"] and s["id"] != booking["slot"]["id"])
    assert shop.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": other["id"]}).status_code == 200
    assert shop.post(f"/bookings/{booking['id']}/cancel").status_code == 200

    assert "3 queued, 3 delivered" in _deliver(app)
    events = receiver.events()
    assert [e["type"] for e in events] == ["booking.created", "booking.rescheduled", "booking.cancelled"]
    assert {e["data"]["booking"]["id"] for e in events} == {booking["id"]}
    moved = events[1]["data"]
    assert {k: moved["details"][k] for k in ("from_slot_id", "to_slot_id")} == {
        "from_slot_id": booking["slot"]["id"],
        "to_slot_id": other["id"],
    }
    change = other["price"]["amount"] - booking["price"]["amount"]
    assert (
        moved["details"]["price_change"]
        == moved["booking"]["price_change"]
        == {"amount": change, "currency": "GBP"}
    )
    assert all(e["retailer"] == "demo-grocer" for e in events)
    for request, event in zip(receiver.received, events, strict=True):
        assert _verify(keys["webhook_secret"], request)
        assert not _verify("whsec_not_the_secret", request)
        assert request["headers"]["Slotbooking-Event-Id"] == event["id"]
        assert request["headers"]["Slotbooking-Event-Type"] == event["type"]

    assert "0 queued, 0 delivered" in _deliver(app), "each event is sent once"
    assert len(receiver.received) == 3


def test_a_failed_delivery_is_retried_with_exponential_backoff(app, subscribed, receiver, clock):
    shop, _ = subscribed
    receiver.answers = [500, 503]
    _book(shop)
    assert "1 failed" in _deliver(app)
    [entry] = _log(app)
    assert (entry["status"], entry["attempts"], entry["last_status"]) == ("pending", 1, 500)
    first_retry = clock.now.timestamp() + 30
    assert _timestamp(entry["next_attempt_at"]) == first_retry

    assert "0 delivered, 0 failed" in _deliver(app), "not due yet"
    clock.advance(seconds=30)
    assert "1 failed" in _deliver(app)
    [entry] = _log(app)
    assert (entry["attempts"], entry["last_status"]) == (2, 503)
    assert _timestamp(entry["next_attempt_at"]) == clock.now.timestamp() + 60, "the wait doubles"

    clock.advance(seconds=59)
    assert "0 delivered" in _deliver(app)
    clock.advance(seconds=1)
    assert "1 delivered" in _deliver(app)
    [entry] = _log(app)
    assert (entry["status"], entry["attempts"], entry["last_status"]) == ("delivered", 3, 200)
    assert len(receiver.received) == 3
    assert len({r["headers"]["Slotbooking-Event-Id"] for r in receiver.received}) == 1, "same event id"


def test_an_unreachable_endpoint_is_retried_and_given_up_in_the_end(app, clock, receiver):
    document = demo_document()
    document["events"] = {"webhook_url": receiver.url}
    keys = import_document(app, document, clock)
    receiver.close()  # nobody listens any more
    _book(ApiClient(app.test_client(), keys["secret_key"]))
    for _ in range(10):
        _deliver(app)
        clock.advance(hours=1)
    [entry] = _log(app)
    assert (entry["status"], entry["attempts"], entry["last_status"]) == ("failed", 10, None)
    assert entry["last_error"]


def test_the_sweep_sends_hold_expired_once(app, subscribed, receiver, clock):
    shop, _ = subscribed
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    clock.advance(minutes=16)
    runner = app.test_cli_runner()
    assert "1 expired holds swept" in runner.invoke(args=["holds", "sweep"]).output
    assert "0 expired holds swept" in runner.invoke(args=["holds", "sweep"]).output
    _deliver(app)
    [event] = receiver.events()
    assert event["type"] == "hold.expired"
    assert event["data"]["hold"]["id"] == hold["id"]
    assert event["data"]["hold"]["status"] == "expired"


def test_retailers_without_a_webhook_get_no_deliveries(app, shop, clock, receiver):
    _book(shop)
    assert "0 queued" in _deliver(app)
    assert _log(app) == []
    document = demo_document()
    document["events"] = {"webhook_url": receiver.url}
    import_document(app, document, clock)
    assert "0 queued" in _deliver(app), "events from before the webhook was set are not sent"
    _book(shop)
    assert "1 queued, 1 delivered" in _deliver(app)


def test_the_setup_round_trips_and_the_secret_is_shown_once(app, clock, subscribed, receiver):
    _, keys = subscribed
    with app.app_context():
        exported = export_setup(db.session.query(Retailer).filter_by(slug="demo-grocer").one())
    assert exported["events"] == {"webhook_url": receiver.url}
    assert exported["payments"] == {"collect": "retailer"}
    again = import_document(app, exported, clock)
    assert "webhook_secret" not in again, "the secret is shown only when it is made"
    with app.app_context():
        assert export_setup(db.session.query(Retailer).filter_by(slug="demo-grocer").one()) == exported

    rotated = app.test_cli_runner().invoke(args=["events", "secret", "demo-grocer", "--rotate"])
    new_secret = rotated.output.split(": ", 1)[1].strip()
    assert new_secret.startswith("whsec_") and new_secret != keys["webhook_secret"]
    _book(ApiClient(app.test_client(), keys["secret_key"]))
    _deliver(app)
    assert _verify(new_secret, receiver.received[-1])


@pytest.mark.parametrize("url", ["ftp://example.test/hook", "not a url", "http://", 5])
def test_a_bad_webhook_url_is_refused_with_its_path(url):
    from slotbooking.common.errors import ValidationFailed
    from slotbooking.setup.document import validate_document

    document = demo_document()
    document["events"] = {"webhook_url": url}
    with pytest.raises(ValidationFailed) as caught:
        validate_document(document)
    assert "events.webhook_url" in caught.value.details


def _timestamp(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()
