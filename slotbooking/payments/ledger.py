"""What a booking has paid through us, payment by payment, and the refunds owed against it.

A booking is paid for by its own hold's payment and, after each dearer move, by the payment of
the hold that paid the difference. A payment may be refunded in parts: a cheaper move refunds
the difference, a cancellation whatever is left. What is left of a payment is its amount less
every refund owed on it (sent, pending or failed alike: a failed refund waits for a person, and
its money must not be offered again), so refunds never add up to more than was paid. Callers
hold the booking's slot lock, as cancelling and rescheduling do, so two of them never split the
same payment at once.
"""

from sqlalchemy import func, or_, select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.payments.models import HoldPayment, Refund


def funding_payments(session, booking: Booking) -> list[HoldPayment]:
    """Return the succeeded payments that paid for this booking, oldest first."""
    move_holds = select(Hold.id).where(Hold.moves_booking_id == booking.id, Hold.status == "booked")
    paid_for = [HoldPayment.hold_id.in_(move_holds)]
    if booking.hold_id is not None:
        paid_for.append(HoldPayment.hold_id == booking.hold_id)
    return list(
        session.scalars(
            select(HoldPayment)
            .where(HoldPayment.status == "succeeded", or_(*paid_for))
            .order_by(HoldPayment.id)
        )
    )


def left_of(session, payment: HoldPayment) -> int:
    """Return what of a payment has not been refunded (or owed back) yet."""
    owed = session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(Refund.payment_id == payment.id)
    )
    return max(0, payment.amount - int(owed))


def paid_through_us(session, booking: Booking) -> int:
    """Return what the shopper has paid us for this booking and not had back, in minor units."""
    return sum(left_of(session, payment) for payment in funding_payments(session, booking))


def refund_from_booking(session, booking: Booking, amount: int | None, reason: str, key: str) -> list[Refund]:
    """Owe ``amount`` (None: all that is left) back from the booking's payments, newest first.

    Each refund row's idempotency key is ``key`` and the payment's id, so Stripe is asked once
    per row however often the sender retries. Never owes more than is left; returns the rows.
    """
    refunds = []
    wanted = None if amount is None else max(0, amount)
    for payment in reversed(funding_payments(session, booking)):
        if wanted == 0:
            break
        left = left_of(session, payment)
        share = left if wanted is None else min(left, wanted)
        if share <= 0:
            continue
        refund = Refund(
            retailer_id=payment.retailer_id,
            payment_id=payment.id,
            booking_id=booking.id,
            reason=reason,
            amount=share,
            currency=payment.currency,
            idempotency_key=_key(key, booking, payment),
            status="pending",
        )
        session.add(refund)
        session.flush()
        refunds.append(refund)
        if wanted is not None:
            wanted -= share
    return refunds


def _key(key: str, booking: Booking, payment: HoldPayment) -> str:
    # A cancellation's refund of the booking's own payment keeps the key it always had.
    if key == f"slotbooking-refund-{booking.id}" and payment.hold_id == booking.hold_id:
        return key
    return f"{key}-p{payment.id}"
