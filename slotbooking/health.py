"""GET /healthz: the database must answer; Redis or the job queue being away only degrades."""

from flask import Blueprint, current_app
from sqlalchemy import text

from slotbooking.common.unit_of_work import read_only
from slotbooking.extensions import db
from slotbooking.jobs.queue import queue_status

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    checks = {}
    try:
        with read_only(db.session):
            db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:  # any failure to reach the database means the service is down
        checks["database"] = "down"
    checks["redis"] = current_app.extensions["slot_cache"].status()
    checks["queue"] = queue_status(current_app)  # "ok", "down" or "in-process" (no broker)
    if checks["database"] != "ok":
        return {"status": "down", "checks": checks}, 503, {"Retry-After": "5"}
    status = "degraded" if "down" in (checks["redis"], checks["queue"]) else "ok"
    return {"status": status, "checks": checks}
