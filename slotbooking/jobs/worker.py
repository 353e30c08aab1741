"""The Celery app for ``celery -A slotbooking.jobs worker|beat``: the Flask app from the environment."""

from celery.signals import setup_logging, worker_process_init

from slotbooking.extensions import db
from slotbooking.ops.logs import install_root_logging


def worker_celery(app_factory):
    """Build the worker's Flask app with the factory and return its Celery app, logging as JSON lines."""
    flask_app = app_factory()

    @setup_logging.connect(weak=False)
    def _json_logs(**_kwargs) -> None:
        # The worker's own lines (celery.*) and the jobs' lines alike: JSON with the request id.
        install_root_logging(flask_app.config["LOG_FORMAT"], flask_app.config["LOG_LEVEL"])

    @worker_process_init.connect(weak=False)
    def _own_connections(**_kwargs) -> None:
        # A forked pool process must not share the parent's database connections.
        with flask_app.app_context():
            db.engine.dispose(close=False)

    return flask_app.extensions["celery"]
