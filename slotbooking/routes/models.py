"""Stored route plans: one row per version of a depot-day's plan."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db


class RoutePlanVersion(db.Model):
    """One planned set of routes of a depot on a day; a newer version replaces it for readers.

    ``body`` holds the plan itself (``codec.py``): the routes with their visits and times, the
    stops left out, and the travel assumptions and fleet it was planned with, so the pricing
    engine can insert into it as planned. What it says of each stop (booking id, order
    reference, postcode, coordinates) is what the booking already keeps.
    """

    __tablename__ = "route_plans"
    __table_args__ = (
        UniqueConstraint("depot_id", "service_date", "version", name="uq_route_plans_version"),
        Index("ix_route_plans_retailer_day", "retailer_id", "service_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    service_date: Mapped[date]
    version: Mapped[int]
    # "bookings" (bookings changed) or "cutoff" (the day's last window closed for booking).
    trigger: Mapped[str] = mapped_column(String(16))
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # What the plan was made from: the digest of its inputs (stops, fleet, settings), the depot
    # day's lock_seq read before them (a plan never replaces one made from later reads), and
    # the bookings' count and latest change, which the periodic run compares cheaply.
    inputs_digest: Mapped[str] = mapped_column(String(64))
    inputs_seq: Mapped[int]
    bookings_count: Mapped[int]
    bookings_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stops: Mapped[int]
    unassigned: Mapped[int]
    km: Mapped[float]
    co2_grams: Mapped[int]
    feasible: Mapped[bool]
    solve_seconds: Mapped[float]
    body: Mapped[dict] = mapped_column(JSON)
