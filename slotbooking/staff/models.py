"""Staff records: accounts, memberships (a role per retailer), sessions, invites and the audit log."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db

# Lowest to highest: each role may do what the roles before it may.
ROLES = ("viewer", "editor", "admin")


def role_rank(role: str | None) -> int:
    """Return a role's rank (-1 for none), so roles compare: rank(have) >= rank(needed)."""
    return ROLES.index(role) if role in ROLES else -1


class StaffMember(db.Model):
    """A person who logs into the console; the e-mail is stored lower-cased and is unique."""

    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    memberships: Mapped[list["StaffMembership"]] = relationship(
        back_populates="staff", order_by="StaffMembership.retailer_id", cascade="all, delete-orphan"
    )


class StaffMembership(db.Model):
    """A staff member's role at one retailer."""

    __tablename__ = "staff_memberships"
    __table_args__ = (UniqueConstraint("staff_id", "retailer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    staff: Mapped[StaffMember] = relationship(back_populates="memberships")


class StaffSession(db.Model):
    """A console login, kept on the server so that logout and expiry really end it.

    The browser's cookie carries a random token; only its SHA-256 digest is stored.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_address: Mapped[str | None] = mapped_column(String(64))

    staff: Mapped[StaffMember] = relationship()


class StaffInvite(db.Model):
    """A one-time link an admin made for someone to join a retailer; the token's digest only."""

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StaffAuditEntry(db.Model):
    """One change or login in the console: who, at which retailer, what, on what, and the diff."""

    __tablename__ = "staff_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id"), index=True)
    retailer_id: Mapped[int | None] = mapped_column(ForeignKey("retailers.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(254), default="")
    diff: Mapped[dict | None] = mapped_column(JSON)
    client_address: Mapped[str | None] = mapped_column(String(64))

    staff: Mapped[StaffMember | None] = relationship()
