"""One-step bookings of a checkout, in-process: CPU and statements per booking, or instructions.

    .venv/bin/python bench/book_inprocess.py /tmp/book2-base . [--bookings 200] [--pricing dynamic]
    .venv/bin/python bench/book_inprocess.py /tmp/book2-base . --instructions [--bookings 100]

bench_api.py's booking figures swing by a third or more on this shared 2-core machine; this takes
gunicorn and wrk out, so what is left is the app's own work on a ``POST /api/v1/bookings`` with
``slot_id`` + ``address`` + ``order_ref`` (plus the test client's, the same for every checkout).
For each checkout in turn: a scratch database, migrated and loaded with the demo retailer by that
checkout's own ``flask`` commands, every capacity multiplied so no window fills during the run;
then, in a fresh Python process, the checkout's app, the bookable windows from the day after
tomorrow on (GET /slots of every zone, shuffled with a fixed seed, as booking_phase.py does) and
``WARM_UP`` bookings before anything is measured. Every booking must answer 201.

- Statements: the SQL statements the app sends per booking, counted with SQLAlchemy's
  ``before_cursor_execute`` over ``COUNTED`` bookings (not timed).
- By default, five rounds of ``--bookings`` timed with ``time.process_time()`` (every thread of
  the process, kernel time included); the best round and the median are printed. PostgreSQL's
  and Redis's own CPU are not in it (another process each).
- With ``--instructions``, the process runs under ``valgrind --tool=callgrind`` twice, once with
  no measured bookings and once with ``--bookings``: the difference of the two counts over the
  bookings is what one booking executes in user space (steady whatever else the machine runs).

Needs PostgreSQL and Redis as bench_api.py does (Redis db 2 here), and valgrind for --instructions.
Measure two checkouts alternating (A B A B) when comparing: the machine's speed drifts.
"""

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from inprocess import checkout_app, cpu_rounds, instructions_of, run_child  # noqa: E402
from plumbing import BOOKING_SHUFFLE_SEED, DEMO, Scratch, app_env, booking_queries, flask_cli  # noqa: E402

WARM_UP = 50
COUNTED = 50
CAPACITY_SCALE = 1000


def bookable_windows(client, headers) -> list[tuple[str, str]]:
    """Every bookable window of a booking run (plumbing.booking_queries), as (slot id, postcode), shuffled."""
    windows = []
    for postcode, query in booking_queries(json.loads(DEMO.read_text())):
        answer = client.get("/api/v1/slots", query_string=query, headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        windows += [(s["id"], postcode) for s in answer.get_json()["slots"] if s["available"]]
    assert windows, "no bookable windows"
    random.Random(BOOKING_SHUFFLE_SEED).shuffle(windows)
    return windows


def booking_client(source: Path, key: str):
    """Inside the child: the checkout's app warmed by WARM_UP bookings; returns (book, engine)."""
    app = checkout_app(source)
    client, headers = app.test_client(), {"Authorization": f"Bearer {key}"}
    windows = bookable_windows(client, headers)
    made = 0

    def book() -> None:
        nonlocal made
        slot_id, postcode = windows[made % len(windows)]
        made += 1
        body = {"slot_id": slot_id, "address": {"postcode": postcode}, "order_ref": f"INPROC-{made}"}
        answer = client.post("/api/v1/bookings", json=body, headers=headers)
        assert answer.status_code == 201, answer.get_data(as_text=True)

    for _ in range(WARM_UP):
        book()
    with app.app_context():
        from slotbooking.extensions import db

        engine = db.engine
    return book, engine


def statements_per_booking(book, engine) -> float:
    """SQL statements the app sends per booking, over COUNTED bookings."""
    from sqlalchemy import event

    sent = []

    def count(*_args):
        sent.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(COUNTED):
            book()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(sent) / COUNTED


def child(source: Path, key: str, bookings: int, mode: str) -> None:
    book, engine = booking_client(source, key)
    if mode == "cpu":
        statements = statements_per_booking(book, engine)
        rounds = cpu_rounds(book, bookings)
        print(json.dumps({"statements": statements, "rounds": rounds}))
        return
    for _ in range(bookings):  # counted by valgrind from outside
        book()


def setup_document(pricing: str) -> Path:
    """The demo retailer's setup, in the pricing mode asked for."""
    if pricing == "flat":
        return DEMO
    document = json.loads(DEMO.read_text())
    document["pricing"]["mode"] = pricing
    path = Path(tempfile.mkdtemp(prefix="book-inprocess-")) / "setup.json"
    path.write_text(json.dumps(document))
    return path


def measure(source: Path, args) -> str:
    db = Scratch(args.pg_admin_url)
    db.create()
    try:
        env = app_env(db.url, args.redis_url)
        flask_cli(source, env, "db", "upgrade")
        imported = flask_cli(source, env, "retailer", "import", str(setup_document(args.pricing)), "--json")
        key = json.loads(imported)["secret_key"]
        db.execute("UPDATE slots SET capacity = capacity * %s", (CAPACITY_SCALE,))
        db.execute("UPDATE depot_days SET capacity = capacity * %s", (CAPACITY_SCALE,))
        if args.instructions:
            none, some = (instructions_of(__file__, source, env, key, n, 3600) for n in (0, args.bookings))
            each = (some - none) / args.bookings / 1e6
            return f"{each:.3f} M instructions per one-step booking ({args.bookings} bookings)"
        done = run_child(__file__, source, env, key, args.bookings, "cpu", 1800)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rounds = result["rounds"]
        return (
            f"{min(rounds):.0f} us of CPU per one-step booking (best of 5 x {args.bookings}; "
            f"median {statistics.median(rounds):.0f}), {result['statements']:g} statements per booking"
        )
    finally:
        db.drop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument(
        "--bookings", type=int, help="bookings measured per round [200; 100 with --instructions]"
    )
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind")
    parser.add_argument("--pricing", choices=("flat", "dynamic"), default="flat")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        key, bookings, mode = args.child
        child(args.sources[0].resolve(), key, int(bookings), mode)
        return 0
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    args.bookings = args.bookings or (100 if args.instructions else 200)
    for source in args.sources:
        print(f"{source}: {measure(source.resolve(), args)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
