"""Helpers for the ops console's use cases in tests: the tenant, the collaborators, an audit recorder."""

from sqlalchemy import select

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.request_context import collaborators
from slotbooking.retailers.models import AuditEvent, Retailer
from slotbooking.retailers.tenant import Tenant
from tests.conftest import import_document
from tests.support.api import ApiClient


def tenant_of(slug: str = "demo-grocer") -> Tenant:
    """The retailer's snapshot (inside an app context)."""
    return Tenant.of(db.session.scalar(select(Retailer).where(Retailer.slug == slug)))


def deps(app):
    """The collaborators the app's views hand to use cases."""
    with app.test_request_context():
        return collaborators()


def recorder(tenant, actor: str = "agent@shop.test"):
    """An on_behalf recorder writing the retailer's audit trail, in the caller's transaction."""

    def record(session, action, target, diff=None):
        session.add(
            AuditEvent(
                retailer_id=tenant.id, actor=actor, action=action, details={"target": target, "diff": diff}
            )
        )

    return record


def audit_rows(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def book(shop, slot: dict, order_ref: str, postcode: str = "N1 2AB", **address) -> dict:
    """Book a window through the API in one step; return the booking's JSON."""
    body = {"slot_id": slot["id"], "address": {"postcode": postcode, **address}, "order_ref": order_ref}
    answer = shop.post("/bookings", body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def retailer(app, clock, slug="demo-grocer", webhook_url=None, collect=None) -> tuple[ApiClient, dict]:
    """Import the demo retailer under ``slug`` (events to ``webhook_url``, fees collected by ``collect``).

    Return the API as its backend sees it, and its keys.
    """
    document = demo_document()
    document["retailer"]["slug"] = slug
    if webhook_url:
        document["events"] = {"webhook_url": webhook_url}
    if collect:
        document["payments"] = {"collect": collect}
    keys = import_document(app, document, clock)
    return ApiClient(app.test_client(), keys["secret_key"]), keys


def windows(offer: dict, hour: str, day: str | None = None) -> list[dict]:
    """The offer's available one-hour windows starting at ``hour`` ("08"), on ``day`` when given."""
    return [
        s
        for s in offer["slots"]
        if s["available"]
        and s["width_minutes"] == 60
        and s["start"][11:13] == hour
        and (day is None or s["start"][:10] == day)
    ]


def window(offer: dict, hour: str, day: str | None = None) -> dict:
    """The first of ``windows``."""
    return windows(offer, hour, day)[0]
