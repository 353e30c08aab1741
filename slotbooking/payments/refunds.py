"""Carry out the refunds owed: each refund row is sent until Stripe confirms it, and only once.

Once: the row is unique per payment (so per booking); a sender claims a row before calling
Stripe, so two senders never send the same row at once; and the Stripe call carries an
idempotency key made from the booking (or hold) id, so a retry after a crash between Stripe's
answer and our commit is answered with the first refund, not a second one.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from slotbooking.bookings.models import Hold
from slotbooking.common.errors import PaymentsUnavailable
from slotbooking.payments.models import HoldPayment, Refund
from slotbooking.payments.state import lock_payment, queue_refund

CLAIM_SECONDS = 120
MAX_ATTEMPTS = 8


@dataclass
class RefundRun:
    queued: int = 0
    sent: int = 0
    failed: int = 0


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** (attempts - 1), 6 * 3600))


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
        try:
            lock_payment(session, payment)
            hold = payment.hold
            if hold.status != "booked" and not hold.is_live(now):
                queue_refund(session, payment, "hold_expired")
                queued += 1
            session.commit()
        except Exception:
            session.rollback()
            raise
    return queued


def send_due_refunds(session, gateway, now, limit: int = 100, booking_id: str | None = None) -> RefundRun:
    """Send every pending refund that is due (or just one booking's); failures retry with backoff."""
    run = RefundRun()
    query = select(Refund).where(Refund.status == "pending", Refund.next_attempt_at <= now)
    if booking_id is not None:
        query = query.where(Refund.booking_id == booking_id)
    due = session.scalars(query.order_by(Refund.id).limit(limit)).all()
    for refund in due:
        if not _claim(session, refund, now):
            continue
        try:
            refund.stripe_refund_id = gateway.refund(
                refund.payment.payment_intent_id, refund.amount, refund.idempotency_key
            )
            refund.status, refund.last_error = "succeeded", None
            run.sent += 1
        except PaymentsUnavailable as error:
            refund.last_error = error.message[:500]
            if refund.attempts >= MAX_ATTEMPTS:
                refund.status = "failed"
            else:
                refund.next_attempt_at = now + _backoff(refund.attempts)
            run.failed += 1
        session.commit()
    return run


def _claim(session, refund: Refund, now) -> bool:
    """Take the refund for this sender alone (for a while), counting the attempt."""
    claimed = session.execute(
        update(Refund)
        .where(
            Refund.id == refund.id,
            Refund.status == "pending",
            Refund.next_attempt_at == refund.next_attempt_at,
        )
        .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS), attempts=Refund.attempts + 1)
    ).rowcount
    session.commit()
    if claimed:
        session.refresh(refund)
    return bool(claimed)


def settle_refunds(session, gateway, now) -> RefundRun:
    """Queue the refunds owed for abandoned paid holds, then send what is due."""
    queued = queue_orphan_refunds(session, now)
    if not gateway.enabled:
        return RefundRun(queued=queued)
    run = send_due_refunds(session, gateway, now)
    run.queued = queued
    return run
