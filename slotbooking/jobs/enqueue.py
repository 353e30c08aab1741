"""Send jobs: "deliver events now", "send this refund now" and "plan this depot-day's routes"
right after a booking change commits.

The unit of work (common/unit_of_work.py) tells this hook what each commit wrote: a booking
event (created, rescheduled, cancelled), a refund owed, or a booking added or changed (its
depot-days, before and after, are planned again: jobs/routes.py; a changed row's old values are
seen only at flush, so a flush note records them: ``note_changed_bookings``). Only after the
commit is the job sent, so a worker never looks for a row that is not there yet. A broker that
is down costs the request nothing but a log line: the periodic jobs deliver the same work from
the outbox later (and the broker is skipped for a few seconds so each request does not wait on it).
"""

import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context

from slotbooking.bookings.models import Booking, BookingEvent, Hold
from slotbooking.common.unit_of_work import on_commit, on_flush
from slotbooking.ops.logs import current_request_id
from slotbooking.ops.metrics import app_metrics
from slotbooking.payments.models import Refund

log = logging.getLogger("slotbooking.jobs")
in_job: ContextVar[bool] = ContextVar("in_job", default=False)
BROKER_PAUSE_SECONDS = 5.0


def enqueue(app: Flask, task_name: str, countdown: float | None = None, **kwargs) -> str:
    """Send a job (to run no sooner than ``countdown`` seconds from now, if given).

    Return "sent", "in-process", "skipped" (no broker, no runner) or "failed".
    """
    jobs = app.extensions["jobs"]
    headers = {"request_id": current_request_id()}
    if not app.config["BROKER_URL"]:
        runner = jobs.runner
        if runner is None:
            return "skipped"  # no queue here: the periodic commands (cron) do the work
        runner.submit(task_name, kwargs, headers, countdown or 0.0)
        return "in-process"
    if time.monotonic() < jobs.broker_down_until:
        return "failed"
    try:
        jobs.celery.tasks[task_name].apply_async(
            kwargs=kwargs, headers=headers, expires=3600, countdown=countdown
        )
        return "sent"
    except Exception as error:  # broker down or refusing: the outbox keeps the work
        jobs.broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        log.warning(
            "job not sent, the periodic run will do it", extra={"task": task_name, "error": str(error)}
        )
        return "failed"


@dataclass(frozen=True)
class DepotDaysChanged:
    """A flush's note: the depot-days whose bookings it added or changed, to be planned again."""

    depot_days: frozenset


def note_changed_bookings(session) -> list:
    """Note the depot-days of the bookings a flush changed (a unit-of-work flush note).

    Read at flush, while a changed booking still knows where and when it was before. A new
    booking needs no note: it is among the rows the commit wrote, flushed or inserted by a
    statement (``UnitOfWork.wrote``), and ``_pending_work`` plans its depot-day from there.
    """
    from slotbooking.jobs.routes import depot_days_changed

    touched: set = set()
    for row in session.dirty:
        if isinstance(row, Booking) and session.is_modified(row):
            touched |= depot_days_changed(row)
    return [DepotDaysChanged(frozenset(touched))] if touched else []


def _pending_work(written: list) -> dict:
    """Return what a commit wrote that asks for a job or a count: events, refunds, holds, routes."""
    pending = {"events": [], "refunds": set(), "holds": 0, "routes": set()}
    for row in written:
        if isinstance(row, Booking):  # a new booking (rows written are new): it was nowhere before
            pending["routes"].add((row.depot_id, row.service_date))
        elif isinstance(row, BookingEvent):
            pending["events"].append(row.kind)
        elif isinstance(row, Refund):
            pending["refunds"].add(row.booking_id)
        elif isinstance(row, Hold):
            pending["holds"] += 1
        elif isinstance(row, DepotDaysChanged):
            pending["routes"] |= row.depot_days
    return pending


def send_jobs_after_commit(written: list) -> None:
    """Count what a commit wrote and send the jobs it asks for (a unit-of-work commit hook)."""
    from slotbooking.jobs.routes import send_planning
    from slotbooking.jobs.tasks import DELIVER_EVENTS, SEND_REFUNDS

    if not written or not has_app_context():
        return
    pending = _pending_work(written)
    app = current_app._get_current_object()
    metrics = app_metrics()
    if metrics is not None:
        for kind in pending["events"]:
            metrics.bookings.labels(kind).inc()
        if pending["holds"]:
            metrics.holds.inc(pending["holds"])
    if in_job.get() or "jobs" not in app.extensions:
        return  # a job's own commits need no further job
    sends = [(DELIVER_EVENTS, {})] if pending["events"] else []
    sends += [(SEND_REFUNDS, {"booking_id": b}) for b in sorted(pending["refunds"]) if b]
    for task_name, kwargs in sends:
        outcome = enqueue(app, task_name, **kwargs)
        if metrics is not None:
            metrics.enqueues.labels(task_name, outcome).inc()
    if pending.get("routes"):
        send_planning(app, pending["routes"], metrics)


def listen_for_commits() -> None:
    """Send the jobs each commit asks for (once per process: every app's units share the hooks)."""
    on_flush(note_changed_bookings)
    on_commit(send_jobs_after_commit)
