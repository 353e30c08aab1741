"""Profile one gunicorn worker of the API under wrk load with py-spy: where a request's CPU goes.

    .venv/bin/python bench/profile_api.py --scenario warm [--pricing dynamic] [--seconds 15]

bench_api.py says how much CPU a request costs; this says on what. It sets up a scratch database
as bench_api.py does (migrate, import the demo retailer), serves the app with ONE gunicorn worker
(so py-spy follows one process), drives it with wrk for the scenario, samples the worker with
``py-spy record`` and prints the functions with the largest share of samples, inclusive
(``--top``), and the raw collapsed stacks' path (``--keep``) for a flame graph. Scenarios:

- ``warm``: GET /slots, 7 days, the cache warm;
- ``miss``: the same while the depot days' lock_seq is bumped every millisecond (every request
  builds its grid);
- ``book``: one-step bookings (POST /bookings with slot_id) over every bookable window.

Needs py-spy (``pip install py-spy``) and permission to read another process's memory (root,
or ptrace allowed). Only 127.0.0.1 is contacted; the database is dropped at the end.
"""

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from booking_phase import booking_targets  # noqa: E402
from plumbing import BENCH, DEMO, Scratch, fernet_key, flask_cli, http_json, serve, slots_path  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", choices=("warm", "miss", "book"), default="warm")
    parser.add_argument("--pricing", choices=("flat", "dynamic"), default="flat")
    parser.add_argument("--seconds", type=int, default=15, help="seconds sampled under load [15]")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections [4]")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second [250]")
    parser.add_argument("--top", type=int, default=45, help="functions listed [45]")
    parser.add_argument("--source", type=Path, default=ROOT, help="serve the app from this checkout")
    parser.add_argument("--pg-admin-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--keep", type=Path, help="also keep py-spy's collapsed stacks in this file")
    return parser.parse_args(argv)


def summarise(raw: Path, top: int) -> str:
    """Inclusive and self shares of each function in py-spy's collapsed stacks."""
    inclusive, own, total = collections.Counter(), collections.Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                  for f in stack.split(";")]  # fmt: skip
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total} samples holding the GIL; inclusive % / self %"]
    for frame, n in inclusive.most_common(top):
        lines.append(f"{100 * n / total:6.1f} {100 * own[frame] / total:6.1f}  {frame}")
    lines.append("self % / inclusive %")
    for frame, n in own.most_common(top // 2):
        lines.append(f"{100 * n / total:6.1f} {100 * inclusive[frame] / total:6.1f}  {frame}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    for tool in ("wrk", "py-spy"):
        if shutil.which(tool) is None and not (Path(sys.executable).parent / tool).exists():
            print(f"{tool} is not installed", file=sys.stderr)
            return 2
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    db = Scratch(args.pg_admin_url)
    workdir = Path(tempfile.mkdtemp(prefix="profile-api-"))
    db.create()
    stop = threading.Event()
    try:
        env = {
            "DATABASE_URL": db.url,
            "REDIS_URL": args.redis_url,
            "SLOTBOOKING_RATELIMIT_ENABLED": "0",
            "SLOTBOOKING_SECRET_KEY": f"bench-{uuid.uuid4().hex}",
            "SLOTBOOKING_ENCRYPTION_KEYS": fernet_key(),
        }
        if args.scenario == "miss":  # the version watch would serve a poll's bumps as hits
            env["SLOTBOOKING_CAPACITY_VERSION_POLL_SECONDS"] = "0"
        flask_cli(args.source, env, "db", "upgrade")
        document = json.loads(DEMO.read_text())
        document["pricing"]["mode"] = args.pricing
        setup = workdir / "setup.json"
        setup.write_text(json.dumps(document))
        keys = json.loads(flask_cli(args.source, env, "retailer", "import", str(setup), "--json"))
        key = keys["secret_key"]
        with serve("wsgi:app", env, 1, args.source) as server:
            headers = ["-H", f"Authorization: Bearer {key}"]
            url = server.url(slots_path("N1 1AA", days=7))
            script, extra = BENCH / "stats.lua", []
            status, body = http_json(url, key)
            assert status == 200, body
            if args.scenario == "miss":

                def bump() -> None:
                    with db.psycopg.connect(db.url, autocommit=True) as conn:
                        while not stop.is_set():
                            conn.execute("UPDATE depot_days SET lock_seq = lock_seq + 1")
                            stop.wait(0.001)

                threading.Thread(target=bump, daemon=True).start()
            elif args.scenario == "book":
                targets = booking_targets(server, key, db, 10, workdir)
                script, url = BENCH / "book.lua", server.base_url
                extra = ["--", str(targets["path"]), "profile"]
            wrk = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds + 4}s", "-s", str(script)]
            load = subprocess.Popen([*wrk, *headers, url, *extra], stdout=subprocess.PIPE, text=True)
            raw = workdir / "stacks.txt"
            worker = server.worker_pids()[-1]
            subprocess.run(
                [pyspy, "record", "-p", str(worker), "-d", str(args.seconds), "-r", str(args.rate),
                 "--function", "--gil", "--format", "raw", "-o", str(raw), "--nonblocking"],
                check=True, capture_output=True, timeout=args.seconds + 60,
            )  # fmt: skip
            load.wait(timeout=60)
            print(summarise(raw, args.top))
            if args.keep:
                shutil.copy(raw, args.keep)
    finally:
        stop.set()
        shutil.rmtree(workdir, ignore_errors=True)
        db.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
