"""API key authentication: who is calling, for which retailer, with which kind of key."""

import functools
import threading
import time

from cachetools import TTLCache
from flask import current_app, g, request
from sqlalchemy.exc import SQLAlchemyError

from slotbooking.common.errors import Forbidden, Unauthorized
from slotbooking.common.unit_of_work import read_only
from slotbooking.extensions import db
from slotbooking.retailers.keys import digest, find_key
from slotbooking.retailers.models import Retailer
from slotbooking.retailers.tenant import Tenant


class KeyCache:
    """Remember resolved keys for ``ttl`` seconds (0: not at all): a rotation takes effect within that time.

    At most ``maxsize`` keys are kept (the least recently used go first), keyed by the key's
    digest, never the key itself.
    """

    def __init__(self, ttl: float, maxsize: int = 10_000, timer=time.monotonic):
        self._entries: TTLCache = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._lock = threading.Lock()  # threaded servers share one cache

    def resolve(self, session, token: str) -> tuple[Tenant, str, int] | None:
        """Return the key's retailer, kind and id, or None for an unknown or revoked key."""
        key = digest(token)
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None:
            return hit
        api_key = find_key(session, token)
        if api_key is None:
            with self._lock:
                self._entries.pop(key, None)
            return None
        resolved = Tenant.of(session.get(Retailer, api_key.retailer_id)), api_key.kind, api_key.id
        with self._lock:
            self._entries[key] = resolved
        return resolved


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


_CALLER = "slotbooking.caller"  # kept in the WSGI environ: one lookup per request, never shared


def resolve_caller() -> tuple[Tenant, str] | None:
    """Return the (retailer, key kind) the request's bearer key belongs to, once per request."""
    if _CALLER not in request.environ:
        token = bearer_token()
        resolved = None
        if token is not None:
            resolved = current_app.extensions["key_cache"].resolve(db.session, token)
        request.environ[_CALLER] = resolved
    return request.environ[_CALLER]


def rate_limit_key() -> str:
    """Bucket a request by its API key once the key resolves, otherwise by the client's address.

    A junk or revoked key must not buy a fresh bucket: it counts against the address it came
    from (the real client's, once ProxyFix has read the trusted proxies' headers).
    """
    try:
        with read_only(db.session):
            resolved = resolve_caller()
    except SQLAlchemyError:
        # The database is away: the view answers 503 itself; do not let the limiter take a
        # database failure for a storage failure.
        resolved = None
    if resolved is not None:
        return f"key:{digest(bearer_token())[:16]}"
    return f"ip:{request.remote_addr}"


def client_address_key() -> str:
    """Bucket a request by the client's address alone (our own pages and the widget)."""
    return f"ip:{request.remote_addr}"


def require_key(publishable: bool = False):
    """Authenticate the request; publishable keys only where allowed and from allowed origins."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if bearer_token() is None:
                raise Unauthorized("send your API key as 'Authorization: Bearer <key>'")
            resolved = resolve_caller()
            if resolved is None:
                raise Unauthorized("unknown or revoked API key")
            tenant, kind, key_id = resolved
            if kind == "publishable":
                if not publishable:
                    raise Forbidden(
                        "this call needs the secret key; publishable keys may only quote and hold"
                    )
                origin = request.headers.get("Origin")
                if origin not in tenant.allowed_origins:
                    raise Forbidden(
                        "publishable keys work only from the retailer's allowed origins",
                        {"origin": origin},
                    )
            g.tenant, g.key_kind, g.api_key_id = tenant, kind, key_id
            return view(*args, **kwargs)

        return wrapper

    return decorate
