"""Redis as a cache and fast path only: every miss, error or outage falls back to the database.

An entry carries the version of the database state it was computed from, and is served only
while the database still reports that version (``capacity_version`` in bookings/capacity.py:
one indexed lookup, bumped inside every booking's own transaction). Redis keeps no version of
its own, so nothing it does (a restart from an old snapshot, FLUSHALL, eviction under
``maxmemory``) can bring an outdated entry back to life: at worst it loses entries. A write
never replaces an entry computed from a newer version, so a slow reader cannot overwrite what
a newer one stored.
"""

import json
import logging
import time

import redis

log = logging.getLogger(__name__)

# Store unless the key already holds an entry computed from a newer version.
_PUT_UNLESS_NEWER = """
local existing = redis.call('GET', KEYS[1])
if existing then
  local stored = tonumber(string.match(existing, '^(%d+)\\n'))
  if stored and stored > tonumber(ARGV[1]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. '\\n' .. ARGV[2], 'EX', ARGV[3])
return 1
"""


class Cache:
    """A cache of texts over Redis, each valid for one database version, that degrades to
    "always miss" when Redis is away."""

    def __init__(
        self, url: str = "", timeout: float = 0.25, ttl_seconds: int = 60, pause_after_error: float = 1.0
    ):
        self.client = None
        if url:
            self.client = redis.Redis.from_url(
                url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
            )
            self._put_unless_newer = self.client.register_script(_PUT_UNLESS_NEWER)
        # The longest an entry lives, whatever it depends on (CACHE_TTL_SECONDS).
        self.ttl_seconds = ttl_seconds
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

    def lookup(self, key: str, version: int) -> str | None:
        """Return the text stored under key if it was computed from this version, else None."""
        if not self._usable():
            return None
        try:
            raw = self.client.get(f"e:{key}")
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        if raw:
            stored_version, _, text = raw.partition("\n")
            if stored_version == str(version):
                return text
        return None

    def lookup_current(self, key: str, signal_key: str, version_of) -> tuple[str | None, int | None]:
        """Return (the text under key if it is of the current version, the current version).

        One round trip reads the entry and a change counter; ``version_of(counter value)`` then
        says which version is current (the database's, bookings/version_watch.py). While Redis is
        away: (None, None), and no version is asked for, since nothing will be stored.
        """
        if not self._usable():
            return None, None
        try:
            raw, signal = self.client.mget(f"e:{key}", f"s:{signal_key}")
        except redis.RedisError as exc:
            self._failed(exc)
            return None, None
        version = version_of(signal)
        if raw:
            stored_version, _, text = raw.partition("\n")
            if stored_version == str(version):
                return text, version
        return None, version

    def signal(self, keys: list[str]) -> None:
        """Move each change counter by one (other processes' next lookups see the change)."""
        if not keys or not self._usable():
            return
        try:
            if len(keys) == 1:
                self.client.incr(f"s:{keys[0]}")
                return
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.incr(f"s:{key}")
            pipe.execute()
        except redis.OutOfMemoryError:
            pass  # nothing left to evict: the readers fall back to the version watch's bound
        except redis.RedisError as exc:
            self._failed(exc)

    def store(self, key: str, version: int, text: str, ttl: int) -> bool:
        """Store text computed from version, unless an entry from a newer version is there."""
        if ttl < 1 or not self._usable():
            return False
        try:
            return bool(self._put_unless_newer(keys=[f"e:{key}"], args=[int(version), text, int(ttl)]))
        except redis.OutOfMemoryError:
            return False  # full and nothing left to evict: Redis is up, the entry just is not kept
        except redis.RedisError as exc:
            self._failed(exc)
            return False

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
        except redis.OutOfMemoryError:
            pass
        except redis.RedisError as exc:
            self._failed(exc)

    def append(self, key: str, texts: list[str], keep: int) -> bool:
        """Append texts to a list kept to its newest ``keep`` (a buffer others drain); False: not kept."""
        if not texts or not self._usable():
            return False
        try:
            pipe = self.client.pipeline(transaction=False)
            pipe.rpush(f"q:{key}", *texts)
            pipe.ltrim(f"q:{key}", -keep, -1)
            pipe.execute()
            return True
        except redis.RedisError as exc:  # out of memory included: the caller keeps them another way
            self._failed(exc)
            return False

    def take(self, key: str, count: int) -> list[str]:
        """Remove and return up to count of the oldest texts of a list (each taken by one caller)."""
        if not self._usable():
            return []
        try:
            return self.client.lpop(f"q:{key}", count) or []
        except redis.RedisError as exc:
            self._failed(exc)
            return []


def cache_namespace(tenant_id: int, depot_id: int) -> str:
    """Name the cache entries one change of capacity can affect (in their keys): one depot's.

    A depot's daily fleet cap is shared by its zones, and dynamic prices look at the whole
    depot's bookings, so a booking anywhere in the depot makes all its zones' grids stale: their
    version is the depot days' (``capacity_version``), not the zone's.
    """
    return f"{tenant_id}:depot:{depot_id}"
