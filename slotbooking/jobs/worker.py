"""The Celery app for ``celery -A slotbooking.jobs worker|beat``: the Flask app from the environment."""

from celery.signals import setup_logging, worker_process_init

from slotbooking import create_app
from slotbooking.extensions import db
from slotbooking.ops.logs import install_root_logging

flask_app = create_app()
celery = flask_app.extensions["celery"]


@setup_logging.connect
def _json_logs(**_kwargs) -> None:
    # The worker's own lines (celery.*) and the jobs' lines alike: JSON with the request id.
    install_root_logging(flask_app.config["LOG_FORMAT"], flask_app.config["LOG_LEVEL"])


@worker_process_init.connect
def _own_connections(**_kwargs) -> None:
    # A forked pool process must not share the parent's database connections.
    with flask_app.app_context():
        db.engine.dispose(close=False)
