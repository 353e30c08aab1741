"""Start a real gunicorn server on a free local port for tests and benchmarks, and always stop it.

    with GunicornServer("wsgi:app", env={"DATABASE_URL": url}) as server:
        requests.get(server.url("/healthz"))

The server binds 127.0.0.1:0 so the kernel picks a free port (no probe-then-bind race); the
port is read from gunicorn's "Listening at" log line. The app is loaded with --preload, so
every worker is ready as soon as it has forked and a broken app fails before any fork. The
control socket is off, so several servers can run side by side. Gunicorn runs in its own
session: ``stop`` signals that process group only, by its id.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
_BOOTED = re.compile(r"Booting worker with pid")


class GunicornError(RuntimeError):
    """The server did not come up; the message ends with the tail of its log."""


class GunicornServer:
    """One gunicorn master and its workers, serving ``app`` on 127.0.0.1."""

    def __init__(
        self,
        app: str = "wsgi:app",
        env: dict | None = None,
        workers: int = 4,
        extra_args: tuple[str, ...] = (),
        cwd: Path = ROOT,
        ready_path: str = "/healthz",
        startup_timeout: float = 30.0,
    ):
        self.app, self.workers, self.extra_args, self.cwd = app, workers, tuple(extra_args), cwd
        self.env = {**os.environ, **(env or {})}
        self.ready_path, self.startup_timeout = ready_path, startup_timeout
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.log_path = Path(self._log.name)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "GunicornServer":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--bind",
            "127.0.0.1:0",
            "--preload",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--no-control-socket",  # gunicorn 27 otherwise shares one socket path between servers
            *self.extra_args,
            self.app,
        ]
        self.process = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GunicornError(f"gunicorn exited with {self.process.returncode}\n{self.log_tail()}")
            log = self.log_text()
            if self.port is None:
                match = _LISTENING.search(log)
                self.port = int(match.group(1)) if match else None
            if self.port is not None and len(_BOOTED.findall(log)) >= self.workers and self._answers():
                return
            time.sleep(0.1)
        raise GunicornError(f"gunicorn not ready after {self.startup_timeout:.0f} s\n{self.log_tail()}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url(self.ready_path), timeout=2) as response:
                return response.status < 500
        except urllib.error.HTTPError as error:
            return error.code < 500
        except OSError:
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """Stop gunicorn gracefully (SIGTERM), then kill its process group if it lingers."""
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if not self._log.closed:
            self._log.close()

    def cleanup(self) -> None:
        """Stop, then delete the log file."""
        self.stop()
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> "GunicornServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # -- helpers -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def worker_pids(self) -> list[int]:
        """The pids of the workers, from the master's log."""
        return [int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.log_text())]

    def log_text(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])
