"""Stripe's webhook events: each one handled once, in any order, with its effects in one transaction."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from slotbooking.common.retry import DEFAULT_RETRY, RetryPolicy, run_transaction
from slotbooking.common.unit_of_work import current_unit
from slotbooking.payments.gateway import WebhookEvent
from slotbooking.payments.models import HoldPayment, StripeEvent
from slotbooking.payments.refunds import RefundSender
from slotbooking.payments.state import HoldLimits, apply_status, lock_payment


def handle_stripe_event(
    session,
    event: WebhookEvent,
    limits: HoldLimits,
    now,
    retry: RetryPolicy = DEFAULT_RETRY,
    send_refunds: RefundSender | None = None,
) -> str:
    """Apply a verified event unless it was seen before; return the outcome ("duplicate", "paid", ...).

    The event id is inserted first and commits with the effects: a repeat, even one racing the
    first, fails on the unique id and changes nothing. It locks the hold's slot, so a refusal
    for contention is retried (common/retry.py) and, if it persists, raises Unavailable. A
    payment that came too late owes a refund, sent (``send_refunds``) right after the commit.
    """
    return run_transaction(session, retry, lambda: _handle(session, event, limits, now, send_refunds))


def _handle(session, event: WebhookEvent, limits: HoldLimits, now, send_refunds) -> str:
    unit = current_unit(session)
    record = StripeEvent(id=event.id, type=event.type, outcome="received", received_at=now)
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        unit.rollback()
        return "duplicate"
    record.outcome = _apply(session, event, limits, now)
    if record.outcome == "refund_queued" and send_refunds is not None:
        # Refund at once; should Stripe fail now, `flask payments refunds` retries.
        unit.after_commit(lambda: send_refunds(session))
    return record.outcome


def _apply(session, event: WebhookEvent, limits: HoldLimits, now) -> str:
    if not event.type.startswith("payment_intent.") or event.object.get("object") != "payment_intent":
        return "ignored_type"
    intent = event.object
    payment = session.scalar(select(HoldPayment).where(HoldPayment.payment_intent_id == intent.get("id")))
    if payment is None:
        return "unknown_payment_intent"
    status = intent.get("status")
    if not isinstance(status, str):
        return "ignored_no_status"
    paid = intent.get("amount_received") or intent.get("amount") or 0
    if status == "succeeded" and (not isinstance(paid, int) or paid < payment.amount):
        return "ignored_amount_mismatch"
    lock_payment(session, payment)
    return apply_status(session, payment, status, limits, now, seen_at=event.created)
