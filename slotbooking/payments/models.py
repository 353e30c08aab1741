"""Who collects the fee, one PaymentIntent per hold, refunds, and the Stripe events already handled."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slotbooking.bookings.models import Hold
from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db

COLLECT_MODES = ("retailer", "stripe")


class PaymentSettings(db.Model):
    """The setup document's ``payments`` section: the retailer collects the fee, or we do with Stripe."""

    __tablename__ = "payment_settings"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    collect: Mapped[str] = mapped_column(String(16), default="retailer")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class HoldPayment(db.Model):
    """The one PaymentIntent of a hold, with the latest state Stripe told us about."""

    __tablename__ = "hold_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    hold_id: Mapped[str] = mapped_column(ForeignKey("holds.id"), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    # Stripe's PaymentIntent status, or "creating" until Stripe has answered.
    status: Mapped[str] = mapped_column(String(32), default="creating")
    # Stripe's `created` (epoch seconds) of the newest event applied, to ignore older ones.
    state_seen_at: Mapped[int] = mapped_column(default=0)
    hold_extended: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    hold: Mapped[Hold] = relationship()


class Refund(db.Model):
    """A refund owed to a shopper, of part or all of a payment; never more than the payment left.

    A payment is refunded in full when its hold ends unbooked or its booking is cancelled, and in
    part when its booking moves to a cheaper window (then a cancellation refunds what remains).
    """

    __tablename__ = "payment_refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("hold_payments.id"), index=True)
    booking_id: Mapped[str | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    reason: Mapped[str] = mapped_column(String(32))  # booking_cancelled | booking_rescheduled | hold_expired
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|succeeded|failed
    stripe_refund_id: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    payment: Mapped[HoldPayment] = relationship()


class StripeEvent(db.Model):
    """A Stripe event id already handled: its effects and this row commit together, so once only."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
