"""Rate limits: Flask-Limiter bound to the app, and Retry-After only where a client must wait.

Buckets: the API key once it resolves, otherwise the client's address (``auth.rate_limit_key``);
our own pages and the widget count per address (``auth.client_address_key``). The address is
the one ProxyFix reads from the trusted proxies' headers (``PROXY_FIX_*``), never a header a
client set itself.
"""

from flask import Blueprint, Flask, Response
from flask_limiter import Limiter

# Flask-Limiter writes its wait into this header on every answer it counts; we move it to
# Retry-After on a 429 only, so a 201 never carries one and a 503 keeps its own.
_LIMITER_WAIT_HEADER = "X-RateLimit-Retry-After"
WAIT_STATUSES = (429, 503)


def init_limiter(app: Flask) -> Limiter:
    """Make the app's limiter with its settings, its headers kept honest."""
    from slotbooking.auth import rate_limit_key

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    # X-RateLimit-Limit, -Remaining and -Reset stay on every counted answer: retailers pace by them.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config["RATELIMIT_HEADER_RETRY_AFTER"] = _LIMITER_WAIT_HEADER
    # Registered before the limiter's own after_request hook, so it runs after it (Flask runs
    # after_request hooks in reverse order of registration).
    app.after_request(retry_after_only_when_due)
    # RATELIMIT_DEFAULT applies to every route, per API key (or per address without a valid one).
    # One Limiter per app, not a module-level one: Flask-Limiter keeps the default limits of
    # the first app it was bound to, so every later app (tests build many) would inherit them.
    limiter = Limiter(key_func=rate_limit_key)
    limiter.init_app(app)
    app.extensions["rate_limiter"] = limiter
    return limiter


def limit_per_address(app: Flask, blueprint: Blueprint) -> None:
    """Apply RATELIMIT_DEFAULT to a blueprint of our own pages, counted per client address."""
    from slotbooking.auth import client_address_key

    # A bearer header, junk or not, buys no bucket of its own here.
    limiter = app.extensions["rate_limiter"]
    limiter.limit(app.config["RATELIMIT_DEFAULT"], key_func=client_address_key)(blueprint)


def retry_after_only_when_due(response: Response) -> Response:
    """Keep Retry-After on 429 (the limiter's real wait) and 503 (its own value), nowhere else."""
    limiter_wait = response.headers.pop(_LIMITER_WAIT_HEADER, None)
    if response.status_code == 429 and limiter_wait is not None:
        response.headers["Retry-After"] = str(max(int(limiter_wait), 1))
    elif response.status_code not in WAIT_STATUSES:
        response.headers.pop("Retry-After", None)
    return response
