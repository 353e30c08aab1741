"""The booking phase of bench_api.py: one-step hold-and-book over every bookable window, then
the database checked for overbookings and for as many bookings stored as 201 answers."""

import json
import random
from pathlib import Path

from loadgen import measure, say
from plumbing import (
    BENCH,
    BOOKING_SHUFFLE_SEED,
    DEMO,
    OCCUPYING,
    GunicornServer,
    Scratch,
    booking_queries,
    http_json,
    serve,
    slots_path,
)


def booking_targets(server: GunicornServer, key: str, db: Scratch, scale: int, workdir: Path) -> dict:
    """Write the windows to book into a file: all bookable ones from the day after tomorrow on,
    shuffled so neighbours hit other rows, and every 10th request at a few hot windows that keep
    their demo capacity (they fill up during the run, so the refusal path is under load too)."""
    windows = []
    for postcode, query in booking_queries(json.loads(DEMO.read_text())):
        status, body = http_json(
            server.url(slots_path(postcode, **{k: v for k, v in query.items() if k != "postcode"})), key
        )
        if status != 200:
            raise RuntimeError(f"GET /slots for {postcode} answered {status}: {body}")
        windows += [(s["id"], postcode, s["date"]) for s in body["slots"] if s["available"]]
    if not windows:
        raise RuntimeError("no bookable windows")
    rng = random.Random(BOOKING_SHUFFLE_SEED)
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
