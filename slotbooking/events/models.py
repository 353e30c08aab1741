"""Where a retailer wants its events, every delivery, and each attempt to send one."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db
from slotbooking.security.encryption import EncryptedString


class EventEndpoint(db.Model):
    """The setup document's ``events`` section, and the secret that signs every delivery."""

    __tablename__ = "event_endpoints"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    url: Mapped[str | None] = mapped_column(String(500))  # None: events are off
    # Encrypted at rest under ENCRYPTION_KEYS; the attribute reads as the plain secret.
    secret: Mapped[str] = mapped_column(EncryptedString())
    # Booking events up to this id happened before the endpoint was switched on: not sent.
    since_event_id: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class EventDelivery(db.Model):
    """One event for one retailer: its body, fixed when queued, and how sending it has gone."""

    __tablename__ = "event_deliveries"
    __table_args__ = (Index("ix_event_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # The source, each unique, so that an event is queued once whoever queues it.
    booking_event_id: Mapped[int | None] = mapped_column(ForeignKey("booking_events.id"), unique=True)
    hold_id: Mapped[str | None] = mapped_column(ForeignKey("holds.id"), unique=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|delivered|failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class EventDeliveryAttempt(db.Model):
    """One attempt to send a delivery: when, what the retailer answered (or what went wrong), what next."""

    __tablename__ = "event_delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("event_deliveries.id"), index=True)
    number: Mapped[int]  # the delivery's attempts count after this one: 1, 2, ...
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[int | None]  # the HTTP status answered; None when no answer came
    error: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | retrying | given_up
