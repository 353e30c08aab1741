"""The Celery app made from the Flask app's settings, and what the broker says about itself.

RabbitMQ is the broker: its queues are durable, while Redis may be flushed at any time. The
database stays the truth: every job reads its work from an outbox (event deliveries, refunds,
expired holds), so a message lost on the way only delays work that the periodic jobs drive again.
"""

import logging
import time

from celery import Celery, Task
from celery.exceptions import Retry
from flask import Flask
from kombu import Queue
from sqlalchemy import func, select

from slotbooking.common.unit_of_work import read_only
from slotbooking.extensions import db
from slotbooking.ops.logs import bind_request_id, sane_request_id, unbind_request_id

log = logging.getLogger("slotbooking.jobs")


def make_celery(app: Flask) -> Celery:
    """Return a Celery app whose tasks run inside an app context of the given Flask app."""
    config = app.config
    broker = config["BROKER_URL"]
    timeout = config["JOBS_BROKER_TIMEOUT_SECONDS"]

    class FlaskTask(Task):
        def _log_fields(self, **fields) -> dict:
            """Return what every log line of a job run names (the task, its id, its retries), plus fields."""
            return {"task": self.name, "task_id": self.request.id, "retries": self.request.retries, **fields}

        def __call__(self, *args, **kwargs):
            from slotbooking.jobs.enqueue import in_job

            request_id = sane_request_id(_header(self.request, "request_id") or self.request.id)
            token, job = bind_request_id(request_id), in_job.set(True)
            started = time.perf_counter()
            try:
                with app.app_context():
                    result = self.run(*args, **kwargs)
                log.info(
                    "job done",
                    extra=self._log_fields(
                        result=result, duration_ms=round((time.perf_counter() - started) * 1000, 2)
                    ),
                )
                return result
            except Retry as retry:
                log.warning(
                    "job failed, retried later",
                    extra=self._log_fields(retry_in_seconds=retry.when, error=repr(retry.exc)[:500]),
                )
                raise
            except Exception as error:
                log.warning(
                    "job failed",
                    extra=self._log_fields(error=repr(error)[:500]),
                )
                raise
            finally:
                in_job.reset(job)
                unbind_request_id(token)

    celery = Celery(app.import_name, task_cls=FlaskTask, set_as_current=False)
    celery.conf.update(
        broker_url=broker or "memory://",
        task_always_eager=not broker,  # no broker: a send runs the job at once, here
        task_default_queue=config["JOBS_QUEUE"],
        task_default_exchange=config["JOBS_QUEUE"],
        task_default_routing_key=config["JOBS_QUEUE"],
        task_serializer="json",
        accept_content=["json"],
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,  # a worker that dies mid-job leaves the message for another
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_concurrency=config["JOBS_CONCURRENCY"],
        worker_hijack_root_logger=False,
        broker_connection_timeout=timeout,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"socket_timeout": timeout, "max_retries": 1},
        task_publish_retry=False,  # a request never waits on a broker that is down
        timezone="UTC",
        enable_utc=True,
    )
    from slotbooking.jobs.tasks import ROUTES_QUEUE_JOBS, beat_schedule, register_tasks

    # Route planning has a queue of its own; a worker consumes both unless told `-Q`.
    routes_queue = routes_queue_name(config)
    celery.conf.task_queues = (Queue(config["JOBS_QUEUE"]), Queue(routes_queue))
    celery.conf.task_routes = {name: {"queue": routes_queue} for name in ROUTES_QUEUE_JOBS}
    register_tasks(celery, config)
    celery.conf.beat_schedule = beat_schedule(config)
    return celery


def routes_queue_name(config) -> str:
    """Return the route-planning queue: JOBS_ROUTES_QUEUE, or the jobs queue's name + ".routes"."""
    return config["JOBS_ROUTES_QUEUE"] or f"{config['JOBS_QUEUE']}.routes"


def _header(request, name: str):
    """Return a custom message header (Celery puts them on the request, or under headers)."""
    value = getattr(request, name, None)
    if value is None and isinstance(getattr(request, "headers", None), dict):
        value = request.headers.get(name)
    return value


def queue_status(app: Flask) -> str:
    """Return "in-process" (no broker), "ok" (the broker answers) or "down"."""
    if not app.config["BROKER_URL"]:
        return "in-process"
    try:
        with app.extensions["celery"].connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=app.config["JOBS_BROKER_TIMEOUT_SECONDS"])
        return "ok"
    except Exception as error:  # any failure to reach the broker means the queue is down
        log.warning("broker unavailable: %s", error)
        return "down"


def queue_depth(app: Flask) -> int | None:
    """Return how many messages wait on the app's queue, or None (no broker, or unreachable)."""
    if not app.config["BROKER_URL"]:
        return None
    try:
        with app.extensions["celery"].connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=app.config["JOBS_BROKER_TIMEOUT_SECONDS"])
            declared = connection.default_channel.queue_declare(queue=app.config["JOBS_QUEUE"], passive=True)
            return declared.message_count
    except Exception as error:  # no queue yet, or no broker: no figure rather than a wrong one
        log.info("queue depth unknown: %s", error)
        return None


def outbox_depth() -> dict[str, int]:
    """Return how many event deliveries and refunds are still pending in the database."""
    from slotbooking.events.models import EventDelivery
    from slotbooking.payments.models import Refund

    try:
        with read_only(db.session):
            return {
                "event_deliveries": db.session.scalar(
                    select(func.count()).select_from(EventDelivery).where(EventDelivery.status == "pending")
                ),
                "refunds": db.session.scalar(
                    select(func.count()).select_from(Refund).where(Refund.status == "pending")
                ),
            }
    except Exception as error:  # the database being away is /healthz's news, not the scrape's
        log.warning("outbox depth unknown: %s", error)
        return {}
