"""Worker processes for a what-if: the draft side priced beside the live one, depot-days in parallel.

Pricing a rule set and planning a depot-day are pure CPU work that shares nothing while it runs,
so on a machine with a free core a second process nearly halves them. Each worker reads the whole
input once (the pool's initializer, from a file written once) and is handed only small tasks.
Through a file, not as the initializer's argument: a spawned worker reads its arguments only after
importing the caller's main module, and the caller would wait for each in turn while the pipe is
full (seconds, for a job's worker). Workers are spawned, not forked: the caller may be a threaded
web or queue worker holding connections. The results are the very ones of the calling process
(same seeds, same order of work within each task).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from contextlib import contextmanager

from pricing.whatif.choices import draw_noise
from pricing.whatif.model import WhatIfInput
from pricing.whatif.priced import price_offers
from pricing.whatif.routes import DayTotals, plan_day

_INPUT: WhatIfInput | None = None


def may_start_processes() -> bool:
    """Tell whether this process may start worker processes: a daemonic one may not.

    A prefork pool's worker (Celery's, billiard's) is daemonic, and multiprocessing refuses it
    children ("daemonic processes are not allowed to have children"); there the run stays in
    the one process. Run the job worker with ``--pool threads`` or ``solo`` to use the workers.
    """
    return not multiprocessing.current_process().daemon


@contextmanager
def pool(inp: WhatIfInput, processes: int):
    """Yield a spawned pool of ``processes`` workers each holding ``inp``; stop them on leaving."""
    handle, path = tempfile.mkstemp(prefix="whatif-", suffix=".pickle")
    try:
        with os.fdopen(handle, "wb") as file:
            pickle.dump(inp, file, protocol=pickle.HIGHEST_PROTOCOL)
        workers = multiprocessing.get_context("spawn").Pool(processes, initializer=_hold, initargs=(path,))
        try:
            yield workers
        finally:  # also when progress raised: the workers stop at once
            workers.terminate()
            workers.join()
    finally:
        os.unlink(path)


def _hold(path: str) -> None:
    global _INPUT
    with open(path, "rb") as file:
        _INPUT = pickle.load(file)


def price_side(side: str):
    """Price one rule set along the reference draw (draw 0), as ``run`` does in its own process."""
    noise = draw_noise(_INPUT.seed, 0, _INPUT.offers)
    return price_offers(_INPUT, getattr(_INPUT, side), noise, lambda: None)


def plan_task(task: tuple) -> tuple[tuple, DayTotals]:
    """Plan one depot-day of one draw: task is (depot, day, stops, draw, seconds or None)."""
    depot, day, stops, draw, seconds = task
    return (depot, day, draw, stops), plan_day(_INPUT, depot, stops, draw, seconds)
