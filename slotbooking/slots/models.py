"""Delivery windows on dates, the depots' daily fleet capacity, and quoted price sheets."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slotbooking.clock import now
from slotbooking.db_types import PUBLIC_ID_MAX_LENGTH, UTCDateTime
from slotbooking.extensions import db
from slotbooking.retailers.models import Zone


class Slot(db.Model):
    """One delivery window of one zone on one date, stored in UTC."""

    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("zone_id", "starts_at", "ends_at"),
        Index("ix_slots_zone_date", "zone_id", "service_date"),
    )

    id: Mapped[str] = mapped_column(String(PUBLIC_ID_MAX_LENGTH), primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("slot_templates.id"))
    service_date: Mapped[date]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int]
    fee: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped by every capacity change: the UPDATE that bumps it is the slot's row lock.
    lock_seq: Mapped[int] = mapped_column(default=0)

    zone: Mapped[Zone] = relationship(lazy="joined")  # every booking answer names the zone

    @property
    def width_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class DepotDay(db.Model):
    """A depot's fleet capacity in stops on one date, shared by every window of its zones."""

    __tablename__ = "depot_days"
    __table_args__ = (UniqueConstraint("depot_id", "service_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    service_date: Mapped[date]
    capacity: Mapped[int]
    lock_seq: Mapped[int] = mapped_column(default=0)


class PriceSheet(db.Model):
    """The prices quoted for one address: the quote token names a sheet, so prices survive Redis."""

    __tablename__ = "price_sheets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # digest of the content
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
