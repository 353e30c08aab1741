"""The console's audit log: every login and every change, written inside the change's own unit of work."""

from flask import has_request_context, request

from slotbooking.clock import now
from slotbooking.staff.models import StaffAuditEntry, StaffMember

_UNSET = object()


def record(
    session,
    *,
    staff: StaffMember | None,
    retailer_id: int | None,
    action: str,
    target: str,
    diff: dict | None = None,
    client_address=_UNSET,
) -> StaffAuditEntry:
    """Add an audit row to the caller's unit of work (committed, or rolled back, with the change).

    ``client_address`` defaults to the current request's client address (None outside a request).
    """
    if client_address is _UNSET:
        client_address = request.remote_addr if has_request_context() else None
    entry = StaffAuditEntry(
        at=now(),
        staff_id=staff.id if staff is not None else None,
        retailer_id=retailer_id,
        action=action,
        target=target[:254],
        diff=diff,
        client_address=client_address,
    )
    session.add(entry)
    return entry
