"""The retailer's audit log page: who changed what and when, with the diff; filterable."""

from datetime import date, datetime, time, timedelta

from flask import g, request, url_for

from slotbooking.console.access import tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.render import render
from slotbooking.extensions import db
from slotbooking.staff.accounts import emails_of, members_of
from slotbooking.staff.audit_log import PAGE, AuditFilter, audit_actions, audit_entries


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 12 else None


@bp.get("/r/<slug>/audit")
@tenant_page("editor")
def audit(slug: str):
    tenant = g.console_tenant
    since, until = _day(request.args.get("from")), _day(request.args.get("to"))

    def local_midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tenant.tz)

    wanted = AuditFilter(
        action=request.args.get("action") or None,
        staff_id=_int(request.args.get("staff")),
        since=local_midnight(since) if since else None,
        until=local_midnight(until + timedelta(days=1)) if until else None,
        before_id=_int(request.args.get("before")),
    )
    entries = audit_entries(db.session, tenant.id, wanted)
    members = members_of(db.session, tenant.id)
    names = emails_of(db.session, {e.staff_id for e in entries if e.staff_id})
    older = None
    if len(entries) >= PAGE:
        kept = {k: v for k, v in request.args.items() if k != "before"}
        older = url_for("console.audit", slug=slug, **kept, before=entries[-1].id)
    return render(
        "console/audit.html",
        older=older,
        entries=entries,
        names=names,
        actions=audit_actions(db.session, tenant.id),
        members=members,
        query=request.args,
        tz=tenant.tz,
        bad_dates=bool(request.args.get("from") and not since or request.args.get("to") and not until),
    )
