"""Schemathesis against the served OpenAPI document: every phase, every check, stateful links included.

The app runs in this process (so it reads the test clock) on PostgreSQL and Redis with the
demo retailer, served over real HTTP on a free local port and called with its secret key.
Schemathesis's own engine runs in a child process (``tests/support/schemathesis_run.py``, which
says why and holds the checks and bounds), as its command line would: examples, coverage, fuzzing
and stateful phases (the document's links, slots -> hold -> booking -> show, reschedule, cancel,
hold -> release and payment, plus those schemathesis infers), with all its checks. Bounded for a
2-core machine: a fixed number of examples per operation, derandomized with a fixed seed so CI
tries the same requests every run, no example database. Select with ``-m schemathesis``.
"""

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from slotbooking.demo.cli import demo_document
from tests.conftest import import_document
from tests.support.redis_server import service_environment

pytestmark = [pytest.mark.schemathesis, pytest.mark.services]

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_SECONDS = 900  # a bound on a hang, not a speed check: the run takes 1-2 minutes


@pytest.fixture
def served(pg_app):
    """The PostgreSQL + Redis app on a real local HTTP server, stopped afterwards."""
    server = make_server("127.0.0.1", 0, pg_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_the_served_document_and_the_api_agree(pg_app, clock, served):
    keys = import_document(pg_app, demo_document(), clock)
    run = subprocess.run(
        [sys.executable, "-m", "tests.support.schemathesis_run", served, keys["secret_key"]],
        cwd=ROOT,
        env=service_environment(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    failures = json.loads(run.stdout.strip().splitlines()[-1])
    assert not failures, "\n\n".join(failures)
