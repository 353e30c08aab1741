"""A retailer's webhook deliveries with their attempts, and "retry now" for one that failed.

Retrying goes through the events part's retry queue (common/retry_queue.py): the delivery is made
due again and the next delivery run (the job queue's, or ``flask events deliver``) sends it,
claimed as any other, so two senders never send it together. Its attempts stay counted: a
given-up delivery gets one more attempt. A retailer may get an event twice this way (one already
on its way when the retry was asked); every event carries its unique ``id`` for that.
"""

from dataclasses import dataclass
from math import ceil

from sqlalchemy import func, select

from slotbooking.common.errors import Conflict, NotFound, ValidationFailed
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.events.delivery import RetryPolicy
from slotbooking.events.models import EventDelivery, EventDeliveryAttempt
from slotbooking.operations.audit_trail import OnBehalf

STATUSES = ("pending", "delivered", "failed")
PER_PAGE = 50


@dataclass(frozen=True)
class DeliveryPage:
    rows: list[EventDelivery]
    page: int
    pages: int
    total: int


def is_failing(delivery: EventDelivery) -> bool:
    """Tell whether a delivery has been tried and has not got through (waiting to retry, or given up)."""
    return delivery.status == "failed" or (delivery.status == "pending" and delivery.attempts > 0)


def list_deliveries(session, tenant, status: str | None = None, page: int = 1, per_page: int = PER_PAGE):
    """Return a page of the retailer's deliveries, newest first; ``status`` narrows them.

    :raises ValidationFailed: an unknown status, or a page below 1.
    """
    if status and status not in STATUSES:
        raise ValidationFailed("unknown status", {"status": [f"one of {', '.join(STATUSES)}"]})
    if page < 1:
        raise ValidationFailed("pages start at 1", {"page": [str(page)]})
    query = select(EventDelivery).where(EventDelivery.retailer_id == tenant.id)
    if status:
        query = query.where(EventDelivery.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(EventDelivery.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return DeliveryPage(list(rows), page, max(1, ceil(total / per_page)), total)


def get_delivery(session, tenant, event_id: str) -> EventDelivery:
    """:raises NotFound: no delivery of this retailer's with that event id."""
    delivery = None
    if isinstance(event_id, str) and 0 < len(event_id) <= 40:
        delivery = session.scalar(
            select(EventDelivery).where(
                EventDelivery.retailer_id == tenant.id, EventDelivery.event_id == event_id
            )
        )
    if delivery is None:
        raise NotFound(f"no delivery {event_id!r}", {"event_id": event_id})
    return delivery


def attempts_of(session, delivery: EventDelivery) -> list[EventDeliveryAttempt]:
    """Return the delivery's attempts, first first (none are known one by one for older deliveries)."""
    return list(
        session.scalars(
            select(EventDeliveryAttempt)
            .where(EventDeliveryAttempt.delivery_id == delivery.id)
            .order_by(EventDeliveryAttempt.id)
        )
    )


def retry_now(session, tenant, event_id: str, now, policy: RetryPolicy, on_behalf: OnBehalf) -> EventDelivery:
    """Make a failing or given-up delivery due now, with an audit row; the next delivery run sends it.

    :raises NotFound: no such delivery of this retailer's.
    :raises Conflict: it was delivered already, or it changed while this was asked (look again).
    """
    with unit_of_work(session):
        delivery = get_delivery(session, tenant, event_id)
        if delivery.status == "delivered":
            raise Conflict("this event has been delivered already", {"event_id": event_id})
        before = {"status": delivery.status, "next_attempt_at": delivery.next_attempt_at.isoformat()}
        if not policy.queue.due_now(session, delivery, now):
            raise Conflict("this delivery changed meanwhile; look again", {"event_id": event_id})
        on_behalf(
            session,
            "webhook.retried",
            event_id,
            {
                "status": [before["status"], delivery.status],
                "next_attempt_at": [before["next_attempt_at"], delivery.next_attempt_at.isoformat()],
            },
        )
    return delivery
