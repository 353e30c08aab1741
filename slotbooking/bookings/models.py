"""Holds (short reservations), bookings (confirmed deliveries) and their history."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db
from slotbooking.slots.models import Slot


class AddressMixin:
    postcode: Mapped[str] = mapped_column(String(16))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    line1: Mapped[str | None] = mapped_column(String(200))


class Hold(AddressMixin, db.Model):
    """A slot reserved for one shopper until ``expires_at``; an expired hold never counts."""

    __tablename__ = "holds"
    __table_args__ = (
        Index("ix_holds_slot_live", "slot_id", "status", "expires_at"),
        Index("ix_holds_depot_live", "depot_id", "service_date", "status", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    slot_id: Mapped[str] = mapped_column(ForeignKey("slots.id"))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    service_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|released|booked|expired
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    price: Mapped[int]
    base_price: Mapped[int]
    incentives: Mapped[list] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    quote_id: Mapped[str | None] = mapped_column(String(400))
    customer_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    slot: Mapped[Slot] = relationship()


class Booking(AddressMixin, db.Model):
    """A confirmed delivery of one order in one slot."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_slot_status", "slot_id", "status"),
        Index("ix_bookings_depot_day", "depot_id", "service_date", "status"),
        Index("ix_bookings_retailer_day", "retailer_id", "service_date", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    slot_id: Mapped[str] = mapped_column(ForeignKey("slots.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    service_date: Mapped[date]
    hold_id: Mapped[str | None] = mapped_column(ForeignKey("holds.id"))
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    price: Mapped[int]
    base_price: Mapped[int]
    incentives: Mapped[list] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    order_ref: Mapped[str] = mapped_column(String(200))
    customer_ref: Mapped[str | None] = mapped_column(String(200))
    # The manage link's token is never stored, only its digest (bookings/manage_links.py).
    manage_token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    # Links e-mailed before tokens were derived: the digest of the old random token, kept so
    # that they work until their delivery day has passed.
    legacy_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    slot: Mapped[Slot] = relationship()
    # Declared so one flush inserts the hold before the booking that points at it.
    hold: Mapped[Hold | None] = relationship()


# Statuses whose booking occupies a place in its slot.
OCCUPYING_STATUSES = ("confirmed", "rescheduled")


class BookingEvent(db.Model):
    """One step in a booking's life (created, rescheduled, cancelled), for the trail and webhooks."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    booking: Mapped[Booking] = relationship()


class IdempotencyRecord(db.Model):
    """The first answer given to a write with an Idempotency-Key, replayed for repeats."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("retailer_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
