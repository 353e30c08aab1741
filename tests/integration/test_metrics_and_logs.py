"""Operable: Prometheus metrics at /metrics, JSON log lines carrying the request id."""

import urllib.request

import pytest
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import import_document, make_app
from tests.support import services
from tests.support.gunicorn import GunicornServer


def scrape(client, headers=None) -> dict:
    """Return {(sample name, sorted labels): value} from /metrics."""
    answer = client.get("/metrics", headers=headers or {})
    assert answer.status_code == 200, answer.data
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _book(shop, **kwargs):
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    return shop.book(hold["id"], **kwargs)


def test_a_booking_and_its_requests_are_counted(app, client, shop):
    before = scrape(client)
    booked = _book(shop)
    assert booked.status_code == 201
    after = scrape(client)
    assert value(after, "slotbooking_booking_events_total", kind="booking.created") == 1
    assert (
        value(after, "slotbooking_holds_placed_total") == value(before, "slotbooking_holds_placed_total") + 1
    )
    route = dict(method="POST", route="/api/v1/bookings", status="201")
    assert value(after, "slotbooking_http_requests_total", **route) == 1
    latency = dict(method="POST", route="/api/v1/bookings")
    assert value(after, "slotbooking_http_request_duration_seconds_count", **latency) == 1
    assert value(after, "slotbooking_outbox_pending", outbox="refunds") == 0


def test_a_409_is_counted_by_its_code(app, client, shop):
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    assert shop.book(hold["id"], order_ref="A").status_code == 201
    again = shop.book(hold["id"], order_ref="A")  # the hold is a booking already
    assert again.status_code == 409, again.get_json()
    code = again.get_json()["error"]["code"]
    assert value(scrape(client), "slotbooking_conflicts_total", code=code) == 1


def test_the_cache_hit_ratio_moves(pg_app, clock):
    from slotbooking.demo.cli import demo_document
    from tests.support.api import ApiClient

    keys = import_document(pg_app, demo_document(), clock)
    client = pg_app.test_client()
    shop = ApiClient(client, keys["secret_key"])
    shop.slots()  # a miss: built from the database, then cached
    first = scrape(client)
    shop.slots()
    second = scrape(client)
    hits = value(second, "slotbooking_cache_lookups_total", result="hit")
    misses = value(second, "slotbooking_cache_lookups_total", result="miss")
    assert value(first, "slotbooking_cache_lookups_total", result="hit") == 0
    assert (hits, misses) == (1, 1), "the second grid came from Redis: the ratio went from 0 to 1/2"


def test_pricing_solve_time_is_measured(app, client, clock):
    from slotbooking.demo.cli import demo_document
    from tests.support.api import ApiClient

    document = demo_document()
    document["pricing"] = {**document.get("pricing", {}), "mode": "dynamic"}
    shop = ApiClient(client, import_document(app, document, clock)["secret_key"])
    shop.slots()
    assert value(scrape(client), "slotbooking_pricing_solve_seconds_count", mode="dynamic") >= 1


def test_metrics_can_require_a_token(tmp_path, clock):
    app = make_app(f"sqlite:///{tmp_path / 't.db'}", clock, METRICS_TOKEN="scrape-me")
    client = app.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert scrape(client, {"Authorization": "Bearer scrape-me"})


def test_a_request_logs_one_json_line_with_its_request_id(client, shop, json_log_lines):
    answer = shop.client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert answer.headers["X-Request-ID"] == "lb-1234.abc"
    line = [entry for entry in json_log_lines() if entry["message"] == "request"][-1]
    assert (line["request_id"], line["route"], line["status"], line["level"]) == (
        "lb-1234.abc",
        "/healthz",
        200,
        "INFO",
    )


@pytest.mark.parametrize("junk", ["", "x" * 129, "bad id", "é", "<script>"])
def test_a_junk_request_id_is_replaced_by_a_fresh_one(client, junk, json_log_lines):
    answer = client.get("/healthz", headers={"X-Request-ID": junk})
    given = answer.headers["X-Request-ID"]
    assert given != junk and len(given) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != given
    assert [entry["request_id"] for entry in json_log_lines() if entry["message"] == "request"][0] == given


@pytest.mark.services
def test_gunicorn_workers_add_up_their_metrics(tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    name, database_url = services.create_pg_database()
    try:
        env = {
            "DATABASE_URL": database_url,
            "SLOTBOOKING_SECRET_KEY": "metrics-test",
            # Not a debug or testing app: it refuses to start without its encryption keys.
            "SLOTBOOKING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SLOTBOOKING_RATELIMIT_ENABLED": "false",
            "PROMETHEUS_MULTIPROC_DIR": str(folder),
        }
        extra = ("-c", "python:slotbooking.ops.gunicorn_hooks")
        with GunicornServer("wsgi:app", env=env, workers=2, extra_args=extra) as server:
            for _ in range(20):
                try:
                    urllib.request.urlopen(server.url("/api/v1/slots?postcode=N1"))
                except urllib.error.HTTPError as error:
                    assert error.code == 401
            text = urllib.request.urlopen(server.url("/metrics")).read().decode()
    finally:
        services.drop_pg_database(name)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    labels = dict(method="GET", route="/api/v1/slots", status="401")
    assert value(samples, "slotbooking_http_requests_total", **labels) == 20, "both workers' counts, added"
