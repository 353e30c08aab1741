"""A warm GET /slots of one checkout, in-process: CPU per hit, or instructions per hit under valgrind.

    .venv/bin/python bench/warm_inprocess.py /tmp/old44 /tmp/new [--requests 1000]
    .venv/bin/python bench/warm_inprocess.py /tmp/old44 /tmp/new --instructions [--requests 200]
    .venv/bin/python bench/warm_inprocess.py /tmp/old44 /tmp/new --profile [--no-redis]

bench_api.py's figures swing by a third on this shared 2-core machine; this takes the servers
and the load generator out, so what is left is the app's own work on a hit (plus the test
client's, the same for every checkout). For each checkout in turn: a scratch database, migrated
and loaded with the demo retailer by that checkout's own ``flask`` commands, then its app built
in a fresh Python process and the cache warmed.

- By default, five rounds of ``--requests`` timed with ``time.process_time()`` (every thread of
  the process, the version watch's too, kernel time included); the best round is printed.
- With ``--profile``, cProfile's table of the hits (most own time first), to compare where two
  checkouts' hits go; ``--no-redis`` serves with no Redis (every hit builds its grid, as
  bench_api.py's "Redis off").
- With ``--instructions``, the process runs under ``valgrind --tool=callgrind`` twice, once
  with no measured requests and once with ``--requests``: the difference of the two instruction
  counts over the requests is what one warm hit executes in user space. It does not move with the
  machine's load (the same count twice, whatever else runs), so it shows a change of a few per
  cent; it leaves out the kernel's work (system calls, waking up) and that of PostgreSQL and Redis,
  which the CPU figures and bench_api.py include. Each run takes a few minutes.

Needs PostgreSQL and Redis as bench_api.py does (Redis db 6 here), and valgrind for --instructions.
"""

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from inprocess import checkout_app, cpu_rounds, instructions_of, run_child  # noqa: E402
from plumbing import DEMO, Scratch, app_env, flask_cli  # noqa: E402

URL = "/api/v1/slots?postcode=N1+1AA&days=7"
WARM_UP = 300


def warm_client(source: Path, key: str):
    """Inside the child: the checkout's app, its cache warmed; returns a function making one hit."""
    app = checkout_app(source)
    client, headers = app.test_client(), {"Authorization": f"Bearer {key}"}
    for _ in range(WARM_UP):
        assert client.get(URL, headers=headers).status_code == 200
    return lambda: client.get(URL, headers=headers)


def profile_of(action, count: int, top: int = 40) -> str:
    """cProfile's table of ``count`` calls of ``action``: the functions with the most own time."""
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [action() for _ in range(count)])
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return f"{stats.total_calls / count:.0f} function calls per hit\n" + out.getvalue()


def child(source: Path, key: str, requests: int, mode: str) -> None:
    hit = warm_client(source, key)
    if mode == "cpu":
        print(f"{min(cpu_rounds(hit, requests)):.0f}")  # the best of the rounds
        return
    if mode == "profile":
        print(profile_of(hit, requests))
        return
    for _ in range(requests):  # counted by valgrind from outside
        hit()


def measure(source: Path, args) -> str:
    db = Scratch("postgresql://postgres@127.0.0.1:5432/test")
    db.create()
    try:
        env = app_env(db.url, "" if args.no_redis else args.redis_url)
        flask_cli(source, env, "db", "upgrade")
        key = json.loads(flask_cli(source, env, "retailer", "import", str(DEMO), "--json"))["secret_key"]
        if args.instructions:
            none, some = (instructions_of(__file__, source, env, key, n, 1800) for n in (0, args.requests))
            each = (some - none) / args.requests / 1e6
            return f"{each:.3f} M instructions per warm GET /slots ({args.requests} hits)"
        if args.profile:
            return "\n" + run_child(__file__, source, env, key, args.requests, "profile", 600).stdout
        done = run_child(__file__, source, env, key, args.requests, "cpu", 600)
        return f"{done.stdout.strip()} us of CPU per warm GET /slots (best of 5 x {args.requests})"
    finally:
        db.drop()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--requests", type=int, help="hits measured [1000; 200 with --instructions]")
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind")
    parser.add_argument("--profile", action="store_true", help="print cProfile's table of the hits instead")
    parser.add_argument("--no-redis", action="store_true", help="Redis off: every hit builds its grid")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        key, requests, mode = args.child
        child(args.sources[0].resolve(), key, int(requests), mode)
        return 0
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    args.requests = args.requests or (200 if args.instructions else 1000)
    for source in args.sources:
        print(f"{source}: {measure(source.resolve(), args)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
