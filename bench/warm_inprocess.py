"""CPU per warm GET /slots of one checkout, in-process: the Flask test client, no gunicorn, no wrk.

    .venv/bin/python bench/warm_inprocess.py /tmp/old44 /tmp/new [--requests 1000]

bench_api.py's figures swing by a third on this shared 2-core machine; this takes the servers
and the load generator out, so what is left is the app's own work on a hit (plus the test
client's, the same for every checkout). For each checkout in turn: a scratch database, migrated
and loaded with the demo retailer by that checkout's own ``flask`` commands, then its app built
in a fresh Python process, 300 requests to warm the cache and five rounds of ``--requests``
timed with ``time.process_time()`` (every thread of the process, the version watch's too); the
best round is printed. Needs PostgreSQL and Redis as bench_api.py does (Redis db 6 here).
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from plumbing import DEMO, Scratch, flask_cli  # noqa: E402

URL = "/api/v1/slots?postcode=N1+1AA&days=7"


def measure_here(source: Path, key: str, requests: int) -> float:
    """Inside the child: build the checkout's app and time warm requests (µs of CPU each)."""
    sys.path.insert(0, str(source))
    os.chdir(source)
    import slotbooking

    assert Path(slotbooking.__file__).is_relative_to(source), slotbooking.__file__
    from wsgi import app

    client, headers = app.test_client(), {"Authorization": f"Bearer {key}"}
    for _ in range(300):
        assert client.get(URL, headers=headers).status_code == 200
    best = None
    for _ in range(5):
        started = time.process_time()
        for _ in range(requests):
            client.get(URL, headers=headers)
        used = (time.process_time() - started) / requests * 1e6
        best = used if best is None else min(best, used)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(f"{measure_here(args.sources[0].resolve(), args.child[0], int(args.child[1])):.0f}")
        return 0
    for source in args.sources:
        db = Scratch("postgresql://postgres@127.0.0.1:5432/test")
        db.create()
        try:
            env = {
                "DATABASE_URL": db.url,
                "REDIS_URL": args.redis_url,
                "SLOTBOOKING_RATELIMIT_ENABLED": "0",
                "SLOTBOOKING_SECRET_KEY": "bench-" + os.urandom(16).hex(),
                "SLOTBOOKING_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            }
            flask_cli(source, env, "db", "upgrade")
            key = json.loads(flask_cli(source, env, "retailer", "import", str(DEMO), "--json"))["secret_key"]
            child = [sys.executable, __file__, str(source), "--child", key, str(args.requests)]
            done = subprocess.run(
                child, env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=True
            )
            each = done.stdout.strip()
            print(f"{source}: {each} us of CPU per warm GET /slots (best of 5 x {args.requests})")
        finally:
            db.drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
