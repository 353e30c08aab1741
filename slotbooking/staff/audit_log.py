"""Reading a retailer's audit log, filtered by action, staff member and dates (newest first)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import distinct, select

from slotbooking.staff.models import StaffAuditEntry

PAGE = 100


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    staff_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None  # the next page: entries older than this one


def audit_entries(session, retailer_id: int, wanted: AuditFilter, limit: int = PAGE) -> list[StaffAuditEntry]:
    query = select(StaffAuditEntry).where(StaffAuditEntry.retailer_id == retailer_id)
    if wanted.action:
        query = query.where(StaffAuditEntry.action == wanted.action)
    if wanted.staff_id:
        query = query.where(StaffAuditEntry.staff_id == wanted.staff_id)
    if wanted.since:
        query = query.where(StaffAuditEntry.at >= wanted.since)
    if wanted.until:
        query = query.where(StaffAuditEntry.at < wanted.until)
    if wanted.before_id:
        query = query.where(StaffAuditEntry.id < wanted.before_id)
    return list(session.scalars(query.order_by(StaffAuditEntry.id.desc()).limit(limit)))


def audit_actions(session, retailer_id: int) -> list[str]:
    return sorted(
        session.scalars(
            select(distinct(StaffAuditEntry.action)).where(StaffAuditEntry.retailer_id == retailer_id)
        )
    )
