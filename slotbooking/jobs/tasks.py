"""The jobs: each pushes an app context (see queue.FlaskTask) and calls an existing service.

Every job is idempotent: it takes its work from the database and claims each row before acting
(event deliveries and refunds carry claims; the hold sweep is a conditional UPDATE), so a repeat,
a redelivered message or two workers at once never do the same work twice. A job that meets an
unreachable database is retried with exponential backoff, a bounded number of times; the next
periodic run picks up whatever is still owed.
"""

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError

from slotbooking.bookings import idempotency
from slotbooking.clock import now
from slotbooking.common.errors import DomainError
from slotbooking.dashboards.funnel import count_closed_days
from slotbooking.events.cli import retry_policy
from slotbooking.events.delivery import deliver_due
from slotbooking.events.outbox import queue_booking_events
from slotbooking.extensions import db
from slotbooking.jobs.routes import PLAN_DUE_ROUTES, PLAN_ROUTES, plan_due_routes, plan_routes_of_day
from slotbooking.offerlog.tasks import calibrate_all, forget_offers, record_offers
from slotbooking.offers.generation import extend_horizon
from slotbooking.payments.refunds import send_due_refunds, settle_refunds
from slotbooking.reservations.cli import sweep_expired_holds
from slotbooking.retailers.models import Retailer
from slotbooking.whatif.service import execute_run

log = logging.getLogger("slotbooking.jobs")

SWEEP_HOLDS = "slotbooking.holds.sweep"
DELIVER_EVENTS = "slotbooking.events.deliver"
SEND_REFUNDS = "slotbooking.payments.refunds"
GENERATE_SLOTS = "slotbooking.slots.generate"
FORGET_IDEMPOTENCY = "slotbooking.idempotency.forget"
RECORD_OFFERS = "slotbooking.offers.record"
FORGET_OFFERS = "slotbooking.offers.forget"
CALIBRATE_CHOICE = "slotbooking.pricing.calibrate"
COUNT_CONVERSION = "slotbooking.dashboards.conversion"
RUN_WHATIF = "slotbooking.whatif.run"

# Failures worth another try later: the database (or a connection to it) is briefly away.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError)


def deliver_events() -> dict:
    """Queue new booking events and send every delivery that is due."""
    queued = queue_booking_events(db.session, current_app.extensions["manage_links"], now())
    run = deliver_due(db.session, now(), retry_policy(current_app.config))
    return {"queued": queued, "delivered": run.delivered, "failed": run.failed, "given_up": run.given_up}


def send_refunds(booking_id: str | None = None) -> dict:
    """Send one booking's refund now, or owe and send every refund that is due."""
    gateway = current_app.extensions["payments"]
    if booking_id is not None:
        run = send_due_refunds(db.session, gateway, now(), booking_id=booking_id) if gateway.enabled else None
        return {"sent": run.sent if run else 0, "failed": run.failed if run else 0}
    run = settle_refunds(db.session, gateway, now())
    return {"queued": run.queued, "sent": run.sent, "failed": run.failed}


def sweep_holds() -> dict:
    """Mark expired holds and send their hold.expired events at once."""
    swept = sweep_expired_holds(db.session, now())
    if swept:
        from slotbooking.jobs.enqueue import enqueue

        enqueue(current_app, DELIVER_EVENTS)
    return {"swept": swept}


def generate_all_slots() -> dict:
    """Roll every retailer's horizon forward (a retailer whose setup fails is logged, not fatal)."""
    done = 0
    for retailer in db.session.scalars(select(Retailer).order_by(Retailer.id)).all():
        try:
            extend_horizon(db.session, retailer, now())
            done += 1
        except DomainError as error:
            log.error("slot generation failed", extra={"retailer": retailer.slug, "error": error.message})
    return {"retailers": done}


def forget_idempotency() -> dict:
    """Forget Idempotency-Key records older than they are kept."""
    return {"forgotten": idempotency.forget_expired_idempotency(db.session, now())}


def count_conversion() -> dict:
    """Keep each retailer's conversion counts of the days that have closed (the dashboard's figure)."""
    days = 0
    for retailer in db.session.scalars(select(Retailer).order_by(Retailer.id)).all():
        days += count_closed_days(db.session, retailer, now())
    return {"days": days}


def run_whatif(run_id: int) -> dict:
    """Replay one queued what-if run to its end, or until it is cancelled (whatif/service.py)."""
    return execute_run(db.session, run_id, current_app.config)


JOBS = {
    DELIVER_EVENTS: deliver_events,
    SEND_REFUNDS: send_refunds,
    SWEEP_HOLDS: sweep_holds,
    GENERATE_SLOTS: generate_all_slots,
    FORGET_IDEMPOTENCY: forget_idempotency,
    PLAN_ROUTES: plan_routes_of_day,
    PLAN_DUE_ROUTES: plan_due_routes,
    RECORD_OFFERS: record_offers,
    FORGET_OFFERS: forget_offers,
    CALIBRATE_CHOICE: calibrate_all,
    COUNT_CONVERSION: count_conversion,
    RUN_WHATIF: run_whatif,
}
# Jobs sent to the routes queue (JOBS_ROUTES_QUEUE): planning and what-ifs take seconds of CPU.
ROUTES_QUEUE_JOBS = (PLAN_ROUTES, PLAN_DUE_ROUTES, RUN_WHATIF)


def register_tasks(celery, config) -> None:
    """Register every job as a task of this Celery app, with bounded retries and backoff."""
    for name, function in JOBS.items():
        celery.task(
            name=name,
            shared=False,  # each Celery app its own tasks, with its own app's settings
            autoretry_for=TRANSIENT,
            retry_backoff=config["JOBS_RETRY_BACKOFF_SECONDS"],
            retry_backoff_max=config["JOBS_RETRY_BACKOFF_MAX_SECONDS"],
            retry_jitter=config["JOBS_RETRY_JITTER"],
            max_retries=config["JOBS_MAX_RETRIES"],
        )(function)


def beat_schedule(config) -> dict:
    """Return the periodic jobs for ``celery beat`` (and the demo's in-process scheduler)."""
    every = {
        SWEEP_HOLDS: config["JOBS_SWEEP_SECONDS"],
        DELIVER_EVENTS: config["JOBS_EVENTS_SECONDS"],
        SEND_REFUNDS: config["JOBS_REFUNDS_SECONDS"],
        GENERATE_SLOTS: config["JOBS_SLOTS_SECONDS"],
        FORGET_IDEMPOTENCY: config["JOBS_IDEMPOTENCY_SECONDS"],
        PLAN_DUE_ROUTES: config["JOBS_ROUTES_SECONDS"],
        RECORD_OFFERS: config["JOBS_OFFERS_SECONDS"],
        FORGET_OFFERS: config["JOBS_OFFERS_FORGET_SECONDS"],
        CALIBRATE_CHOICE: config["JOBS_CALIBRATE_SECONDS"],
        COUNT_CONVERSION: config["JOBS_CONVERSION_SECONDS"],
    }
    # A periodic message left unconsumed is dropped by its next run's time: a new one will follow.
    return {
        name: {"task": name, "schedule": seconds, "options": {"expires": seconds}}
        for name, seconds in every.items()
    }
