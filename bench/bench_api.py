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
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from booking_phase import bench_bookings  # noqa: E402
from loadgen import say  # noqa: E402
from plumbing import DEMO, Scratch, app_env, flask_cli  # noqa: E402
from report import report  # noqa: E402
from slots_phases import bench_ceiling, bench_slots_miss, bench_slots_no_redis, bench_slots_warm  # noqa: E402


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
    parser.add_argument(
        "--version-watch",
        type=float,
        default=None,
        metavar="SECONDS",
        help="serve with the version watch polling this often (CAPACITY_VERSION_POLL_SECONDS, 0: off; "
        "the miss phase always runs without it) [the app's default: 0.1 s on PostgreSQL]",
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
        env = app_env(db.url, args.redis_url)
        if args.version_watch is not None:
            env["SLOTBOOKING_CAPACITY_VERSION_POLL_SECONDS"] = str(args.version_watch)
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
