"""Benchmark the API under gunicorn on PostgreSQL + Redis, against targets, with wrk.

    .venv/bin/python bench/bench_api.py [--duration 10] [--warmup 3] [--connections 32]

What it does, from nothing to a table (see bench/README.md):
 1. creates a scratch PostgreSQL database, migrates it (flask db upgrade) and imports the demo
    retailer (flask retailer import ... --json), as an operator would;
 2. GET /api/v1/slots with a warm cache, app under gunicorn (4 workers, Redis, no rate limit);
 3. the same document from bench/ceiling_app.py (Flask + one Redis GET): the stack's ceiling;
 4. GET /api/v1/slots with every request a cache miss (the zone's cache version bumped every
    millisecond, as bookings do), and again with Redis switched off;
 5. one-step hold-and-book (POST /api/v1/bookings with slot_id + address) spread over every
    bookable window, then an overbooking check in the database;
 6. prints measured figures, targets and PASS/MISS, then stops the servers and drops the database.

Only 127.0.0.1 is contacted. Every run and every loop is bounded by the --duration given.
"""

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEMO = ROOT / "slotbooking" / "demo" / "demo_setup.json"
sys.path.insert(0, str(ROOT))

from loadgen import measure, say  # noqa: E402
from report import report  # noqa: E402

from tests.support.gunicorn import GunicornServer  # noqa: E402

OCCUPYING = ("confirmed", "rescheduled")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run [10]")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run [3]")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections [32]")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads [2]")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers [4]")
    parser.add_argument(
        "--pg-admin-url",
        default=os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="an existing database to connect to for CREATE/DROP DATABASE",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        help="Redis database for the app's cache and the ceiling document [db 13]",
    )
    parser.add_argument(
        "--capacity-scale",
        type=int,
        default=10,
        help="multiply slot and depot-day capacities by this for the booking run, so it measures "
        "bookings rather than refusals; a few hot windows keep their demo capacity [10]",
    )
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="serve the app from this directory, e.g. a `git archive HEAD` snapshot, instead of the "
        "working tree (the venv's packages are used either way) [the repository]",
    )
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=20,
        help="before each measured run wait up to this many seconds for other work to leave the "
        "CPUs idle (the busy share found is printed with the figures) [20]",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measured runs per phase; the fastest is reported, all are listed (use 3 on a busy machine) [1]",
    )
    parser.add_argument(
        "--pricing",
        choices=("flat", "dynamic"),
        default="flat",
        help="the demo retailer's pricing mode; dynamic runs the pricing engine on every cache miss [flat]",
    )
    parser.add_argument("--quiet-below", type=float, default=0.15, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the scratch database")
    args = parser.parse_args(argv)
    for host_url in (args.pg_admin_url, args.redis_url):
        if urlsplit(host_url).hostname not in ("127.0.0.1", "localhost"):
            parser.error(f"{host_url}: this benchmark only talks to 127.0.0.1")
    if args.duration < 1 or args.warmup < 0 or args.connections < 1 or not 1 <= args.repeat <= 10:
        parser.error("--duration >= 1, --warmup >= 0, --connections >= 1 and 1 <= --repeat <= 10")
    return args


# -- plumbing ----------------------------------------------------------------------------------


def flask_cli(source: Path, env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=source,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def http_json(url: str, key: str, method: str = "GET", body=None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Scratch:
    """The scratch PostgreSQL database of one run."""

    def __init__(self, admin_url: str):
        import psycopg

        self.psycopg = psycopg
        self.admin_url = admin_url
        self.name = f"slotbooking_bench_{uuid.uuid4().hex[:10]}"
        self.url = f"{admin_url.rsplit('/', 1)[0]}/{self.name}"

    def create(self) -> None:
        with self.psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with self.psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def query(self, sql: str, params=()) -> list[tuple]:
        with self.psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params=()) -> int:
        with self.psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql, params).rowcount


# -- the phases ---------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(app: str, env: dict, workers: int, cwd: Path):
    """A gunicorn server for one phase; its log is shown if the phase fails, then deleted."""
    server = GunicornServer(app, env=env, workers=workers, cwd=cwd).start()
    try:
        yield server
    except BaseException:
        print(server.log_tail(30), file=sys.stderr)
        raise
    finally:
        server.cleanup()


def slots_path(postcode: str, **params) -> str:
    return f"/api/v1/slots?{urlencode({'postcode': postcode, **params})}"


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

    with serve("wsgi:app", env, args.workers, args.source) as server:
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


def booking_targets(server: GunicornServer, key: str, db: Scratch, scale: int, workdir: Path) -> dict:
    """Write the windows to book into a file: all bookable ones from the day after tomorrow on,
    shuffled so neighbours hit other rows, and every 10th request at a few hot windows that keep
    their demo capacity (they fill up during the run, so the refusal path is under load too)."""
    document = json.loads(DEMO.read_text())
    tz = ZoneInfo(document["retailer"]["timezone"])
    first = datetime.now(UTC).astimezone(tz).date() + timedelta(days=2)  # far from any cut-off
    windows = []
    for zone in document["zones"]:
        postcode = f"{zone['postcode_prefixes'][0]} 1AA"
        status, body = http_json(
            server.url(slots_path(postcode, **{"from": first.isoformat(), "days": 15})), key
        )
        if status != 200:
            raise RuntimeError(f"GET /slots for {postcode} answered {status}: {body}")
        windows += [(s["id"], postcode, s["date"]) for s in body["slots"] if s["available"]]
    if not windows:
        raise RuntimeError("no bookable windows")
    rng = random.Random(20261121)
    rng.shuffle(windows)
    by_zone = {}
    for slot_id, postcode, _day in windows:
        by_zone.setdefault(postcode, slot_id)
    hot = list(by_zone.items())  # one hot window per zone
    hot_ids = [slot_id for _, slot_id in hot]
    cold = [(s, p) for s, p, _ in windows if s not in hot_ids]
    db.execute("UPDATE slots SET capacity = capacity * %s WHERE NOT (id = ANY(%s))", (scale, hot_ids))
    db.execute("UPDATE depot_days SET capacity = capacity * %s", (scale,))
    lines = []
    for i, (slot_id, postcode) in enumerate(cold):
        if i % 9 == 0:
            hot_postcode, hot_id = hot[(i // 9) % len(hot)]
            lines.append(f"{hot_id}\t{hot_postcode}")
        lines.append(f"{slot_id}\t{postcode}")
    path = workdir / "booking_targets.tsv"
    path.write_text("\n".join(lines) + "\n")
    days = {d for _, _, d in windows}
    say(f"booking: {len(windows)} windows over {len(days)} days, {len(hot_ids)} hot; capacities x{scale}")
    return {"path": path, "windows": len(windows), "days": len(days), "hot": hot_ids}


def overbookings(db: Scratch) -> dict:
    """Slots and depot days where bookings plus live holds exceed the capacity."""
    slots = db.query(
        """
        SELECT s.id, s.capacity, count(*) FROM slots s
        JOIN (SELECT slot_id FROM bookings WHERE status = ANY(%(occ)s)
              UNION ALL SELECT slot_id FROM holds WHERE status = 'active' AND expires_at > now()) t
          ON t.slot_id = s.id
        GROUP BY s.id, s.capacity HAVING count(*) > s.capacity
        """,
        {"occ": list(OCCUPYING)},
    )
    depot_days = db.query(
        """
        SELECT d.id, d.capacity, count(*) FROM depot_days d
        JOIN (SELECT depot_id, service_date FROM bookings WHERE status = ANY(%(occ)s)
              UNION ALL SELECT depot_id, service_date FROM holds
                        WHERE status = 'active' AND expires_at > now()) t
          ON t.depot_id = d.depot_id AND t.service_date = d.service_date
        GROUP BY d.id, d.capacity HAVING count(*) > d.capacity
        """,
        {"occ": list(OCCUPYING)},
    )
    return {"slots": slots, "depot_days": depot_days, "count": len(slots) + len(depot_days)}


def bench_bookings(args, env: dict, key: str, db: Scratch, workdir: Path) -> dict:
    with serve("wsgi:app", env, args.workers, args.source) as server:
        targets = booking_targets(server, key, db, args.capacity_scale, workdir)
        stats = measure(
            args,
            "hold-and-book",
            server.base_url,
            BENCH / "book.lua",
            [f"Authorization: Bearer {key}"],
            script_args=(str(targets["path"]), "{run}"),
        )
    created_in_run = stats["statuses"].get("201", 0)
    stats["bookings_per_s"] = created_in_run / stats["seconds"]
    stats["runs_bookings_per_s"] = [
        round(r["statuses"].get("201", 0) / r["seconds"], 1) for r in stats["all_runs"]
    ]
    confirmed = db.query("SELECT count(*) FROM bookings WHERE status = ANY(%s)", (list(OCCUPYING),))[0][0]
    in_run = db.query(
        "SELECT count(*) FROM bookings WHERE order_ref LIKE %s", (f"BENCH-{stats['run_name']}-%",)
    )[0][0]
    hot_full = db.query(
        "SELECT count(*) FROM slots s WHERE s.id = ANY(%s) AND s.capacity = "
        "(SELECT count(*) FROM bookings b WHERE b.slot_id = s.id AND b.status = ANY(%s))",
        (targets["hot"], list(OCCUPYING)),
    )[0][0]
    stats.update(
        targets={k: v for k, v in targets.items() if k != "path"},
        confirmed_total=confirmed,
        confirmed_in_run=in_run,
        hot_full=hot_full,
        overbookings=overbookings(db),
    )
    # wrk stops counting at the deadline; requests still in flight then complete on the server
    stats["in_flight_at_stop"] = in_run - created_in_run
    if not 0 <= stats["in_flight_at_stop"] <= args.connections:
        raise RuntimeError(f"{created_in_run} answers 201 but {in_run} bookings stored by the measured run")
    say(
        f"hold-and-book: {stats['bookings_per_s']:.0f} bookings/s; 201s {created_in_run} vs "
        f"{in_run} rows; {hot_full}/{len(targets['hot'])} hot windows exactly full; "
        f"overbookings {stats['overbookings']['count']}"
    )
    return stats


# -- the report ---------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    db = Scratch(args.pg_admin_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    say(f"scratch database {db.name}")
    db.create()
    try:
        env = {
            "DATABASE_URL": db.url,
            "REDIS_URL": args.redis_url,
            "SLOTBOOKING_RATELIMIT_ENABLED": "0",
            "SLOTBOOKING_SECRET_KEY": f"bench-{uuid.uuid4().hex}",
            "SLOTBOOKING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        }
        started = time.monotonic()
        flask_cli(args.source, env, "db", "upgrade")
        setup = DEMO
        if args.pricing != "flat":
            document = json.loads(DEMO.read_text())
            document["pricing"]["mode"] = args.pricing
            setup = Path(tempfile.mkdtemp(prefix="bench-setup-")) / "setup.json"
            setup.write_text(json.dumps(document))
        keys = json.loads(flask_cli(args.source, env, "retailer", "import", str(setup), "--json"))
        say(f"migrated and imported {keys['retailer']} in {time.monotonic() - started:.1f} s")
        key = keys["secret_key"]
        results = {}
        results["slots_warm"], document = bench_slots_warm(args, env, key)
        results["ceiling"] = bench_ceiling(args, args.redis_url, document)
        results["slots_miss"] = bench_slots_miss(args, env, key, results["slots_warm"], db)
        results["slots_no_redis"] = bench_slots_no_redis(args, env, key)
        results["bookings"] = bench_bookings(args, env, key, db, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if args.keep_db:
            say(f"kept database {db.name}")
        else:
            db.drop()
            say(f"dropped database {db.name}")
    table = report(args, results)
    print()
    print(table)
    if args.json:
        args.json.write_text(json.dumps({"table": table, **results}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
