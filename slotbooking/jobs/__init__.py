"""Later work on a job queue: Celery on RabbitMQ, or in-process when there is no broker.

``celery -A slotbooking.jobs worker`` and ``celery -A slotbooking.jobs beat`` build the Flask
app from the environment (see slotbooking.jobs.worker) and run its tasks and its schedule. The
app factory hands itself in (``use_app_factory``), so jobs never import the factory that imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

_app_factory: Callable[[], Flask] | None = None


@dataclass
class Jobs:
    """What the app keeps for sending jobs."""

    celery: object
    runner: object = None  # the in-process runner, when one runs (the demo)
    broker_down_until: float = 0.0
    # (depot id, day) -> when this process last sent its planning job (monotonic seconds)
    planning_sent: dict = field(default_factory=dict)


def init_jobs(app: Flask) -> None:
    """Make the app's Celery app and send jobs after each commit that needs one."""
    from slotbooking.jobs.enqueue import listen_for_commits
    from slotbooking.jobs.queue import make_celery

    celery = make_celery(app)
    app.extensions["celery"] = celery
    app.extensions["jobs"] = Jobs(celery)
    listen_for_commits()


def start_in_process_jobs(app: Flask):
    """Run the beat schedule and the jobs sent after commits in a thread of this process."""
    from slotbooking.jobs.inprocess import InProcessRunner

    jobs = app.extensions["jobs"]
    jobs.runner = InProcessRunner(jobs.celery).start()
    return jobs.runner


def use_app_factory(factory: Callable[[], Flask]) -> None:
    """Name the function that builds the worker's Flask app (the app factory, at its import)."""
    global _app_factory
    _app_factory = factory


def __getattr__(name: str):
    # `celery -A slotbooking.jobs` looks for `celery` here: build the worker's app only then.
    # Importing slotbooking.jobs imports the slotbooking package first, whose factory has
    # handed itself in by then.
    if name == "celery":
        from slotbooking.jobs.worker import worker_celery

        globals()["celery"] = celery = worker_celery(_app_factory)
        return celery
    raise AttributeError(name)
