"""Configuration: defaults, overridden by SLOTBOOKING_* environment variables or a mapping."""

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"

DEFAULTS = {
    # Embedded default: a SQLite file under instance/. PostgreSQL in production.
    "DATABASE_URL": f"sqlite:///{INSTANCE_DIR / 'slotbooking.db'}",
    # Empty means: run without Redis (everything is served from the database).
    "REDIS_URL": "",
    "REDIS_TIMEOUT_SECONDS": 0.25,
    "SECRET_KEY": "dev-only-change-me",
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "QUOTE_MINUTES": 10,
    "CACHE_TTL_SECONDS": 60,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_DEFAULT": "1200 per minute",
    "PRICING_SOLVER": "highs",
    # Seconds a resolved API key is remembered in-process (0: ask the database every time).
    "AUTH_CACHE_SECONDS": 10.0,
    # Stripe, for retailers whose setup says payments.collect = "stripe". Empty key: payments off.
    "STRIPE_SECRET_KEY": "",
    "STRIPE_WEBHOOK_SECRET": "",
    # Empty: Stripe itself; tests point it at the localstripe emulator.
    "STRIPE_API_BASE": "",
    "STRIPE_TIMEOUT_SECONDS": 10.0,
    # The hosted card form: Stripe.js from this URL (tests: the emulator's), with this publishable key.
    # Empty key: the hosted pages take no card and send the shopper back to the shop to pay.
    "STRIPE_PUBLISHABLE_KEY": "",
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
    # A hold whose payment is under way is extended once by this much, never past MAX after paying began.
    "PAYMENT_HOLD_EXTENSION_MINUTES": 10,
    "PAYMENT_HOLD_MAX_MINUTES": 45,
    # Retailer events (outgoing webhooks): timeout per attempt, backoff, attempts before giving up.
    "EVENTS_TIMEOUT_SECONDS": 5.0,
    "EVENTS_RETRY_BASE_SECONDS": 30,
    "EVENTS_RETRY_MAX_SECONDS": 3600,
    "EVENTS_MAX_ATTEMPTS": 10,
    # Job queue (Celery). Empty broker: no queue; `flask demo` runs the jobs in-process instead.
    "BROKER_URL": "",
    "JOBS_QUEUE": "slotbooking",
    "JOBS_CONCURRENCY": 2,
    # Seconds a broker may take to answer before an enqueue gives up (the periodic jobs catch up).
    "JOBS_BROKER_TIMEOUT_SECONDS": 1.0,
    # The periodic jobs, every this many seconds.
    "JOBS_SWEEP_SECONDS": 60.0,
    "JOBS_EVENTS_SECONDS": 60.0,
    "JOBS_REFUNDS_SECONDS": 60.0,
    "JOBS_SLOTS_SECONDS": 86400.0,
    "JOBS_IDEMPOTENCY_SECONDS": 3600.0,
    # A job that meets an unreachable database is retried this often, waiting 2, 4, 8 ... seconds.
    "JOBS_MAX_RETRIES": 5,
    "JOBS_RETRY_BACKOFF_SECONDS": 2,
    "JOBS_RETRY_BACKOFF_MAX_SECONDS": 300,
    "JOBS_RETRY_JITTER": True,
    # /metrics: empty means open (keep it to the internal network); else it needs this bearer token.
    "METRICS_TOKEN": "",
    # Logs: one JSON object a line ("json") or plain text ("text"), at this level.
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
}

_TYPES = {key: type(value) for key, value in DEFAULTS.items()}


def _coerce(key: str, raw: str):
    kind = _TYPES.get(key, str)
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def load_config(overrides: dict | None = None) -> dict:
    """Return the settings: defaults, then SLOTBOOKING_<NAME> (or DATABASE_URL/REDIS_URL), then overrides."""
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        for env_name in (f"SLOTBOOKING_{key}", key if key.endswith("_URL") else None):
            if env_name and env_name in os.environ:
                config[key] = _coerce(key, os.environ[env_name])
                break
    config.update(overrides or {})
    url = config["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = url
    config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(url)
    return config


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # A waiting writer retries for 10 s instead of failing at once with "database is locked".
        return {"connect_args": {"timeout": 10}}
    # No ping per checkout (a round trip on every request): connections are recycled instead,
    # and a request that meets a dead one answers 503 unavailable and the pool refills.
    return {"pool_recycle": 300, "pool_size": 5, "max_overflow": 5}
