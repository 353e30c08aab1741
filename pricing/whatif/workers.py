"""Worker processes for a what-if: the draft side priced beside the live one, depot-days in parallel.

Pricing a rule set and planning a depot-day are pure CPU work that shares nothing while it runs,
so on a machine with a free core a second process nearly halves them. Each worker gets the whole
input once (the pool's initializer) and is handed only small tasks. Workers are spawned, not
forked: the caller may be a threaded web or queue worker holding connections. The results are the
very ones of the calling process (same seeds, same order of work within each task).
"""

from __future__ import annotations

import multiprocessing

from pricing.whatif.choices import draw_noise
from pricing.whatif.model import WhatIfInput
from pricing.whatif.priced import price_offers
from pricing.whatif.routes import DayTotals, plan_day

_INPUT: WhatIfInput | None = None


def pool(inp: WhatIfInput, processes: int):
    """Return a spawned pool of ``processes`` workers each holding ``inp`` (terminate it when done)."""
    return multiprocessing.get_context("spawn").Pool(processes, initializer=_hold, initargs=(inp,))


def _hold(inp: WhatIfInput) -> None:
    global _INPUT
    _INPUT = inp


def price_side(side: str):
    """Price one rule set along the reference draw (draw 0), as ``run`` does in its own process."""
    noise = draw_noise(_INPUT.seed, 0, _INPUT.offers)
    return price_offers(_INPUT, getattr(_INPUT, side), noise, lambda: None)


def plan_task(task: tuple) -> tuple[tuple, DayTotals]:
    """Plan one depot-day of one draw: task is (depot, day, stops, draw, seconds or None)."""
    depot, day, stops, draw, seconds = task
    return (depot, day, draw, stops), plan_day(_INPUT, depot, stops, draw, seconds)
