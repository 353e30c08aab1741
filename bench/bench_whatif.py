"""Time a what-if over 7 days, 10 zones and 1,000 offers, run as the whatif.run job runs it.

    .venv/bin/python bench/bench_whatif.py [--offers 1000] [--draws 20] [--days-shown 3] [--processes N]
        [--keep-db]

A scratch PostgreSQL database (tests/support/services.py create_pg_database), migrated, with the
demo retailer grown to 10 zones over 2 depots (bench_dashboards.py's ``grown_demo``) and priced
``dynamic``; its slots of the next 7 days generated. The offer log: ``--offers`` offers shown over
the last 7 days, spread over the zones, each showing its zone's windows of ``--days-shown``
consecutive delivery days within the 7, at a cell near the zone's centre. The draft: base fee
+50p and £2 off wide windows' anchor, within a daily discount budget of £50.

Each run is a queued WhatIfRun executed by ``execute_run`` in this process, exactly the job's
body: read the log, price both rule sets, draw shoppers, route every depot-day of every draw
with PyVRP (WHATIF_ROUTING_* settings), store the result. Printed: wall seconds and its split
(reading, pricing, choices, routing), the same for a 1-draw run measured in the same process as
the baseline (and the ratio), and whether the default run met the 60 s target. Beside each run,
the machine's yardstick measured just before it (``yardstick.py``: one fixed engine call and one
fixed PyVRP solve) and the load average, so a reader can tell a loaded machine from slow code.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from bench import yardstick  # noqa: E402
from bench.bench_dashboards import grown_demo  # noqa: E402
from slotbooking.drafts.service import live_document, save_draft  # noqa: E402
from slotbooking.extensions import db  # noqa: E402
from slotbooking.offerlog.models import OfferGrid, OfferShown  # noqa: E402
from slotbooking.offers.generation import extend_horizon  # noqa: E402
from slotbooking.retailers.models import Retailer, Zone  # noqa: E402
from slotbooking.slots.models import Slot  # noqa: E402
from slotbooking.staff.accounts import find_staff, save_account  # noqa: E402
from slotbooking.whatif.models import WhatIfRun  # noqa: E402
from slotbooking.whatif.service import Period, execute_run, start_run  # noqa: E402
from tests.conftest import import_document, make_app  # noqa: E402
from tests.support.api import Clock  # noqa: E402
from tests.support.services import create_pg_database, drop_pg_database  # noqa: E402

TARGET_SECONDS = 60.0
DAYS = 7


def seed(app, clock, offers: int, days_shown: int) -> int:
    """Generate the coming slots and log the offers; return the offers written."""
    rng = random.Random(11)
    with app.app_context():
        retailer = db.session.scalars(select(Retailer)).one()
        extend_horizon(db.session, retailer, clock())
        zones = db.session.scalars(select(Zone).order_by(Zone.code)).all()
        grids = {}
        for zone in zones:
            dates = sorted(set(db.session.scalars(select(Slot.service_date).where(Slot.zone_id == zone.id))))
            dates = dates[:DAYS]
            for first in range(len(dates) - days_shown + 1):
                shown = dates[first : first + days_shown]
                slots = db.session.scalars(
                    select(Slot)
                    .where(Slot.zone_id == zone.id, Slot.service_date.in_(shown))
                    .order_by(Slot.starts_at, Slot.ends_at)
                ).all()
                grid = OfferGrid(
                    id=f"bench-{zone.id}-{first}",
                    retailer_id=retailer.id,
                    zone_id=zone.id,
                    sheet_id="bench",
                    mode="dynamic",
                    base_fee=400,
                    windows=[
                        [s.id, s.service_date.isoformat(), 0, s.width_minutes, 400, False, False]
                        for s in slots
                    ],
                    created_at=clock(),
                )
                db.session.add(grid)
                grids.setdefault(zone.id, []).append(grid)
        db.session.flush()
        for n in range(offers):
            zone = zones[n % len(zones)]
            shown_at = clock() - timedelta(minutes=1 + n * (DAYS * 1440 - 10) / offers)
            lat = zone.lat + rng.uniform(-0.015, 0.015)
            lon = zone.lon + rng.uniform(-0.02, 0.02)
            db.session.add(
                OfferShown(
                    quote_digest=f"b{n:031d}",
                    retailer_id=retailer.id,
                    grid_id=rng.choice(grids[zone.id]).id,
                    shown_at=shown_at,
                    expires_at=shown_at + timedelta(minutes=10),
                    cell=f"{lat:.2f},{lon:.2f}",
                )
            )
        db.session.commit()
        save_account(db.session, "bench@example.com", "bench password long enough", retailer.slug, "editor")
        document = live_document(retailer)
        pricing = {
            **document["pricing"],
            "base_fee": 450,
            "static_wide_discount": 200,
            "daily_discount_budget": 5000,
        }
        save_draft(
            db.session,
            find_staff(db.session, "bench@example.com"),
            retailer,
            {**document, "pricing": pricing},
            "bench",
        )
        return offers


def timed_run(app, clock, draws: int) -> tuple[float, dict, WhatIfRun]:
    with app.app_context():
        retailer = db.session.scalars(select(Retailer)).one()
        staff = find_staff(db.session, "bench@example.com")
        period = Period(clock() - timedelta(days=DAYS), clock())
        run = start_run(db.session, staff, retailer, period, draws, 1, app.config)
        started = time.perf_counter()
        execute_run(db.session, run.id, app.config)
        wall = time.perf_counter() - started
        done = db.session.get(WhatIfRun, run.id)
        db.session.expunge(done)
        db.session.rollback()
    if done.status != "done":
        raise SystemExit(f"the run ended {done.status}: {done.error}")
    seconds = dict(done.result["seconds"])
    seconds["reading and storing"] = wall - sum(seconds.values())
    return wall, seconds, done


def machine() -> str:
    """Time the yardstick now and return it with the load average, as one line."""
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return f"{yardstick.describe(yardstick.measure())}; load average {load} on {os.cpu_count()} cores"


def describe(label: str, wall: float, seconds: dict, run: WhatIfRun, before: str) -> None:
    split = ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items())
    summary = run.result["summary"]
    print(f"{label}: {wall:.1f} s wall ({split}); {run.offers} offers, {run.draws} draws")
    print(f"    before it, {before}")
    for name in ("acceptance", "km_per_order", "contribution_per_order"):
        live, draft = summary[name]["live"], summary[name]["draft"]
        print(f"    {name:<24} live {live['mean']:10.3f}  draft {draft['mean']:10.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=None, help="default: WHATIF_DEFAULT_DRAWS")
    parser.add_argument("--days-shown", type=int, default=3)
    parser.add_argument("--processes", type=int, default=None, help="default: WHATIF_PROCESSES")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    name, url = create_pg_database()
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    try:
        app = make_app(url, clock)
        document = grown_demo()
        document["pricing"] = {**document["pricing"], "mode": "dynamic"}
        import_document(app, document, clock)
        started = time.perf_counter()
        seed(app, clock, args.offers, args.days_shown)
        print(
            f"seeded {args.offers} offers over {DAYS} days and 10 zones "
            f"in {time.perf_counter() - started:.1f} s"
        )
        draws = args.draws or app.config["WHATIF_DEFAULT_DRAWS"]
        if args.processes is not None:
            app.config["WHATIF_PROCESSES"] = args.processes
        print(
            f"routing: at most {app.config['WHATIF_ROUTING_ITERATIONS']} iterations per depot-day, "
            f"{app.config['WHATIF_ROUTING_SECONDS']} s in all; {app.config['WHATIF_PROCESSES']} process(es)"
        )
        before = machine()
        base_wall, base_seconds, base_run = timed_run(app, clock, 1)
        describe("baseline, 1 draw", base_wall, base_seconds, base_run, before)
        before = machine()
        wall, seconds, run = timed_run(app, clock, draws)
        describe(f"what-if, {draws} draws", wall, seconds, run, before)
        print(f"after it, {machine()}")
        print(f"ratio to the 1-draw baseline: {wall / base_wall:.2f}x")
        met = wall <= TARGET_SECONDS
        print(
            f"target: {TARGET_SECONDS:.0f} s for {args.offers} offers, {draws} draws: "
            f"{'met' if met else 'MISSED'}"
        )
        return 0 if met else 1
    finally:
        if not args.keep_db:
            drop_pg_database(name)


if __name__ == "__main__":
    raise SystemExit(main())
