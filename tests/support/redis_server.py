"""A private redis-server for tests that stop and restart Redis without disturbing anyone else."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

from tests.support.services import unavailable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_environment() -> dict:
    """Return this process's environment without libfaketime.

    The suite may run with the machine's date moved (``faketime -f '+400d' ...``) to prove the app
    reads only its own clock; redis-server is a service, like PostgreSQL, and hangs when
    libfaketime is preloaded into it (its allocator calls clock_gettime before libfaketime is up).
    """
    return {
        name: value
        for name, value in os.environ.items()
        if name != "LD_PRELOAD" and not name.startswith("FAKETIME")
    }


class PrivateRedis:
    """A redis-server of this test's own; extra_args are more of its options (e.g. maxmemory).

    Its snapshot file (SAVE) is `rdb_path`, in a directory of its own, and it loads that file
    when it starts: copy an old one there to restart it from an old snapshot.
    """

    def __init__(self, *extra_args: str):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.extra_args = list(extra_args)
        self.dir = Path(tempfile.mkdtemp(prefix="private-redis-"))
        self.rdb_path = self.dir / "dump.rdb"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server", FileNotFoundError("redis-server not on PATH"))
        self.process = subprocess.Popen(
            [
                binary,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
                *("--dir", str(self.dir), "--dbfilename", self.rdb_path.name),
                *self.extra_args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=service_environment(),
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        self.stop()
        pytest.fail("private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def flush(self) -> None:
        redis.Redis.from_url(self.url).flushall()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True)

    def remove(self) -> None:
        """Stop the server and delete its directory."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
