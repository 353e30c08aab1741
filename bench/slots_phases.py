"""The GET /slots phases of bench_api.py: cache warm, the ceiling app, cache miss, Redis off."""

import json
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from loadgen import measure, say
from plumbing import BENCH, DEMO, ROOT, GunicornServer, Scratch, http_json, serve, slots_path


def bench_slots_warm(args, env: dict, key: str) -> tuple[dict, bytes]:
    with serve("wsgi:app", env, args.workers, args.source) as server:
        url = server.url(slots_path("N1 1AA", days=7))
        status, body = http_json(url, key)
        if status != 200:
            raise RuntimeError(f"GET /slots answered {status}: {body}")
        document = json.dumps(body, separators=(",", ":")).encode()
        say(f"GET /slots: {len(body['slots'])} windows, {len(document)} bytes")
        stats = measure(
            args, "slots (cache warm)", url, BENCH / "stats.lua", [f"Authorization: Bearer {key}"]
        )
    stats["body_bytes"] = len(document)
    return stats, document


def bench_ceiling(args, redis_url: str, document: bytes) -> dict:
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2)
    ceiling_key = f"bench:ceiling:{uuid.uuid4().hex[:8]}"
    client.set(ceiling_key, document, ex=args.duration * 4 + args.warmup * 4 + 120)
    try:
        env = {"CEILING_REDIS_URL": redis_url, "CEILING_KEY": ceiling_key}
        with serve("bench.ceiling_app:app", env, args.workers, ROOT) as server:
            url = server.url(slots_path("N1 1AA", days=7))
            with urllib.request.urlopen(url, timeout=10) as response:
                assert len(response.read()) == len(document)
            return measure(args, "ceiling (Flask + Redis GET)", url, BENCH / "stats.lua")
    finally:
        client.delete(ceiling_key)


def bench_slots_miss(args, env: dict, key: str, warm: dict, db: "Scratch") -> dict:
    """Every request a miss with Redis up: a thread bumps the cache versions every millisecond (as
    bookings do), so each lookup finds its entry outdated and the grid is built from PostgreSQL.

    Which versions matter is the app's business: where one booking in the zone makes the app
    bump version keys in Redis (older checkouts), the bumper bumps every such key; where the app
    keeps none (versions anchored in the database: the depot days' lock_seq, bumped inside each
    booking's transaction), it bumps every depot day's lock_seq, as each booking's row lock does."""
    import redis

    client = redis.Redis.from_url(args.redis_url, socket_timeout=2)
    stop = threading.Event()
    bumps = 0

    def bump_redis(version_keys: list) -> None:
        pipe = client.pipeline(transaction=False)
        for version_key in version_keys:
            pipe.incr(version_key)
        pipe.execute()

    def bumper(deadline: float, version_keys: list) -> None:
        nonlocal bumps
        with db.psycopg.connect(db.url, autocommit=True) as conn:
            while not stop.is_set() and time.monotonic() < deadline:
                if version_keys:
                    bump_redis(version_keys)
                else:
                    conn.execute("UPDATE depot_days SET lock_seq = lock_seq + 1")
                bumps += 1
                stop.wait(0.001)

    # A checkout with the version watch (bookings/version_watch.py) would serve the bumps of one
    # poll interval from the grid it just rebuilt, as it does in production, so most requests
    # here would be hits: with the watch off, every request reads its version and misses, as on
    # every checkout before it (an older checkout ignores the setting).
    no_watch = {**env, "SLOTBOOKING_CAPACITY_VERSION_POLL_SECONDS": "0"}
    with serve("wsgi:app", no_watch, args.workers, args.source) as server:
        url = server.url(slots_path("N1 1AA", days=7))

        def version_values() -> dict:
            found = sorted(client.scan_iter(match="v:*", count=1000))
            return dict(zip(found, client.mget(found), strict=True)) if found else {}

        before = version_values()
        book_one(server, key, "N1 1AA")
        # only keys this app's booking moved (keys left in Redis by another checkout do not count)
        version_keys = sorted(k for k, value in version_values().items() if before.get(k) != value)
        # bounded, but long enough for every run and every wait for a quiet machine
        longest = args.warmup + args.repeat * (args.duration + args.quiet_wait + 15) + 60
        thread = threading.Thread(target=bumper, args=(time.monotonic() + longest, version_keys))
        thread.start()
        try:
            stats = measure(
                args, "slots (cache miss)", url, BENCH / "stats.lua", [f"Authorization: Bearer {key}"]
            )
            bumping_throughout = thread.is_alive()
        finally:
            stop.set()
            thread.join(timeout=5)
    if not bumping_throughout:
        raise RuntimeError(
            f"the cache-version bumper stopped early ({bumps} bumps): the miss run is not valid"
        )
    stats["version_bumps"] = bumps
    stats["version_keys"] = len(version_keys) or "depot_days.lock_seq"
    if stats["server_cpu_ms"] < 2 * warm["server_cpu_ms"]:
        stats["invalid"] = (
            f"a miss cost {stats['server_cpu_ms']:.2f} ms of app CPU, a hit {warm['server_cpu_ms']:.2f} ms: "
            "the requests were probably not missing the cache"
        )
    return stats


def book_one(server: GunicornServer, key: str, postcode: str) -> None:
    """Book the first free window of the day after tomorrow onwards in the postcode's zone."""
    tz = ZoneInfo(json.loads(DEMO.read_text())["retailer"]["timezone"])
    first = datetime.now(UTC).astimezone(tz).date() + timedelta(days=2)
    status, body = http_json(server.url(slots_path(postcode, **{"from": first.isoformat(), "days": 7})), key)
    slot = next((s for s in body.get("slots", []) if s["available"]), None) if status == 200 else None
    if slot is None:
        raise RuntimeError(f"no free window to book in {postcode}: {status} {body}")
    status, body = http_json(
        server.url("/api/v1/bookings"),
        key,
        "POST",
        {"slot_id": slot["id"], "address": {"postcode": postcode}, "order_ref": "BENCH-bump"},
    )
    if status != 201:
        raise RuntimeError(f"booking to find the cache version keys answered {status}: {body}")


def bench_slots_no_redis(args, env: dict, key: str) -> dict:
    """Redis away: the app builds every grid from PostgreSQL and keeps price sheets there only."""
    with serve("wsgi:app", {**env, "REDIS_URL": ""}, args.workers, args.source) as server:
        url = server.url(slots_path("N1 1AA", days=7))
        status, body = http_json(url, key)
        if status != 200:
            raise RuntimeError(f"GET /slots (no Redis) answered {status}: {body}")
        return measure(args, "slots (Redis off)", url, BENCH / "stats.lua", [f"Authorization: Bearer {key}"])
