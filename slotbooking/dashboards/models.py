"""Conversion counted once per closed day, so the dashboard does not join every offer to holds."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db


class ConversionCount(db.Model):
    """One zone's offers shown on one of the retailer's local days, and how many were booked."""

    __tablename__ = "conversion_counts"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), primary_key=True)
    offers: Mapped[int]
    booked: Mapped[int]


class ConversionRollup(db.Model):
    """How far a retailer's days are counted: every day up to ``through`` has its counts (or none)."""

    __tablename__ = "conversion_rollups"

    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), primary_key=True)
    through: Mapped[date] = mapped_column(Date)
    counted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
