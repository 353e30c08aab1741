"""CORS for browsers on retailers' shops: each retailer's allowed origins, nobody else's.

Written here rather than with Flask-CORS because the allowed origins depend on the tenant,
which is known only once the key is read; a preflight carries no key, so it is answered for
any origin that some retailer allows, and the real request is then checked per retailer.
"""

import threading
import time

from cachetools import TTLCache, cachedmethod
from flask import g, request
from sqlalchemy import select

from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer

ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS"


class KnownOrigins:
    """Every origin some retailer allows, read again at most every ``ttl`` seconds."""

    def __init__(self, ttl: float = 10.0, timer=time.monotonic):
        self._cache = TTLCache(maxsize=1, ttl=ttl, timer=timer)
        self._lock = threading.Lock()

    @cachedmethod(lambda self: self._cache, key=lambda self: "all", lock=lambda self: self._lock)
    def get(self) -> frozenset:
        rows = db.session.scalars(select(Retailer.allowed_origins)).all()
        return frozenset(o for origins in rows for o in origins or ())


def register_cors(app) -> None:
    known = KnownOrigins()

    @app.before_request
    def _preflight():
        if request.method == "OPTIONS" and request.path.startswith("/api/"):
            origin = request.headers.get("Origin")
            response = app.make_default_options_response()
            if origin and origin in known.get():
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
                response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
                response.headers["Access-Control-Max-Age"] = "600"
            response.headers["Vary"] = "Origin"
            return response
        return None

    @app.after_request
    def _allow_origin(response):
        origin = request.headers.get("Origin")
        tenant = g.get("tenant")
        if request.path.startswith("/api/") and origin and tenant and origin in tenant.allowed_origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "Retry-After, Idempotent-Replayed"
            response.headers["Vary"] = "Origin"
        return response
