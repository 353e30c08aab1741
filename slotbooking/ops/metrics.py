"""Prometheus metrics at /metrics: requests, latency, bookings, holds, 409s, cache, pricing, queue.

Each app keeps its own registry. Under gunicorn with several workers set
``PROMETHEUS_MULTIPROC_DIR`` (and ``-c python:slotbooking.ops.gunicorn_hooks``): every worker
writes its numbers there and /metrics adds them up, whichever worker answers the scrape.
"""

import hmac
import os
import time

from flask import Blueprint, Flask, current_app, g, has_app_context, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from slotbooking.error_responses import error_body

blp = Blueprint("metrics", __name__)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The app's counters and histograms, in a registry of its own."""

    def __init__(self):
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "slotbooking_http_requests", "Requests answered", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "slotbooking_http_request_duration_seconds",
            "Time to answer a request",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.conflicts = Counter("slotbooking_conflicts", "409 answers by error code", ["code"], registry=r)
        self.bookings = Counter(
            "slotbooking_booking_events", "Bookings created, rescheduled, cancelled", ["kind"], registry=r
        )
        self.holds = Counter("slotbooking_holds_placed", "Holds placed", registry=r)
        self.cache = Counter(
            "slotbooking_cache_lookups", "Grid cache lookups by result (hit or miss)", ["result"], registry=r
        )
        self.pricing = Histogram(
            "slotbooking_pricing_solve_seconds",
            "Time to price one zone-day with the pricing engine",
            ["mode"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=r,
        )
        self.enqueues = Counter(
            "slotbooking_jobs_enqueued",
            "Jobs sent after a commit, by outcome",
            ["task", "outcome"],
            registry=r,
        )


def app_metrics() -> Metrics | None:
    """Return the current app's metrics, or None outside an app."""
    return current_app.extensions.get("metrics") if has_app_context() else None


class QueueCollector:
    """Queue depth at scrape time: messages waiting on the broker, and the outboxes' pending rows."""

    def __init__(self, app: Flask, queue_depth, outbox_depth):
        # Handed in by the factory: the jobs part reads the broker and the outboxes, ops only shows them.
        self.app, self._queue_depth, self._outbox_depth = app, queue_depth, outbox_depth

    def collect(self):
        with self.app.app_context():
            messages = GaugeMetricFamily(
                "slotbooking_queue_messages", "Messages waiting on the broker's queue", labels=["queue"]
            )
            depth = self._queue_depth(self.app)
            if depth is not None:
                messages.add_metric([self.app.config["JOBS_QUEUE"]], depth)
            yield messages
            pending = GaugeMetricFamily(
                "slotbooking_outbox_pending", "Work the database still owes (the truth)", labels=["outbox"]
            )
            for outbox, count in self._outbox_depth().items():
                pending.add_metric([outbox], count)
            yield pending


class MeteredCache:
    """The slot cache, counting each grid lookup as a hit or a miss."""

    def __init__(self, cache, metrics: Metrics):
        self._cache, self._metrics = cache, metrics
        self._hit, self._miss = metrics.cache.labels("hit"), metrics.cache.labels("miss")

    def lookup(self, *args, **kwargs):
        found = self._cache.lookup(*args, **kwargs)
        (self._miss if found is None else self._hit).inc()
        return found

    def lookup_current(self, *args, **kwargs):
        found, version = self._cache.lookup_current(*args, **kwargs)
        (self._miss if found is None else self._hit).inc()
        return found, version

    def __getattr__(self, name):
        return getattr(self._cache, name)


class TimedPricer:
    """A pricer whose price_day calls are timed into the current app's metrics."""

    def __init__(self, pricer, mode: str):
        self._pricer, self._mode = pricer, mode

    def price_day(self, session, day):
        started = time.perf_counter()
        try:
            return self._pricer.price_day(session, day)
        finally:
            metrics = app_metrics()
            if metrics is not None:
                metrics.pricing.labels(self._mode).observe(time.perf_counter() - started)

    def __getattr__(self, name):
        return getattr(self._pricer, name)


def init_metrics(app: Flask, queue_depth, outbox_depth) -> None:
    """Count every request and serve /metrics; the queue's depths are read by the functions given."""
    metrics = Metrics()
    app.extensions["metrics"] = metrics
    app.extensions["metrics_collector"] = QueueCollector(app, queue_depth, outbox_depth)
    metrics.registry.register(app.extensions["metrics_collector"])
    app.extensions["slot_cache"] = MeteredCache(app.extensions["slot_cache"], metrics)

    @app.before_request
    def _start():
        g.metrics_started = time.perf_counter()

    # Each (method, route, status) child looked up once: prometheus_client's labels() takes a
    # lock and checks and joins its values on every call. Routes are the app's rules and the
    # methods and statuses a handful, so these stay small.
    counted: dict[tuple, tuple] = {}

    @app.after_request
    def _count(response):
        started = g.get("metrics_started")
        if started is None:
            return response
        route = request.url_rule.rule if request.url_rule else "unmatched"  # no label per junk path
        key = (request.method, route, response.status_code)
        children = counted.get(key)
        if children is None:
            children = counted[key] = (
                metrics.requests.labels(request.method, route, str(response.status_code)),
                metrics.latency.labels(request.method, route),
            )
        children[0].inc()
        children[1].observe(time.perf_counter() - started)
        if response.status_code == 409:
            body = response.get_json(silent=True) if response.is_json else None
            code = (
                (body or {}).get("error", {}).get("code", "conflict")
                if isinstance(body, dict)
                else "conflict"
            )
            metrics.conflicts.labels(code).inc()
        return response

    app.register_blueprint(blp)


@blp.get("/metrics")
def metrics_page():
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            body = error_body("unauthorized", "/metrics needs the METRICS_TOKEN as a bearer token")
            return body, 401, {"WWW-Authenticate": "Bearer"}
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(current_app.extensions["metrics_collector"])
    else:
        registry = current_app.extensions["metrics"].registry
    return generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}
