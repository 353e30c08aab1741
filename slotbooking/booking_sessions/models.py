"""A booking session: one order, one address, one link, at most one live hold and one booking."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from slotbooking.bookings.models import AddressMixin
from slotbooking.clock import now
from slotbooking.db_types import PUBLIC_ID_MAX_LENGTH, UTCDateTime
from slotbooking.extensions import db


class BookingSession(AddressMixin, db.Model):
    """What the shop's backend vouched for: this order, delivered to this address, until ``expires_at``.

    Its holds point at it (``holds.session_id``); once one of them is booked the session is spent.
    """

    __tablename__ = "booking_sessions"

    id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    # SHA-256 of the link's token; the token itself is shown once, in the answer that made it.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    order_ref: Mapped[str] = mapped_column(String(200))
    customer_ref: Mapped[str | None] = mapped_column(String(200))
    return_url: Mapped[str | None] = mapped_column(String(2000))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Bumped to lock the row: holding and booking in one session take turns (see service.py).
    lock_seq: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
