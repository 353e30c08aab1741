"""What recording offers costs a GET /slots, in CPU time of the app process, offer log on against off.

    .venv/bin/python bench/bench_offer_log.py [--blocks 15] [--warm 300] [--miss 20] [--pricing flat]

Two apps on one scratch PostgreSQL database and one Redis database, the same demo retailer: one
with the offer log (the default settings), one with OFFER_LOG_ENABLED off. Blocks of requests
alternate between them (so a busy machine slows both alike), and each block's CPU time of this
process (time.process_time: the app's Python work, not PostgreSQL's or Redis's) is divided by its
requests. Warm: every request a cache hit. Miss: the depot days' lock_seq is bumped before each
request (what a booking does), so every request builds and prices the grid again. Medians are
printed. The Flask test client stands in for gunicorn: the same cost on both sides.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from slotbooking.demo.cli import demo_document  # noqa: E402
from slotbooking.extensions import db  # noqa: E402
from tests.conftest import import_document, make_app  # noqa: E402
from tests.support.api import MONDAY_MORNING, Clock  # noqa: E402
from tests.support.services import create_pg_database, drop_pg_database  # noqa: E402

QUERY = {"postcode": "N1 1AA", "days": 7}


def cpu_per_request(client, headers, count: int, before=None) -> float:
    started = time.process_time()
    for _ in range(count):
        if before:
            before()
        response = client.get("/api/v1/slots", query_string=QUERY, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
    return (time.process_time() - started) / count * 1e6


def recorder_alone(app, count: int = 20_000) -> float:
    """CPU per offer_shown signal, in a request of the app: what the warm path gained, alone."""
    from types import SimpleNamespace

    from slotbooking.offers.offer import Offer
    from slotbooking.slots.offer_signals import offer_shown
    from slotbooking.slots.pricers import Address

    offer = Offer(zone="N1", sheet_id="s" * 40, valid_until=0.0, slots_json="[]", grid_id="g" * 40)
    tenant, address = SimpleNamespace(id=1), Address("N1 1AA")
    expires = MONDAY_MORNING + timedelta(minutes=10)
    with app.test_request_context("/api/v1/slots"):
        started = time.process_time()
        for n in range(count):
            offer_shown.send(
                tenant,
                offer=offer,
                quote_id=f"quote-{n}",
                expires_at=expires,
                address=address,
                now=MONDAY_MORNING,
            )
        spent = time.process_time() - started
        app.extensions["offer_log"].cache.take("offerlog:shown", count)  # not for the database
    return spent / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", type=int, default=15, help="blocks per app and phase [15]")
    parser.add_argument("--warm", type=int, default=300, help="requests per warm block [300]")
    parser.add_argument("--miss", type=int, default=20, help="requests per miss block [20]")
    parser.add_argument("--pricing", choices=("flat", "dynamic"), default="flat")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    args = parser.parse_args()
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    name, url = create_pg_database()
    clock = Clock(MONDAY_MORNING)
    apps = {}
    try:
        apps = {
            "on": make_app(url, clock, redis_url=args.redis_url, LOG_LEVEL="WARNING"),
            "off": make_app(
                url, clock, redis_url=args.redis_url, LOG_LEVEL="WARNING", OFFER_LOG_ENABLED=False
            ),
        }
        document = demo_document()
        document["pricing"]["mode"] = args.pricing
        key = import_document(apps["on"], document, clock)["secret_key"]
        headers = {"Authorization": f"Bearer {key}"}
        clients = {side: app.test_client() for side, app in apps.items()}

        def bump():
            with apps["off"].app_context():
                db.session.execute(text("UPDATE depot_days SET lock_seq = lock_seq + 1"))
                db.session.commit()

        results = {}
        for phase, count, before in (("warm", args.warm, None), ("miss", args.miss, bump)):
            samples = {"on": [], "off": []}
            for side in ("on", "off"):  # warm-up: caches, connections, imports
                cpu_per_request(clients[side], headers, max(5, count // 10), before)
            for _ in range(args.blocks):
                for side in ("on", "off"):
                    samples[side].append(cpu_per_request(clients[side], headers, count, before))
            differences = [on - off for on, off in zip(samples["on"], samples["off"], strict=True)]
            quartiles = statistics.quantiles(differences, n=4)
            results[phase] = {
                "off": statistics.median(samples["off"]),
                "on": statistics.median(samples["on"]),
                "difference": statistics.median(differences),
                "iqr": (quartiles[0], quartiles[2]),
            }
        recording = recorder_alone(apps["on"])
        with apps["on"].app_context():
            apps["on"].extensions["offer_log"].flush()
            grids = db.session.scalar(text("SELECT count(*) FROM offer_grids"))
        print(
            f"{args.pricing} pricing, GET /api/v1/slots?postcode=N1 1AA&days=7, "
            "CPU of this process per request"
        )
        print(f"{'phase':<6} {'log off':>10} {'log on':>10} {'on - off (paired blocks, median)':>34}")
        for phase, f in results.items():
            low, high = f["iqr"]
            change = f"{f['difference']:+.0f}us ({f['difference'] / f['off']:+.1%})"
            change += f", IQR {low:+.0f} to {high:+.0f}us"
            print(f"{phase:<6} {f['off']:>8.0f}us {f['on']:>8.0f}us   {change}")
        print(
            f"recording one offer alone (the offer_shown signal, its share of the Redis batches): "
            f"{recording:.1f}us"
        )
        print(
            f"offer grids stored: {grids}; "
            f"blocks of {args.warm} warm / {args.miss} miss requests, x{args.blocks}"
        )
    finally:
        for app in apps.values():
            with app.app_context():
                db.engine.dispose()
        drop_pg_database(name)


if __name__ == "__main__":
    main()
