"""Redis as a cache and fast path only: every miss, error or outage falls back to the database.

Entries carry the version of their namespace (one per retailer and zone) read *before* the
database was; a write lands only while that version is still current, so a slow reader can
never overwrite what a newer booking made fresh. Writers bump the version after commit.
"""

import json
import logging
import time

import redis

log = logging.getLogger(__name__)

# Store only if the namespace version is still the one the value was computed under.
_PUT_IF_CURRENT = """
local current = redis.call('GET', KEYS[1]) or '0'
if current == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


class Cache:
    """A versioned cache of texts over Redis that degrades to "always miss" when Redis is away."""

    def __init__(self, url: str = "", timeout: float = 0.25, pause_after_error: float = 1.0):
        self.client = None
        if url:
            self.client = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
            )
            self._put_if_current = self.client.register_script(_PUT_IF_CURRENT)
        self._pause = pause_after_error
        self._down_until = 0.0

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def _usable(self) -> bool:
        return self.client is not None and time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        # Skip Redis for a moment so a dead server costs one timeout, not one per call.
        log.warning("redis unavailable: %s", exc)
        self._down_until = time.monotonic() + self._pause

    def status(self) -> str:
        """Return "ok", "down" or "disabled", asking Redis itself."""
        if self.client is None:
            return "disabled"
        try:
            self.client.ping()
            self._down_until = 0.0
            return "ok"
        except redis.RedisError as exc:
            self._failed(exc)
            return "down"

    def lookup(self, namespace: str, key: str) -> tuple[str | None, str]:
        """Return (text or None, the namespace version to store a fresh text under)."""
        if not self._usable():
            return None, ""
        try:
            version, raw = self.client.mget(f"v:{namespace}", f"e:{key}")
        except redis.RedisError as exc:
            self._failed(exc)
            return None, ""
        version = version or "0"
        if raw:
            stored_version, _, text = raw.partition("\n")
            if stored_version == version:
                return text, version
        return None, version

    def store(self, namespace: str, key: str, version: str, text: str, ttl: int) -> bool:
        """Store text computed under version, unless the namespace has moved on since."""
        if not version or not self._usable():
            return False
        try:
            return bool(
                self._put_if_current(
                    keys=[f"v:{namespace}", f"e:{key}"], args=[version, f"{version}\n{text}", ttl]
                )
            )
        except redis.RedisError as exc:
            self._failed(exc)
            return False

    def bump(self, *namespaces: str) -> None:
        """Invalidate every entry of the namespaces (call after the database commit)."""
        if not namespaces or not self._usable():
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            for namespace in namespaces:
                pipe.incr(f"v:{namespace}")
            pipe.execute()
        except redis.RedisError as exc:
            self._failed(exc)

    def get(self, key: str):
        """Return an immutable value by key, or None."""
        if not self._usable():
            return None
        try:
            raw = self.client.get(f"k:{key}")
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        return json.loads(raw) if raw else None

    def put(self, key: str, data, ttl: int) -> None:
        """Store an immutable value by key (content-addressed things such as price sheets)."""
        if not self._usable():
            return
        try:
            self.client.set(f"k:{key}", json.dumps(data, separators=(",", ":")), ex=ttl)
        except redis.RedisError as exc:
            self._failed(exc)


def cache_namespace(tenant_id: int, depot_id: int) -> str:
    """Name the cache entries one change of capacity can affect: every zone of one depot.

    A depot's daily fleet cap is shared by its zones, and dynamic prices look at the whole
    depot's bookings, so a booking anywhere in the depot makes all its zones' grids stale.
    """
    return f"{tenant_id}:depot:{depot_id}"
