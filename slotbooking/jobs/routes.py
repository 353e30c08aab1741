"""The route-planning jobs: one depot-day after its bookings change, and the periodic run.

Planning is CPU work of seconds (bounded by ROUTES_MAX_SECONDS), so it has a queue of its own
(JOBS_ROUTES_QUEUE): event deliveries and refunds never wait behind it. A booking change sends
"plan this depot-day" after commit with a countdown of ROUTES_DEBOUNCE_SECONDS; the job plans
what the database holds when it runs, so the bookings of those seconds give one planning run,
and the jobs sent meanwhile find nothing new (``routes/service.py`` compares the inputs' digest).
"""

import math
import time
from datetime import date

from flask import Flask, current_app
from sqlalchemy import inspect

from slotbooking.clock import now
from slotbooking.common.unit_of_work import read_only
from slotbooking.extensions import db
from slotbooking.routes.due import due_depot_days
from slotbooking.routes.inputs import PlanLimits
from slotbooking.routes.service import plan_depot_day

PLAN_ROUTES = "slotbooking.routes.plan"
PLAN_DUE_ROUTES = "slotbooking.routes.due"


def depot_days_changed(booking) -> set[tuple[int, date]]:
    """Return the depot-days a new or changed booking touches: where it is, and where it was."""
    touched = {(booking.depot_id, booking.service_date)}
    state = inspect(booking)
    old_depots = state.attrs.depot_id.history.deleted or [booking.depot_id]
    old_days = state.attrs.service_date.history.deleted or [booking.service_date]
    touched |= {(depot_id, day) for depot_id in old_depots for day in old_days}
    return {(depot_id, day) for depot_id, day in touched if depot_id is not None and day is not None}


def send_planning(app: Flask, depot_days, metrics=None) -> None:
    """Send each depot-day's planning job, to run ROUTES_DEBOUNCE_SECONDS from now.

    A process that sent one for the same depot-day less than half that time ago sends none:
    that job has not run yet, and will read this commit too.
    """
    from slotbooking.jobs.enqueue import enqueue

    jobs = app.extensions["jobs"]
    debounce = app.config["ROUTES_DEBOUNCE_SECONDS"]
    clock = time.monotonic()
    for depot_id, day in sorted(depot_days):
        if clock < jobs.planning_sent.get((depot_id, day), -math.inf) + debounce / 2:
            continue
        outcome = enqueue(app, PLAN_ROUTES, countdown=debounce, depot_id=depot_id, day=day.isoformat())
        if outcome in ("sent", "in-process"):
            if len(jobs.planning_sent) > 10_000:
                jobs.planning_sent.clear()
            jobs.planning_sent[(depot_id, day)] = clock
        if metrics is not None:
            metrics.enqueues.labels(PLAN_ROUTES, outcome).inc()


def plan_routes_of_day(depot_id: int, day: str, trigger: str = "bookings") -> dict:
    """Plan one depot-day (its bookings changed, or its booking closed) and store the plan."""
    config = current_app.config
    outcome = plan_depot_day(
        db.session,
        int(depot_id),
        date.fromisoformat(day),
        now(),
        PlanLimits.from_config(config),
        trigger,
        config["ROUTES_KEEP_VERSIONS"],
    )
    return outcome.as_dict()


def plan_due_routes() -> dict:
    """Plan every depot-day a planning job missed, and each day's final plan at its cut-off.

    Each depot-day is its own job on the routes queue (so several workers share a busy
    cut-off); without a queue to send to, they are planned here, one after another.
    """
    from slotbooking.jobs.enqueue import enqueue

    config = current_app.config
    with read_only(db.session):
        due = due_depot_days(db.session, now(), config["ROUTES_DEBOUNCE_SECONDS"])
    sent = planned = 0
    for item in due:
        kwargs = {"depot_id": item.depot_id, "day": item.day.isoformat(), "trigger": item.trigger}
        if enqueue(current_app, PLAN_ROUTES, **kwargs) in ("sent", "in-process"):
            sent += 1
        else:
            planned += plan_routes_of_day(**kwargs)["status"] == "stored"
    return {"due": len(due), "sent": sent, "stored_here": planned}
