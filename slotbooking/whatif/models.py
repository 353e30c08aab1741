"""One what-if run: which draft (by its document's digest), which offers, how far, what came of it."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")


class WhatIfRun(db.Model):
    """A what-if of a draft; ``setup_version_id`` is set when that very draft is published.

    ``draft_digest`` names the draft's document as it was when the run started, so a run is
    shown for a draft only while the draft still reads the same. ``heartbeat_at`` moves with
    every progress write: an active run whose heartbeat is old lost its worker.
    """

    __tablename__ = "whatif_runs"
    __table_args__ = (Index("ix_whatif_runs_retailer_created", "retailer_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    draft_digest: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict] = mapped_column(JSON)  # the draft as it was when the run started
    base_version: Mapped[int | None]  # the published version the draft began from
    period_from: Mapped[datetime] = mapped_column(UTCDateTime)
    period_to: Mapped[datetime] = mapped_column(UTCDateTime)
    draws: Mapped[int]
    seed: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="queued")
    stage: Mapped[str] = mapped_column(String(16), default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    offers: Mapped[int | None]  # offers replayed, once read
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    setup_version_id: Mapped[int | None] = mapped_column(ForeignKey("setup_versions.id"), index=True)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
