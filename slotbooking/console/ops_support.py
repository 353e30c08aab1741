"""What the operations pages share: who acts (the audit recorder), times in the retailer's zone, the page.

The operations use cases (slotbooking/operations/) take an ``on_behalf`` recorder; here it is
the staff audit log, naming the signed-in staff member and the retailer of the page.
"""

from datetime import date, datetime

from flask import g

from slotbooking.common.errors import ValidationFailed
from slotbooking.console.access import signed_in_staff
from slotbooking.console.render import render
from slotbooking.staff import audit


def on_behalf():
    """Return the recorder that writes the signed-in staff member's audit row for this page's retailer."""
    staff, retailer_id = signed_in_staff(), g.console_tenant.id

    def record(session, action, target, diff=None):
        # The audit log's "changes" shape: [field, old, new] for each field the use case changed.
        changes = {"changes": [[field, old, new] for field, (old, new) in diff.items()]} if diff else None
        audit.record(
            session, staff=staff, retailer_id=retailer_id, action=action, target=target, diff=changes
        )

    return record


_STYLES = {"full": "%a %d %b %Y %H:%M", "log": "%d %b %H:%M:%S", "time": "%H:%M"}


def when(moment: datetime | None, style: str = "full") -> str:
    """A stored UTC time in the retailer's zone: "Tue 24 Nov 2026 08:00", "24 Nov 08:00:31" or "08:00"."""
    if moment is None:
        return "–"
    return moment.astimezone(g.console_tenant.tz).strftime(_STYLES[style])


def window_of(slot) -> str:
    """A slot as the call centre reads it out: "Tue 24 Nov 08:00–09:00"."""
    tz = g.console_tenant.tz
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    return f"{start:%a %d %b} {start:%H:%M}–{end:%H:%M}"


def page(template: str, status: int = 200, **context):
    """Render an operations page with its formatting helpers."""
    return render(template, status, when=when, window_of=window_of, **context)


def day_arg(text: str | None, name: str = "day") -> date | None:
    """:raises ValidationFailed: a day that is not YYYY-MM-DD."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{name} reads YYYY-MM-DD", {name: [text]}) from None


def page_arg(text: str | None) -> int:
    """:raises ValidationFailed: a page that is not a whole number from 1."""
    if not text:
        return 1
    if not text.isdigit() or not 1 <= int(text) <= 100_000:
        raise ValidationFailed("page is a whole number from 1", {"page": [text]})
    return int(text)
