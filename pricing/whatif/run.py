"""run_whatif: price the replayed offers under both rule sets, draw shoppers, route, summarise."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pricing.whatif import workers
from pricing.whatif.choices import draw_noise, replay_choices
from pricing.whatif.model import WhatIfInput
from pricing.whatif.priced import price_offers
from pricing.whatif.routes import DayPlanner, depot_days
from pricing.whatif.summary import draw_figures, summarise

# Shares of the progress bar: pricing both rule sets, the choices, the routing.
PRICING_SHARE, CHOICE_SHARE = 0.45, 0.05
SIDES = ("live", "draft")


@dataclass(frozen=True)
class WhatIfResult:
    offers: int
    draws: int
    seed: int
    service_days: int
    budgets: dict[str, int | None]  # each side's daily discount budget
    per_draw: dict[str, list[dict]]  # side -> one dict of figures per draw
    summary: dict[str, dict]  # figure -> {"live", "draft", "change"}: Interval or None
    seconds: dict[str, float] = field(default_factory=dict, compare=False)  # pricing, choices, routing

    def as_dict(self) -> dict:
        return {
            "offers": self.offers,
            "draws": self.draws,
            "seed": self.seed,
            "service_days": self.service_days,
            "budgets": self.budgets,
            "summary": {
                name: {side: (i.as_dict() if i else None) for side, i in sides.items()}
                for name, sides in self.summary.items()
            },
            "per_draw": self.per_draw,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


class _Progress:
    """Counts steps within a stage and reports the whole run's fraction done."""

    def __init__(self, report: Callable[[float, str], None]):
        self.report, self.start, self.share, self.total, self.done = report, 0.0, 0.0, 1, 0
        self.stage, self.last = "", -1.0

    def begin(self, stage: str, start: float, share: float, total: int) -> None:
        self.stage, self.start, self.share, self.total, self.done = stage, start, share, max(1, total), 0
        self.report(start, stage)

    def step(self) -> None:
        self.done += 1
        fraction = self.start + self.share * self.done / self.total
        if fraction - self.last >= 0.01 or self.done == self.total:  # about a hundred reports a run
            self.last = fraction
            self.report(fraction, self.stage)


def run_whatif(
    inp: WhatIfInput, progress: Callable[[float, str], None] = lambda f, s: None, processes: int = 1
) -> WhatIfResult:
    """Run the what-if; ``progress(fraction, stage)`` is called as it goes (it may raise to stop it).

    ``processes`` above 1 prices the draft side in a worker beside the live side and plans the
    depot-days over that many workers (``workers.py``); the result is the same as in one process
    when routing is bounded by iterations only. A daemonic process (a pool worker of Celery's
    prefork pool, the production worker's default) may start none: there it runs in one process.

    :raises ValueError: no draws asked for, or an offer naming a slot, zone or depot not given.
    """
    if inp.draws < 1:
        raise ValueError("a what-if needs at least one draw")
    _check(inp)
    if processes <= 1 or not workers.may_start_processes():
        return _run(inp, _Progress(progress), None)
    with workers.pool(inp, processes) as pool:
        return _run(inp, _Progress(progress), pool)


def _run(inp: WhatIfInput, bar: _Progress, pool) -> WhatIfResult:
    seconds = {}
    started = time.perf_counter()
    noise = [draw_noise(inp.seed, draw, inp.offers) for draw in range(inp.draws)]
    bar.begin("pricing", 0.0, PRICING_SHARE, 2 * len(inp.offers))
    if pool is None:
        priced = {side: price_offers(inp, getattr(inp, side), noise[0], bar.step) for side in SIDES}
    else:
        draft = pool.apply_async(workers.price_side, ("draft",))
        live = price_offers(inp, inp.live, noise[0], lambda: (bar.step(), bar.step()))
        priced = {"live": live, "draft": draft.get()}
    seconds["pricing"] = time.perf_counter() - started

    started = time.perf_counter()
    capacity = {key: slot.capacity for key, slot in inp.slots.items()}
    bar.begin("choices", PRICING_SHARE, CHOICE_SHARE, inp.draws)
    booked = {side: [] for side in SIDES}
    for draw in range(inp.draws):
        for side in SIDES:
            booked[side].append(
                replay_choices(inp.offers, capacity, priced[side], noise[draw], inp.shoppers.no_booking)
            )
        bar.step()
    seconds["choices"] = time.perf_counter() - started

    started = time.perf_counter()
    grouped = {side: [depot_days(inp, draw) for draw in booked[side]] for side in SIDES}
    # Each distinct depot-day of a draw once (live and draft often book a day alike).
    tasks = list(
        dict.fromkeys(
            (depot, day, draw, stops)
            for draw in range(inp.draws)
            for side in SIDES
            for (depot, day), stops in grouped[side][draw].items()
        )
    )
    bar.begin("routing", PRICING_SHARE + CHOICE_SHARE, 1 - PRICING_SHARE - CHOICE_SHARE, len(tasks))
    planner = DayPlanner(inp, sum(len(stops) for *_, stops in tasks))
    if pool is None:
        for depot, day, draw, stops in tasks:
            planner.totals(depot, day, stops, draw)
            bar.step()
    else:
        asked = [(depot, day, stops, draw, planner.seconds(stops)) for depot, day, draw, stops in tasks]
        for key, totals in pool.imap_unordered(workers.plan_task, asked):
            planner.known[key] = totals
            bar.step()
    widths = {key: slot.width_minutes for key, slot in inp.slots.items()}
    service_days = len({slot.day for slot in inp.slots.values()})
    per_draw: dict[str, list[dict]] = {side: [] for side in SIDES}
    for draw in range(inp.draws):
        for side in SIDES:
            days = [
                planner.totals(depot, day, stops, draw) for (depot, day), stops in grouped[side][draw].items()
            ]
            per_draw[side].append(
                draw_figures(
                    len(inp.offers),
                    booked[side][draw],
                    priced[side],
                    days,
                    inp.live.rules.wide_window_minutes,
                    widths,
                    service_days,
                    getattr(inp, side).rules.daily_discount_budget,
                )
            )
    seconds["routing"] = time.perf_counter() - started
    return WhatIfResult(
        offers=len(inp.offers),
        draws=inp.draws,
        seed=inp.seed,
        service_days=service_days,
        budgets={side: getattr(inp, side).rules.daily_discount_budget for side in SIDES},
        per_draw=per_draw,
        summary=summarise(per_draw["live"], per_draw["draft"]),
        seconds=seconds,
    )


def _check(inp: WhatIfInput) -> None:
    for offer in inp.offers:
        if offer.zone not in inp.zones or any(key not in inp.slots for key in offer.slots):
            raise ValueError(f"offer {offer.key} names a zone or slot the what-if was not given")
    for zone in inp.zones.values():
        if zone.depot not in inp.depots:
            raise ValueError(f"zone {zone.key} names a depot the what-if was not given")
