"""Carry out the refunds owed: each refund row is sent until Stripe confirms it, and only once.

Once: the row is unique per payment (so per booking); a sender claims a row before calling
Stripe, so two senders never send the same row at once; and the Stripe call carries an
idempotency key made from the booking (or hold) id, so a retry after a crash between Stripe's
answer and our commit is answered with the first refund, not a second one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from slotbooking.bookings.models import Hold
from slotbooking.common.errors import PaymentsUnavailable
from slotbooking.common.retry_queue import RetryQueue
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.payments.models import HoldPayment, Refund
from slotbooking.payments.state import lock_payment, queue_refund

CLAIM_SECONDS = 120
MAX_ATTEMPTS = 8
# A failed refund waits 1 minute, then 2, 4 ... at most 6 hours; given up after MAX_ATTEMPTS.
REFUND_QUEUE = RetryQueue(
    base_seconds=60, max_seconds=6 * 3600, max_attempts=MAX_ATTEMPTS, claim_seconds=CLAIM_SECONDS
)


@dataclass
class RefundRun:
    queued: int = 0
    sent: int = 0
    failed: int = 0


def queue_orphan_refunds(session, now) -> int:
    """Owe a refund for every payment that succeeded on a hold that ended without a booking."""
    candidates = session.scalars(
        select(HoldPayment)
        .join(Hold, Hold.id == HoldPayment.hold_id)
        .outerjoin(Refund, Refund.payment_id == HoldPayment.id)
        .where(
            HoldPayment.status == "succeeded",
            Refund.id.is_(None),
            Hold.status != "booked",
            ~Hold.is_live(now),
        )
        .limit(500)
    ).all()
    queued = 0
    for payment in candidates:
        with unit_of_work(session):
            lock_payment(session, payment)
            hold = payment.hold
            if hold.status != "booked" and not hold.is_live(now):
                queue_refund(session, payment, "hold_expired")
                queued += 1
    return queued


def send_due_refunds(session, gateway, now, limit: int = 100, booking_id: str | None = None) -> RefundRun:
    """Send every pending refund that is due (or just one booking's); failures retry with backoff."""
    run = RefundRun()
    query = select(Refund).where(REFUND_QUEUE.due(Refund, now))
    if booking_id is not None:
        query = query.where(Refund.booking_id == booking_id)
    due = session.scalars(query.order_by(Refund.id).limit(limit)).all()
    for refund in due:
        if not REFUND_QUEUE.claim(session, refund, now):
            continue
        with unit_of_work(session):
            try:
                refund.stripe_refund_id = gateway.refund(
                    refund.payment.payment_intent_id, refund.amount, refund.idempotency_key
                )
                refund.status, refund.last_error = "succeeded", None
                run.sent += 1
            except PaymentsUnavailable as error:
                refund.last_error = error.message[:500]
                REFUND_QUEUE.failed(refund, now)
                run.failed += 1
    return run


@dataclass(frozen=True)
class RefundSender:
    """Send refunds that are due right now: what a use case does once it has owed one and committed."""

    gateway: object
    clock: Callable[[], datetime]

    def __call__(self, session, booking_id: str | None = None) -> RefundRun:
        """Send the due refunds (only one booking's, when named); failures retry with backoff."""
        return send_due_refunds(session, self.gateway, self.clock(), booking_id=booking_id)


def settle_refunds(session, gateway, now) -> RefundRun:
    """Queue the refunds owed for abandoned paid holds, then send what is due."""
    queued = queue_orphan_refunds(session, now)
    if not gateway.enabled:
        return RefundRun(queued=queued)
    run = send_due_refunds(session, gateway, now)
    run.queued = queued
    return run
