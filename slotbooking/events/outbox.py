"""Queue retailer events: booking events from the booking_events table, expired holds from the sweep.

booking_events is the outbox: each row is written in the transaction that changed the booking,
so an event exists exactly when its change committed. Queuing copies rows that have no delivery
yet into event_deliveries; ``booking_event_id`` is unique there, so a row is queued once even when
two queuers race (the loser's insert fails and it stops). hold.expired has no booking, so the
sweep queues it directly, in the same transaction that marks the holds expired.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from slotbooking.bookings.models import Booking, BookingEvent, Hold
from slotbooking.bookings.presenters import booking_json, hold_json
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.db_types import new_id
from slotbooking.events.models import EventDelivery, EventEndpoint
from slotbooking.retailers.models import Retailer
from slotbooking.retailers.tenant import Tenant

BATCH = 500


def _envelope(kind: str, retailer: Retailer, created_at, tenant: Tenant, data: dict) -> tuple[str, dict]:
    event_id = new_id("evt")
    return event_id, {
        "id": event_id,
        "type": kind,
        "created": created_at.astimezone(tenant.tz).isoformat(),
        "retailer": retailer.slug,
        "data": data,
    }


def queue_booking_events(session, links, now) -> int:
    """Queue a delivery for each new booking event of a retailer with a webhook URL; return how many."""
    rows = session.execute(
        select(BookingEvent, EventEndpoint)
        .join(EventEndpoint, EventEndpoint.retailer_id == BookingEvent.retailer_id)
        .outerjoin(EventDelivery, EventDelivery.booking_event_id == BookingEvent.id)
        .where(
            EventEndpoint.url.is_not(None),
            BookingEvent.id > EventEndpoint.since_event_id,
            EventDelivery.id.is_(None),
        )
        .order_by(BookingEvent.id)
        .limit(BATCH)
    ).all()
    try:
        with unit_of_work(session):
            _queue_deliveries(session, rows, links, now)
    except IntegrityError:  # another queuer took these rows first
        return 0
    return len(rows)


def _queue_deliveries(session, rows, links, now) -> None:
    tenants: dict[int, tuple[Retailer, Tenant]] = {}
    for booking_event, _endpoint in rows:
        retailer, tenant = _tenant(session, tenants, booking_event.retailer_id)
        booking = session.get(Booking, booking_event.booking_id)
        details = dict(booking_event.details or {})
        booking_data = booking_json(booking, tenant, links)
        if "price_change" in details:  # booking.rescheduled: the change this move made
            booking_data["price_change"] = details["price_change"]
        event_id, payload = _envelope(
            booking_event.kind,
            retailer,
            booking_event.created_at,
            tenant,
            {"booking": booking_data, "details": details},
        )
        session.add(
            EventDelivery(
                retailer_id=retailer.id,
                event_id=event_id,
                kind=booking_event.kind,
                booking_event_id=booking_event.id,
                payload=payload,
                next_attempt_at=now,
            )
        )


def queue_expired_holds(session, hold_ids, now) -> int:
    """Queue hold.expired for holds just marked expired (the caller's transaction commits it)."""
    hold_ids = list(hold_ids)
    tenants: dict[int, tuple[Retailer, Tenant]] = {}
    queued = 0
    for start in range(0, len(hold_ids), BATCH):
        holds = session.scalars(
            select(Hold)
            .join(EventEndpoint, EventEndpoint.retailer_id == Hold.retailer_id)
            .where(Hold.id.in_(hold_ids[start : start + BATCH]), EventEndpoint.url.is_not(None))
        ).all()
        for hold in holds:
            retailer, tenant = _tenant(session, tenants, hold.retailer_id)
            event_id, payload = _envelope(
                "hold.expired", retailer, now, tenant, {"hold": hold_json(hold, tenant)}
            )
            session.add(
                EventDelivery(
                    retailer_id=retailer.id,
                    event_id=event_id,
                    kind="hold.expired",
                    hold_id=hold.id,
                    payload=payload,
                    next_attempt_at=now,
                )
            )
            queued += 1
    return queued


def _tenant(session, cache: dict, retailer_id: int) -> tuple[Retailer, Tenant]:
    if retailer_id not in cache:
        retailer = session.get(Retailer, retailer_id)
        cache[retailer_id] = (retailer, Tenant.of(retailer))
    return cache[retailer_id]
