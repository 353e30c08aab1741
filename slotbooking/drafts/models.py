"""A retailer's one open draft, and every version of its setup that was published."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db


class SetupDraft(db.Model):
    """The retailer's draft: a whole setup document, begun from a published version (or from live)."""

    __tablename__ = "setup_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    base_version: Mapped[int | None]
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SetupVersion(db.Model):
    """A published setup document, numbered per retailer from 1, with who published it and why."""

    __tablename__ = "setup_versions"
    __table_args__ = (UniqueConstraint("retailer_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    note: Mapped[str] = mapped_column(Text, default="")
    restored_from: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(16), default="publish")  # publish | restore | baseline
    document: Mapped[dict] = mapped_column(JSON)
