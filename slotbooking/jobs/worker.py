"""The Celery app for ``celery -A slotbooking.jobs worker|beat``: the Flask app from the environment."""

from celery.signals import setup_logging

from slotbooking import create_app
from slotbooking.ops.logs import install_root_logging

flask_app = create_app()
celery = flask_app.extensions["celery"]


@setup_logging.connect
def _json_logs(**_kwargs) -> None:
    # The worker's own lines (celery.*) and the jobs' lines alike: JSON with the request id.
    install_root_logging(flask_app.config["LOG_FORMAT"], flask_app.config["LOG_LEVEL"])
