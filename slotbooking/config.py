"""Configuration: defaults, overridden by SLOTBOOKING_* environment variables or a mapping."""

import os
from pathlib import Path

from flask import Config

# Local state of the embedded default (SQLite file, demo keys and secrets); tests move it.
INSTANCE_DIR = Path(
    os.environ.get("SLOTBOOKING_INSTANCE_DIR") or Path(__file__).resolve().parent.parent / "instance"
)

DEFAULT_SECRET_KEY = "dev-only-change-me"

DEFAULTS = {
    # Embedded default: a SQLite file under instance/. PostgreSQL in production.
    "DATABASE_URL": f"sqlite:///{INSTANCE_DIR / 'slotbooking.db'}",
    # Empty means: run without Redis (everything is served from the database).
    "REDIS_URL": "",
    "REDIS_TIMEOUT_SECONDS": 0.25,
    # Signs sessions, quotes and manage links. The default is public: the app refuses to start
    # with it outside debug and testing (see docs/security.md).
    "SECRET_KEY": DEFAULT_SECRET_KEY,
    # Fernet keys (comma separated) for secrets kept at rest, such as webhook signing secrets:
    # the first encrypts, all decrypt. Required outside debug and testing.
    "ENCRYPTION_KEYS": "",
    "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    "QUOTE_MINUTES": 10,
    # How long a booking session's link opens the hosted page (links go in order e-mails).
    "BOOKING_SESSION_HOURS": 24,
    # Live holds one client address may have with a retailer from browsers (0: no cap).
    "HOLDS_PER_CLIENT": 3,
    "CACHE_TTL_SECONDS": 60,
    # The version watch (docs/cache.md, "The version watch"): how often each process reads every
    # depot's capacity totals, so a cache hit needs no database round trip of its own. A change
    # made through the app shows in every process at once all the same (its depot's change
    # counter in Redis moves after the commit); one whose signal was lost (Redis away at that
    # moment, SQL by hand) shows at most STALE seconds late: past it without a completed poll,
    # every request reads its version itself. 0: a version read per request, no watch.
    "CAPACITY_VERSION_POLL_SECONDS": 0.1,
    "CAPACITY_VERSION_STALE_SECONDS": 1.0,
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_DEFAULT": "1200 per minute",
    # Proxy hops trusted to set X-Forwarded-* (Werkzeug's ProxyFix); 0: no proxy is trusted, so
    # a client's own X-Forwarded-For changes nothing. Behind one load balancer: X_FOR=1, X_PROTO=1.
    "PROXY_FIX_X_FOR": 0,
    "PROXY_FIX_X_PROTO": 0,
    "PROXY_FIX_X_HOST": 0,
    "PROXY_FIX_X_PORT": 0,
    "PROXY_FIX_X_PREFIX": 0,
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
    # Idempotency-Key answers are replayed for this long, then forgotten (docs/idempotency.md).
    "IDEMPOTENCY_KEY_HOURS": 24,
    # A claim (first request still running) is taken over only after this long: keep it above
    # the longest a request can run, i.e. gunicorn's --timeout (30 s by default) with room to spare.
    "IDEMPOTENCY_CLAIM_SECONDS": 120,
    # A booking transaction that PostgreSQL refuses for a serialization failure or a deadlock
    # is run again, in all this many times, after a jittered pause from this base; then 503.
    "DB_RETRY_ATTEMPTS": 3,
    "DB_RETRY_BACKOFF_SECONDS": 0.05,
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
    "JOBS_ROUTES_SECONDS": 60.0,
    # Route planning (docs/routes.md): its queue (empty: JOBS_QUEUE + ".routes"); bookings of a
    # depot-day within this many seconds give one planning run; each run searches at most this
    # long and this many PyVRP iterations; this many versions of a depot-day's plan are kept.
    "JOBS_ROUTES_QUEUE": "",
    "ROUTES_DEBOUNCE_SECONDS": 10.0,
    "ROUTES_MAX_SECONDS": 5.0,
    "ROUTES_MAX_ITERATIONS": 3000,
    "ROUTES_KEEP_VERSIONS": 20,
    # The offer log (docs/pricing.md, "Learning from shoppers"): kept this many days; each process
    # sends its offers in batches of OFFER_LOG_BATCH, or when the oldest waited FLUSH seconds.
    "OFFER_LOG_ENABLED": True,
    "OFFER_LOG_DAYS": 90,
    "OFFER_LOG_BATCH": 100,
    "OFFER_LOG_FLUSH_SECONDS": 5.0,
    # Calibration of the choice model: the fewest offers to fit on, the most (newest) read.
    "CALIBRATION_MIN_OFFERS": 200,
    "CALIBRATION_MAX_OFFERS": 10_000,
    # What-if runs (docs/whatif.md): the most (newest) offers replayed; draws by default and at
    # most; PyVRP's iterations per depot-day (10 land within 2% of 300's km and driver hours on
    # the bench's days) and seconds of search for all of a run's routing, shared by stops; worker
    # processes (1: all in the job's process); an active run whose progress has not moved for
    # this many minutes lost its worker and counts as failed.
    "WHATIF_MAX_OFFERS": 5_000,
    "WHATIF_DEFAULT_DRAWS": 20,
    "WHATIF_MAX_DRAWS": 50,
    "WHATIF_ROUTING_ITERATIONS": 10,
    "WHATIF_ROUTING_SECONDS": 20.0,
    "WHATIF_PROCESSES": 2,
    "WHATIF_STALE_MINUTES": 15,
    "JOBS_OFFERS_SECONDS": 30.0,
    "JOBS_OFFERS_FORGET_SECONDS": 86400.0,
    "JOBS_CALIBRATE_SECONDS": 86400.0,
    "JOBS_CONVERSION_SECONDS": 3600.0,  # closed days' conversion counted for the dashboard
    # A job that meets an unreachable database is retried this often, waiting 2, 4, 8 ... seconds.
    "JOBS_MAX_RETRIES": 5,
    "JOBS_RETRY_BACKOFF_SECONDS": 2,
    "JOBS_RETRY_BACKOFF_MAX_SECONDS": 300,
    "JOBS_RETRY_JITTER": True,
    # The ops console (/ops): a session ends after IDLE minutes without a page or MAX hours in all;
    # logins are refused for WINDOW minutes after this many failures for one account or one client.
    "CONSOLE_SESSION_IDLE_MINUTES": 30,
    "CONSOLE_SESSION_MAX_HOURS": 12,
    "CONSOLE_LOGIN_FAILURES_PER_ACCOUNT": 5,
    "CONSOLE_LOGIN_FAILURES_PER_CLIENT": 20,
    "CONSOLE_LOGIN_WINDOW_MINUTES": 15,
    # Hours an invite link (shown once to the admin who made it) can be used.
    "CONSOLE_INVITE_HOURS": 72,
    # Staff passwords' Argon2id cost: "default" (argon2-cffi's); "cheapest" only under TESTING.
    "PASSWORD_HASH_COST": "default",
    # /metrics: empty means open (keep it to the internal network); else it needs this bearer token.
    "METRICS_TOKEN": "",
    # Logs: one JSON object a line ("json") or plain text ("text"), at this level.
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
}

ENV_PREFIX = "SLOTBOOKING"
_TYPES = {key: type(value) for key, value in DEFAULTS.items()}


def _coerce(key: str, raw: str):
    kind = _TYPES[key]
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def _from_environment() -> dict:
    """Return the settings the environment sets, each read as the type of its default.

    SLOTBOOKING_<NAME> through Flask's prefixed-env loader (kept as text: "0" must stay "0" for
    a token and become False for a switch, so each value is read by its default's type, not as
    JSON); the *_URL settings also under their usual bare names, the prefixed one winning.
    """
    found = Config("")
    found.from_prefixed_env(ENV_PREFIX, loads=str)
    for key in DEFAULTS:
        if key.endswith("_URL") and key not in found and key in os.environ:
            found[key] = os.environ[key]
    return {key: _coerce(key, found[key]) for key in DEFAULTS if key in found}


def load_config(overrides: dict | None = None) -> dict:
    """Return the settings: defaults, then SLOTBOOKING_<NAME> (or DATABASE_URL/REDIS_URL), then overrides."""
    config = {**DEFAULTS, **_from_environment(), **(overrides or {})}
    url = config["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = url
    config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(url)
    return config


def _engine_options(url: str) -> dict:
    # Bound values (addresses, order refs, tokens' digests) never reach logs or error messages.
    hidden = {"hide_parameters": True}
    if url.startswith("sqlite"):
        # A waiting writer retries for 10 s instead of failing at once with "database is locked".
        return {**hidden, "connect_args": {"timeout": 10}}
    # No ping per checkout (a round trip on every request): connections are recycled instead,
    # and a request that meets a dead one answers 503 unavailable and the pool refills.
    return {**hidden, "pool_recycle": 300, "pool_size": 5, "max_overflow": 5}
