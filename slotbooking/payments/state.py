"""What a PaymentIntent's new state means for its hold: extend it, permit the booking, or refund.

Stripe may deliver events late, twice or out of order. Two rules keep the state right whatever
the order: a payment that succeeded or was cancelled never changes again, and an event older
than the newest one applied is ignored. The caller locks the hold's slot first, the same lock
that booking a hold takes, so "paid but the hold is gone" is decided against the hold's real state.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from slotbooking.bookings.capacity import lock_slots
from slotbooking.payments.models import HoldPayment, Refund

FINAL_STATUSES = ("succeeded", "canceled")


@dataclass(frozen=True)
class HoldLimits:
    """How long a hold may be kept while its payment is under way (at most max_minutes after it began)."""

    extension_minutes: int = 10
    max_minutes: int = 45

    @classmethod
    def from_config(cls, config) -> "HoldLimits":
        return cls(config["PAYMENT_HOLD_EXTENSION_MINUTES"], config["PAYMENT_HOLD_MAX_MINUTES"])


def lock_payment(session, payment: HoldPayment) -> HoldPayment:
    """Lock the payment's slot (as booking does) and reread the payment and its hold."""
    lock_slots(session, [payment.hold.slot_id])
    session.refresh(payment)
    session.refresh(payment.hold)
    return payment


def apply_status(session, payment: HoldPayment, status: str, limits: HoldLimits, now, seen_at=None) -> str:
    """Move the payment to Stripe's newer status and act on it; return what was done.

    ``seen_at`` is the Stripe event's ``created``; None for a status just read from Stripe.
    """
    if payment.status in FINAL_STATUSES and status != payment.status:
        return "ignored_final"
    if seen_at is not None:
        if seen_at < payment.state_seen_at:
            return "ignored_older"
        payment.state_seen_at = seen_at
    changed = status != payment.status
    payment.status = status
    hold = payment.hold
    if status == "processing":
        _extend_once(payment, hold, limits, now)
        return "processing"
    if status != "succeeded":
        return status if changed else "unchanged"
    if hold.status == "booked":
        return "already_booked"
    if hold.is_live(now):
        _extend_once(payment, hold, limits, now)
        return "paid"
    queue_refund(session, payment, "hold_expired")
    return "refund_queued"


def _extend_once(payment: HoldPayment, hold, limits: HoldLimits, now: datetime) -> None:
    """Give the shopper time to finish paying and the shop time to book, once and within bounds."""
    if payment.hold_extended or not hold.is_live(now):
        return
    # Bounded from when paying began: a shopper who pays slowly cannot keep a window for long.
    ceiling = payment.created_at + timedelta(minutes=limits.max_minutes)
    target = min(now + timedelta(minutes=limits.extension_minutes), ceiling).replace(microsecond=0)
    if target > hold.expires_at:
        hold.expires_at = target
        payment.hold_extended = True


def queue_refund(session, payment: HoldPayment, reason: str, booking_id: str | None = None) -> Refund:
    """Record the refund owed for a payment, once; the refund sender carries it out."""
    existing = session.scalar(select(Refund).where(Refund.payment_id == payment.id))
    if existing is not None:
        return existing
    # The key names what is refunded, so a retry anywhere asks Stripe for the same refund.
    subject = booking_id or payment.hold_id
    refund = Refund(
        retailer_id=payment.retailer_id,
        payment_id=payment.id,
        booking_id=booking_id,
        reason=reason,
        amount=payment.amount,
        currency=payment.currency,
        idempotency_key=f"slotbooking-refund-{subject}",
        status="pending",
    )
    session.add(refund)
    session.flush()
    return refund
