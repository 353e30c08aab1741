"""The setup document's ``events`` section, and the signing secret made with it."""

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import flag_modified

from slotbooking.bookings.models import BookingEvent
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.events.models import EventEndpoint
from slotbooking.retailers.models import AuditEvent

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _latest_booking_event(session) -> int:
    return session.scalar(select(func.max(BookingEvent.id))) or 0


def apply_event_settings(session, retailer, section: dict) -> str | None:
    """Point the retailer's events at its webhook URL; return the signing secret when it is new.

    Events from before the URL was (re)set are not sent: the retailer asked for events from now.
    """
    url = section["webhook_url"]
    endpoint = session.get(EventEndpoint, retailer.id)
    made = None
    if endpoint is None:
        if url is None:
            return None
        made = new_secret()
        endpoint = EventEndpoint(retailer_id=retailer.id, secret=made, since_event_id=0)
        session.add(endpoint)
    if url is not None and url != endpoint.url:
        endpoint.since_event_id = _latest_booking_event(session)
    endpoint.url = url
    return made


def rotate_secret(session, retailer_id: int, actor: str) -> str | None:
    """Give the retailer's endpoint a new signing secret, in its audit trail; None without one."""
    with unit_of_work(session):
        endpoint = session.get(EventEndpoint, retailer_id)
        if endpoint is None:
            return None
        endpoint.secret = new_secret()
        session.add(
            AuditEvent(retailer_id=retailer_id, actor=actor, action="events.secret_rotated", details={})
        )
        return endpoint.secret


def reencrypt_secrets(session) -> int:
    """Write every webhook secret again, so it is encrypted under the first of ENCRYPTION_KEYS."""
    with unit_of_work(session):
        endpoints = session.scalars(select(EventEndpoint)).all()
        for endpoint in endpoints:
            # Read with whichever listed key opens it; written back under the first.
            flag_modified(endpoint, "secret")
        return len(endpoints)


def export_event_settings(retailer) -> dict:
    """Return the ``events`` section of the retailer's setup document (never the secret)."""
    endpoint = object_session(retailer).get(EventEndpoint, retailer.id)
    return {"webhook_url": endpoint.url if endpoint else None}
