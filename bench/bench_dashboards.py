"""Time every dashboard figure on PostgreSQL with 100,000 bookings, against a baseline query.

    .venv/bin/python bench/bench_dashboards.py [--bookings 100000] [--runs 20] [--keep-db]

A scratch database (tests/support/services.py create_pg_database), migrated, with the demo
retailer grown to 10 zones. Then, in SQL (generate_series, no Python loop per row), 30 past
days of windows (8 a day per zone), the bookings spread over them (one in eight green, the wide
windows discounted, one in twenty cancelled), a booked hold with a quote for each, three offers
shown per booking (one tied to it), two route plan versions per depot-day, and some failed
webhook deliveries and refunds. ANALYZE, then each figure as the console computes it (queries
plus its SVG) ``--runs`` times over the 30 days, retailer-wide and for one zone. Printed: p50
and p95 in ms, and each p50 against the p50 of ``SELECT count(*) FROM bookings`` measured in the
same run (a machine-speed yardstick). Target: p95 <= 200 ms for every figure. The conversion
figure is timed first before its hourly job has counted the closed days (from the log alone),
then after (kept counts for closed days, the log for the open ones), as it runs in production.
"""

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select, text  # noqa: E402

from slotbooking.dashboards.figures import FIGURES, Inputs, figure  # noqa: E402
from slotbooking.dashboards.funnel import count_closed_days  # noqa: E402
from slotbooking.dashboards.scope import Scope  # noqa: E402
from slotbooking.demo.cli import demo_document  # noqa: E402
from slotbooking.extensions import db  # noqa: E402
from slotbooking.retailers.models import Retailer, Zone  # noqa: E402
from tests.conftest import import_document, make_app  # noqa: E402
from tests.support.api import Clock  # noqa: E402
from tests.support.services import create_pg_database, drop_pg_database  # noqa: E402

DAYS = 30
WINDOWS = [(8 + 2 * i, 10 + 2 * i) for i in range(6)] + [(8, 12), (16, 20)]  # six 2 h, two 4 h
TARGET_MS = 200

FILL = [
    # Windows for 30 past days (local London times written as UTC: winter, no offset).
    """
    INSERT INTO slots (id, retailer_id, zone_id, depot_id, service_date, starts_at, ends_at, capacity, fee,
                       active, lock_seq)
    SELECT 'slt_b' || z.id || '_' || d.n || '_' || w.n, z.retailer_id, z.id, z.depot_id,
           (:first)::date + d.n, ((:first)::date + d.n) + make_interval(hours => w.s),
           ((:first)::date + d.n) + make_interval(hours => w.e), :capacity, 0, true, 0
    FROM zones z, generate_series(0, :days - 1) AS d(n),
         unnest(:starts, :ends) WITH ORDINALITY AS w(s, e, n)
    """,
    "CREATE TEMP TABLE bench_slots AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, * FROM slots "
    "WHERE id LIKE 'slt_b%'",
    """
    INSERT INTO holds (id, retailer_id, slot_id, depot_id, service_date, status, expires_at, price,
                       base_price, incentives, currency, quote_id, quote_digest, postcode, created_at)
    SELECT 'hld_b' || n, s.retailer_id, s.id, s.depot_id, s.service_date, 'booked',
           s.starts_at - interval '1 day', 400, 400, '[]', 'GBP', 'quote-' || n,
           left(encode(sha256(convert_to('quote-' || n, 'UTF8')), 'hex'), 32), 'N1 2AB',
           s.starts_at - interval '2 days'
    FROM generate_series(1, :bookings) AS n JOIN bench_slots s ON s.k = n % (SELECT count(*) FROM bench_slots)
    """,
    """
    INSERT INTO bookings (id, retailer_id, slot_id, zone_id, depot_id, service_date, hold_id, status,
                          price, base_price, incentives, currency, order_ref, manage_token_digest, postcode,
                          lat, lon, created_at, updated_at)
    SELECT 'bkg_b' || n, s.retailer_id, s.id, s.zone_id, s.depot_id, s.service_date, 'hld_b' || n,
           CASE WHEN n % 20 = 0 THEN 'cancelled' ELSE 'confirmed' END,
           CASE WHEN s.ends_at - s.starts_at > interval '2 hours' THEN 300
                WHEN n % 8 = 0 THEN 350 ELSE 400 END,
           400,
           CASE WHEN n % 8 = 0 THEN '[{"kind": "green", "amount": -50}]' ELSE '[]' END::json,
           'GBP', 'ORDER-' || n, md5('b' || n), 'N1 2AB', 51.53, -0.10,
           s.starts_at - interval '2 days', s.starts_at - interval '2 days'
    FROM generate_series(1, :bookings) AS n JOIN bench_slots s ON s.k = n % (SELECT count(*) FROM bench_slots)
    """,
    "INSERT INTO offer_grids (id, retailer_id, zone_id, sheet_id, mode, base_fee, windows, created_at) "
    "SELECT 'grid-' || z.id, z.retailer_id, z.id, 'sheet', 'flat', 400, '[]', now() FROM zones z",
    """
    INSERT INTO offers_shown (quote_digest, retailer_id, grid_id, shown_at, expires_at, cell)
    SELECT CASE WHEN m = 0 THEN left(encode(sha256(convert_to('quote-' || n, 'UTF8')), 'hex'), 32)
                ELSE md5('o' || n || '-' || m)::varchar(32) END,
           s.retailer_id, 'grid-' || s.zone_id, s.starts_at - interval '2 days' - interval '5 minutes',
           s.starts_at - interval '2 days' + interval '10 minutes', 'cell'
    FROM generate_series(1, :bookings) AS n
         JOIN bench_slots s ON s.k = n % (SELECT count(*) FROM bench_slots),
         generate_series(0, 2) AS m
    """,
    # The last two days' offers, at the month's rate (days still open for the conversion figure).
    """
    INSERT INTO offers_shown (quote_digest, retailer_id, grid_id, shown_at, expires_at, cell)
    SELECT md5('open' || n)::varchar(32), z.retailer_id, 'grid-' || z.id,
           now() - (n % 2880) * interval '1 minute',
           now() - (n % 2880) * interval '1 minute' + interval '15 minutes', 'cell'
    FROM generate_series(1, :bookings * 3 * 2 / :days) AS n
         JOIN zones z ON z.id = 1 + n % (SELECT count(*) FROM zones)
    """,
    """
    INSERT INTO route_plans (retailer_id, depot_id, service_date, version, trigger, planned_at, inputs_digest,
                             inputs_seq, bookings_count, stops, unassigned, km, co2_grams, feasible,
                             solve_seconds, body)
    SELECT dd.retailer_id, dd.depot_id, dd.service_date, v, 'bookings', now(), 'x', 0, 1, 1500, 0,
           900.0 + v, 90000 + v, true, 1.0, '{}'
    FROM (SELECT DISTINCT retailer_id, depot_id, service_date FROM bench_slots) dd, generate_series(1, 2) AS v
    """,
    """
    INSERT INTO event_deliveries (retailer_id, event_id, kind, payload, status, attempts, next_attempt_at,
                                  created_at)
    SELECT b.retailer_id, 'evt_b' || b.id, 'booking.created', '{}',
           CASE WHEN right(b.id, 2) = '00' THEN 'failed' ELSE 'delivered' END, 1, b.created_at, b.created_at
    FROM bookings b WHERE b.id LIKE 'bkg_b%'
    """,
    """
    INSERT INTO hold_payments (retailer_id, hold_id, amount, currency, status, state_seen_at, hold_extended,
                               created_at, updated_at)
    SELECT h.retailer_id, h.id, 400, 'GBP', 'succeeded', 0, false, h.created_at, h.created_at
    FROM holds h WHERE h.id LIKE 'hld_b%' AND right(h.id, 2) = '50'
    """,
    """
    INSERT INTO payment_refunds (retailer_id, payment_id, reason, amount, currency, idempotency_key, status,
                                 attempts, next_attempt_at, created_at, updated_at)
    SELECT p.retailer_id, p.id, 'booking_cancelled', 400, 'GBP', 'r' || p.id,
           CASE WHEN p.id % 3 = 0 THEN 'failed' ELSE 'succeeded' END, 1,
           p.created_at, p.created_at, p.created_at
    FROM hold_payments p
    """,
]


def grown_demo() -> dict:
    """The demo retailer with two more zones: 10 zones over 2 depots."""
    document = demo_document()
    document["zones"] += [
        {
            "code": "N4",
            "name": "Finsbury Park",
            "depot": "PRY",
            "postcode_prefixes": ["N4"],
            "lat": 51.57,
            "lon": -0.1,
        },
        {
            "code": "E3",
            "name": "Bow",
            "depot": "BKG",
            "postcode_prefixes": ["E3"],
            "lat": 51.53,
            "lon": -0.06,
        },
    ]
    return document


def timed(call, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def explain(name: str, inputs: Inputs) -> None:
    """Print the plan PostgreSQL ran for each statement of one figure."""
    statements = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        figure(name, inputs)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    for statement, parameters in statements:
        plan = db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        print(f"\n-- {name}\n" + "\n".join(row[0] for row in plan))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--explain", default="", help="figures whose SQL to EXPLAIN ANALYZE, comma-separated")
    args = parser.parse_args()

    name, url = create_pg_database()
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    try:
        app = make_app(url, clock)
        import_document(app, grown_demo(), clock)
        today = clock().date()
        first = today - timedelta(days=DAYS)
        with app.app_context():
            started = time.perf_counter()
            params = {
                "first": first,
                "days": DAYS,
                "starts": [s for s, _ in WINDOWS],
                "ends": [e for _, e in WINDOWS],
                "capacity": max(1, args.bookings // (DAYS * 10 * len(WINDOWS)) + 5),
                "bookings": args.bookings,
            }
            for statement in FILL:
                db.session.execute(text(statement), params)
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")  # what autovacuum keeps up in production
            counts = db.session.execute(
                text("SELECT (SELECT count(*) FROM bookings), (SELECT count(*) FROM offers_shown)")
            ).one()
            print(
                f"filled in {time.perf_counter() - started:.1f} s: "
                f"{counts[0]:,} bookings, {counts[1]:,} offers shown"
            )

            retailer = db.session.scalars(select(Retailer)).one()
            zone = db.session.scalars(select(Zone).where(Zone.code == "N1")).one()
            budget = 50_000

            def inputs(**filters):
                scope = Scope(retailer.id, retailer.timezone, first, today, **filters)
                return Inputs(db.session, scope, clock(), budget)

            baseline = timed(
                lambda: db.session.execute(text("SELECT count(*) FROM bookings")).scalar(), args.runs
            )
            base50 = statistics.median(baseline)
            print(
                f"\n{'query':<28}{'p50 ms':>9}{'p95 ms':>9}{'p50/baseline':>14}  target p95 <= {TARGET_MS} ms"
            )
            print(f"{'baseline count(*) bookings':<28}{base50:>9.1f}{p95(baseline):>9.1f}{1:>14.1f}")
            for label, filters in (("", {}), (" (zone N1)", {"zone_id": zone.id})):
                samples = timed(lambda f=filters: figure("conversion", inputs(**f)), max(3, args.runs // 4))
                p50 = statistics.median(samples)
                print(
                    f"{'conversion, none kept' + label:<28}{p50:>9.1f}{p95(samples):>9.1f}"
                    f"{p50 / base50:>14.1f}  (before the job has counted a day)"
                )
            started = time.perf_counter()
            days = count_closed_days(db.session, retailer, clock())
            print(f"conversion job: {days} closed days counted in {time.perf_counter() - started:.1f} s")
            missed = 0
            for label, filters in (("", {}), (" (zone N1)", {"zone_id": zone.id})):
                for figure_name in FIGURES:
                    samples = timed(lambda n=figure_name, f=filters: figure(n, inputs(**f)), args.runs)
                    high = p95(samples)
                    missed += high > TARGET_MS
                    mark = "PASS" if high <= TARGET_MS else "MISS"
                    print(
                        f"{figure_name + label:<28}{statistics.median(samples):>9.1f}{high:>9.1f}"
                        f"{statistics.median(samples) / base50:>14.1f}  {mark}"
                    )
            for figure_name in filter(None, args.explain.split(",")):
                explain(figure_name, inputs())
            db.session.remove()
            db.engine.dispose()
        return 1 if missed else 0
    finally:
        if not args.keep_db:
            drop_pg_database(name)
        else:
            print(f"kept database {name}")


if __name__ == "__main__":
    sys.exit(main())
