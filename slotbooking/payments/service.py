"""Payments for holds: is one needed, start it, read it, and the hooks booking and cancelling call."""

import functools
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session

from slotbooking.bookings.models import Hold
from slotbooking.common.errors import (
    Conflict,
    HoldExpired,
    NotFound,
    PaymentNotRequired,
    PaymentRequired,
)
from slotbooking.common.owned import get_owned
from slotbooking.common.retry import DEFAULT_RETRY, RetryPolicy, run_transaction
from slotbooking.common.unit_of_work import current_unit
from slotbooking.payments.gateway import Intent
from slotbooking.payments.ledger import refund_from_booking
from slotbooking.payments.models import HoldPayment, PaymentSettings
from slotbooking.payments.state import HoldLimits, apply_status, lock_payment


@dataclass(frozen=True)
class PaymentView:
    """A hold's payment as the API shows it."""

    payment: HoldPayment
    intent: Intent


def collect_mode(session, retailer_id: int) -> str:
    """Return who collects the retailer's delivery fees: "retailer" (default) or "stripe"."""
    settings = session.get(PaymentSettings, retailer_id)
    return settings.collect if settings else "retailer"


def payment_required(tenant, hold, session=None, stripe_configured: bool = True) -> bool:
    """Tell whether this hold must be paid through Stripe before it can be booked.

    Without a Stripe key on this service the retailer collects the fee and payment is skipped.
    """
    session = session or object_session(hold)
    return hold.payable_amount > 0 and charges_through_us(session, tenant, stripe_configured)


def charges_through_us(session, tenant, stripe_configured: bool = True) -> bool:
    """Tell whether we take the retailer's delivery fees by card (its setup says so and Stripe is here)."""
    return stripe_configured and collect_mode(session, tenant.id) == "stripe"


def _payment_of(session, hold_id: str) -> HoldPayment | None:
    return session.scalar(select(HoldPayment).where(HoldPayment.hold_id == hold_id))


def _metadata(hold: Hold, tenant) -> dict:
    metadata = {"hold_id": hold.id, "retailer": tenant.slug}
    if hold.moves_booking_id:
        metadata["moves_booking_id"] = hold.moves_booking_id
    return metadata


def idempotency_key_for(hold: Hold) -> str:
    return f"slotbooking-hold-{hold.id}"


def start_payment(
    session, gateway, tenant, hold_id, limits: HoldLimits, now, retry: RetryPolicy = DEFAULT_RETRY
) -> PaymentView:
    """Create the hold's PaymentIntent, or return the one it has: one per hold, however often asked.

    A retry after a refusal for contention asks Stripe again with the same idempotency key,
    so it gets the same PaymentIntent.

    :raises NotFound, HoldExpired, Conflict, PaymentNotRequired, PaymentsUnavailable, Unavailable:
    """
    start = functools.partial(_start_payment, session, gateway, tenant, hold_id, limits, now)
    return run_transaction(session, retry, start)


def _start_payment(session, gateway, tenant, hold_id, limits: HoldLimits, now) -> PaymentView:
    hold = get_owned(session, Hold, tenant.id, hold_id, "hold")
    if hold.status == "booked":
        raise Conflict("this hold has already been booked", {"hold_id": hold.id})
    if not hold.is_live(now):
        raise HoldExpired("this hold has expired; please choose a window again", {"hold_id": hold.id})
    if not payment_required(tenant, hold, session, gateway.enabled):
        raise PaymentNotRequired("the fee for this window is not paid through us", {"hold_id": hold.id})
    payment = _get_or_create_payment(session, hold, now)
    if payment.payment_intent_id is not None:
        return _synced(session, gateway, payment, limits, now)
    intent = gateway.create_intent(
        payment.amount,
        payment.currency,
        _metadata(hold, tenant),
        idempotency_key_for(hold),
    )
    won = session.execute(
        update(HoldPayment)
        .where(HoldPayment.id == payment.id, HoldPayment.payment_intent_id.is_(None))
        .values(payment_intent_id=intent.id, status=intent.status)
    ).rowcount
    current_unit(session).commit()
    session.refresh(payment)
    if not won:  # a concurrent request recorded its intent first: show that one
        intent = gateway.retrieve_intent(payment.payment_intent_id)
    return PaymentView(payment, intent)


def _get_or_create_payment(session, hold: Hold, now) -> HoldPayment:
    """Return the hold's payment row, made (and committed) before Stripe is asked, so only one is."""
    payment = _payment_of(session, hold.id)
    if payment is not None:
        return payment
    session.add(
        HoldPayment(
            retailer_id=hold.retailer_id,
            hold_id=hold.id,
            amount=hold.payable_amount,
            currency=hold.currency,
            status="creating",
            created_at=now,
        )
    )
    unit = current_unit(session)
    try:
        unit.commit()
    except IntegrityError:  # a concurrent request made it first: use that one
        unit.rollback()
    return _payment_of(session, hold.id)


def _synced(session, gateway, payment: HoldPayment, limits: HoldLimits, now) -> PaymentView:
    intent = gateway.retrieve_intent(payment.payment_intent_id)
    if intent.status != payment.status:
        lock_payment(session, payment)
        apply_status(session, payment, intent.status, limits, now)
    return PaymentView(payment, intent)  # the unit commits it


def show_payment(
    session, gateway, tenant, hold_id, limits: HoldLimits, now, retry: RetryPolicy = DEFAULT_RETRY
) -> PaymentView:
    """Return the hold's payment, brought up to date from Stripe (for when a webhook is late).

    :raises NotFound, PaymentsUnavailable, Unavailable:
    """

    def show() -> PaymentView:
        hold = get_owned(session, Hold, tenant.id, hold_id, "hold")
        payment = _payment_of(session, hold.id)
        if payment is None or payment.payment_intent_id is None:
            raise NotFound("no payment has been started for this hold", {"hold_id": hold.id})
        return _synced(session, gateway, payment, limits, now)

    return run_transaction(session, retry, show)


def ensure_paid(session, tenant, hold: Hold, stripe_configured: bool = True) -> None:
    """Refuse to book a hold whose payment is required and has not succeeded (called under the slot lock).

    :raises PaymentRequired:
    """
    if not payment_required(tenant, hold, session, stripe_configured):
        return
    payment = _payment_of(session, hold.id)
    if payment is None or payment.status != "succeeded":
        raise PaymentRequired(
            "this window is paid by card: pay for the hold, then book it",
            {
                "hold_id": hold.id,
                "payment_status": payment.status if payment else None,
                "payment_url": f"/api/v1/holds/{hold.id}/payment",
            },
        )


def queue_cancellation_refund(session, tenant, booking) -> None:
    """Owe back what the shopper paid us for a cancelled booking and has not had back (same transaction)."""
    refund_from_booking(session, booking, None, "booking_cancelled", f"slotbooking-refund-{booking.id}")
