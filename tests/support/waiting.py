"""Waiting in tests for what another thread or process does: a condition polled until a deadline."""

import time
from collections.abc import Callable


def waiter(default_seconds: float, step: float = 0.05) -> Callable[..., bool]:
    """Return ``wait(condition, seconds=default_seconds)``: poll every ``step`` s; True once it holds."""

    def wait(condition: Callable[[], object], seconds: float = default_seconds) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(step)
        return False

    return wait


def solo_worker(app, shutdown_timeout: float = 30):
    """A real Celery worker of the app's broker, in this process (celery.contrib.testing)."""
    from celery.contrib.testing.worker import start_worker

    return start_worker(
        app.extensions["celery"],
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=shutdown_timeout,
        loglevel="WARNING",
    )
