"""Holds (short reservations), bookings (confirmed deliveries) and their history."""

import hashlib
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, and_, text
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from slotbooking.clock import now
from slotbooking.db_types import PUBLIC_ID_MAX_LENGTH, UTCDateTime
from slotbooking.extensions import db
from slotbooking.slots.models import Slot


def quote_digest(quote_id: str) -> str:
    """Name a quote without keeping the token itself: sha256, 32 hex digits.

    The offer log keeps only this digest of each quote it records (offerlog/recorder.py); a hold
    keeps the token and, beside it, its digest, so offers and the holds they led to join on an
    indexed column (the conversion dashboard, the calibration's outcomes).
    """
    return hashlib.sha256(quote_id.encode()).hexdigest()[:32]


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
        # The per-client cap counts a client's live holds with this index alone.
        Index("ix_holds_client_live", "retailer_id", "client", "status", "expires_at"),
        Index("ix_holds_moves_booking", "moves_booking_id", "slot_id", "status"),
        # Active holds are few: the dashboards count the live ones by day through this.
        # Offers that led to a booking: booked holds (not moves) by their quote's digest.
        Index(
            "ix_holds_booked_quote",
            "quote_digest",
            "created_at",
            postgresql_where=text(
                "status = 'booked' AND moves_booking_id IS NULL AND quote_digest IS NOT NULL"
            ),
            sqlite_where=text("status = 'booked' AND moves_booking_id IS NULL AND quote_digest IS NOT NULL"),
        ),
        Index(
            "ix_holds_active_day",
            "retailer_id",
            "service_date",
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), primary_key=True)
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
    # quote_digest(quote_id), set whenever quote_id is (see ``_digest_quote``).
    quote_digest: Mapped[str | None] = mapped_column(String(32))
    customer_ref: Mapped[str | None] = mapped_column(String(200))
    # The booking session it was made in (hosted page), if any.
    session_id: Mapped[str | None] = mapped_column(ForeignKey("booking_sessions.id"), index=True)
    # The address of the browser that asked for it, for holds the per-client cap counts.
    client: Mapped[str | None] = mapped_column(String(64))
    # A hold that stands for moving a booking to this slot (not a new booking), and what must be
    # paid through us for it (the price difference); None: a new booking's hold, paying its price.
    # No foreign key: bookings already point at holds, and a cycle would muddle table order.
    moves_booking_id: Mapped[str | None] = mapped_column(String(PUBLIC_ID_MAX_LENGTH))
    amount_due: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    slot: Mapped[Slot] = relationship()

    @validates("quote_id")
    def _digest_quote(self, _key, quote_id):
        self.quote_digest = None if quote_id is None else quote_digest(quote_id)
        return quote_id

    @hybrid_method
    def is_live(self, now: datetime) -> bool:
        """Tell whether the hold still counts: active and not yet expired at ``now``.

        The same test in SQL (``select(Hold).where(Hold.is_live(now))``), so capacity counts,
        caps and sweeps agree with the checks made on a loaded hold.
        """
        return self.status == "active" and self.expires_at > now

    @is_live.inplace.expression
    @classmethod
    def _is_live_expression(cls, now):
        return and_(cls.status == "active", cls.expires_at > now)

    @property
    def payable_amount(self) -> int:
        """What paying for this hold through us charges: its price, or the move's difference."""
        return self.price if self.amount_due is None else self.amount_due


class Booking(AddressMixin, db.Model):
    """A confirmed delivery of one order in one slot."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_slot_status", "slot_id", "status"),
        Index("ix_bookings_depot_day", "depot_id", "service_date", "status"),
        Index("ix_bookings_retailer_day", "retailer_id", "service_date", "id"),
        # The dashboards' sums read this index alone on PostgreSQL (slotbooking/dashboards).
        Index(
            "ix_bookings_dashboard",
            "retailer_id",
            "service_date",
            postgresql_include=["status", "slot_id", "zone_id", "depot_id", "price", "base_price"],
        ),
    )

    id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), primary_key=True)
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
    """The first answer given to a write with an Idempotency-Key, replayed for repeats.

    Scoped to the API key that sent it and the endpoint (method and route rule), so a key
    one caller uses never blocks or answers another's; forgotten at ``expires_at``.
    A row without ``status_code`` is a claim: its request may still be running.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (
        UniqueConstraint("api_key_id", "endpoint", "key", name="uq_idempotency_records_scope"),
        Index("ix_idempotency_records_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    endpoint: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
