"""Gunicorn settings for metrics across workers: ``gunicorn -c python:slotbooking.ops.gunicorn_hooks``.

With ``PROMETHEUS_MULTIPROC_DIR`` set, each worker writes its metrics to files there; the
directory is emptied when the server starts and a dead worker's live gauges are dropped.
"""

import os
from pathlib import Path


def on_starting(server) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
