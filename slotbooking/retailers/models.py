"""A retailer's setup: the tenant, its keys, depots, zones, fleet, slot templates and audit trail."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db


class Retailer(db.Model):
    __tablename__ = "retailers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    # Words, money and times on shopper pages and in the API's reasons (shoppers may pick another).
    locale: Mapped[str] = mapped_column(String(16), default="en_GB", server_default="en_GB")
    allowed_origins: Mapped[list] = mapped_column(JSON, default=list)
    horizon_days: Mapped[int] = mapped_column(default=14)
    lead_time_hours: Mapped[int] = mapped_column(default=12)
    cutoff: Mapped[str | None] = mapped_column(String(5))
    hold_minutes: Mapped[int] = mapped_column(default=15)
    blackout_dates: Mapped[list] = mapped_column(JSON, default=list)
    pricing: Mapped[dict] = mapped_column(JSON, default=dict)
    slots_generated_through: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    depots: Mapped[list["Depot"]] = relationship(back_populates="retailer", order_by="Depot.id")
    zones: Mapped[list["Zone"]] = relationship(back_populates="retailer", order_by="Zone.id")
    slot_templates: Mapped[list["SlotTemplate"]] = relationship(order_by="SlotTemplate.position")


class ApiKey(db.Model):
    """A secret or publishable key; only its SHA-256 digest and a visible prefix are stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "secret" | "publishable"
    prefix: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Depot(db.Model):
    __tablename__ = "depots"
    __table_args__ = (UniqueConstraint("retailer_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float]
    lon: Mapped[float]

    retailer: Mapped[Retailer] = relationship(back_populates="depots")
    fleet: Mapped[list["FleetGroup"]] = relationship(
        back_populates="depot", order_by="FleetGroup.id", cascade="all, delete-orphan"
    )


class Zone(db.Model):
    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("retailer_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float]
    lon: Mapped[float]
    active: Mapped[bool] = mapped_column(default=True)

    retailer: Mapped[Retailer] = relationship(back_populates="zones")
    depot: Mapped[Depot] = relationship()
    prefixes: Mapped[list["ZonePrefix"]] = relationship(
        back_populates="zone", order_by="ZonePrefix.prefix", cascade="all, delete-orphan"
    )


class ZonePrefix(db.Model):
    """A postcode prefix served by a zone; unique per retailer so the longest match is one zone."""

    __tablename__ = "zone_prefixes"
    __table_args__ = (UniqueConstraint("retailer_id", "prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))

    zone: Mapped[Zone] = relationship(back_populates="prefixes")


class FleetGroup(db.Model):
    __tablename__ = "fleet_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"), index=True)
    vehicle: Mapped[str] = mapped_column(String(32))
    count: Mapped[int]
    stops_per_vehicle: Mapped[int]
    shift_start: Mapped[str] = mapped_column(String(5))
    shift_end: Mapped[str] = mapped_column(String(5))

    depot: Mapped[Depot] = relationship(back_populates="fleet")


class SlotTemplate(db.Model):
    __tablename__ = "slot_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    position: Mapped[int]
    zones: Mapped[list] = mapped_column(JSON)  # zone codes, or ["*"] for every zone
    weekdays: Mapped[list] = mapped_column(JSON)
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))
    capacity: Mapped[int]
    fee: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class AuditEvent(db.Model):
    """Who changed what in a retailer's setup, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
