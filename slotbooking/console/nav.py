"""The console's navigation, in one place: a new page is one line here.

Each entry is shown to staff whose role at the retailer is at least ``min_role``; the endpoint
takes the retailer's ``slug``.
"""

from dataclasses import dataclass

from slotbooking.staff.models import role_rank


@dataclass(frozen=True)
class NavEntry:
    label: str
    endpoint: str
    min_role: str


NAV: list[NavEntry] = [
    NavEntry("Overview", "console.overview", "viewer"),
    NavEntry("Pricing rules", "console.pricing", "viewer"),
    NavEntry("Setup", "console.setup", "viewer"),
    NavEntry("Draft and preview", "console.draft", "viewer"),
    NavEntry("Versions", "console.versions", "viewer"),
    NavEntry("Dashboards", "console.dashboards", "viewer"),
    NavEntry("Bookings", "console.bookings", "viewer"),
    NavEntry("Webhooks", "console.webhooks", "viewer"),
    NavEntry("API keys", "console.api_keys", "viewer"),
    NavEntry("Staff", "console.staff", "admin"),
    NavEntry("Audit log", "console.audit", "editor"),
]


def entries_for(role: str) -> list[NavEntry]:
    """Return the entries a role may open, in order."""
    return [entry for entry in NAV if role_rank(role) >= role_rank(entry.min_role)]
