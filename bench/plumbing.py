"""The plumbing of one bench_api.py run: the scratch database, flask commands, servers, HTTP calls.

Only 127.0.0.1 is contacted (bench_api.py refuses other hosts before anything here runs).
"""

import base64
import contextlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEMO = ROOT / "slotbooking" / "demo" / "demo_setup.json"
OCCUPYING = ("confirmed", "rescheduled")
sys.path.insert(0, str(ROOT))

from tests.support.gunicorn import GunicornServer  # noqa: E402


def fernet_key() -> str:
    """A fresh key in Fernet's format (32 random bytes, url-safe base64), made without importing
    cryptography, so the bench also runs in the venv of a checkout that predates it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def app_env(database_url: str, redis_url: str) -> dict:
    """The environment a benchmarked app runs with: its scratch database, its Redis, rate limits
    off (the load comes from one address), fresh secrets."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SLOTBOOKING_RATELIMIT_ENABLED": "0",
        "SLOTBOOKING_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "SLOTBOOKING_ENCRYPTION_KEYS": fernet_key(),
    }


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


# The windows a booking run books: every zone's, from the day after tomorrow on (far from any
# cut-off), over BOOKING_DAYS, shuffled with a fixed seed so neighbouring requests hit other rows.
BOOKING_DAYS = 15
BOOKING_SHUFFLE_SEED = 20261121


def booking_queries(document: dict) -> list[tuple[str, dict]]:
    """(postcode, GET /slots query) for each zone of the setup document, for a booking run."""
    tz = ZoneInfo(document["retailer"]["timezone"])
    first = datetime.now(UTC).astimezone(tz).date() + timedelta(days=2)
    postcodes = [f"{zone['postcode_prefixes'][0]} 1AA" for zone in document["zones"]]
    return [(p, {"postcode": p, "from": first.isoformat(), "days": BOOKING_DAYS}) for p in postcodes]
