"""The hosted booking flow's shared steps: the browser's booking session, its hold, where to send them.

Opening a session's link binds the browser's (Flask, signed) session to the booking session;
every step of the hosted page then reads the order and the address from that booking session,
never from the query string or a form. A page reached without one explains itself.
"""

from dataclasses import dataclass

from flask import current_app, flash, redirect, session, url_for
from flask_babel import lazy_gettext

from slotbooking.booking_sessions import service as sessions
from slotbooking.booking_sessions.models import BookingSession
from slotbooking.bookings.models import Booking, Hold
from slotbooking.common.errors import NotFound
from slotbooking.extensions import db
from slotbooking.request_context import now
from slotbooking.retailers.tenant import Tenant
from slotbooking.shopper import pages
from slotbooking.shopper.lookup import booking_of_hold, hold_is_live, hold_of, tenant_for_slug

EXPIRED = lazy_gettext(
    "Your hold ran out, so the window was released. Please choose a window again: the grid is up to date."
)
# Why a page cannot go on without an open booking session, and the status it answers with.
LINK_PROBLEMS = {"missing": 403, "unknown": 404, "expired": 410, "not_served": 422}


def state_key(slug: str) -> str:
    return f"hold:{slug}"


def grid_url(slug: str, state: dict, **extra) -> str:
    args = {"day": state.get("day")} | extra
    return url_for("booking.book", slug=slug, **{k: v for k, v in args.items() if v})


@dataclass(frozen=True)
class Visit:
    """The browser's place in the flow: its booking session (and how it stands), state and hold."""

    tenant: Tenant
    state: dict
    booking_session: BookingSession | None
    status: str  # "open", "booked", "expired" or "missing"
    booking: Booking | None
    hold: Hold | None


def visit(slug: str) -> Visit:
    """Return where this browser stands with the retailer's hosted page."""
    tenant = tenant_for_slug(db.session, slug)
    state = session.get(state_key(slug)) or {}
    found, status, booking = None, "missing", None
    if state.get("session_id"):
        try:
            found = sessions.get_session(db.session, tenant, state["session_id"])
        except NotFound:
            found = None
    if found is not None:
        status, booking = sessions.status_of(db.session, found, now())
    hold = hold_of(db.session, tenant, state.get("hold_id")) if found is not None else None
    if hold is not None and hold.session_id != found.id:
        hold = None
    return Visit(tenant, state, found, status, booking, hold)


def bind(slug: str, booking_session: BookingSession) -> None:
    """Make this browser's hosted page work for the booking session (keeping its hold if it is the same)."""
    state = session.get(state_key(slug)) or {}
    if state.get("session_id") != booking_session.id:
        session[state_key(slug)] = {"session_id": booking_session.id}


def link_problem(tenant, reason: str, booking_session: BookingSession | None = None):
    """Render the page that says why the hosted page cannot go on, and what to do."""
    return pages.render(
        "shopper/link_problem.html",
        tenant,
        status=LINK_PROBLEMS[reason],
        reason=reason,
        booking_session=booking_session,
        lifetime_hours=current_app.config["BOOKING_SESSION_HOURS"],
    )


def to_booking(booking: Booking):
    """Send the browser to the booking's manage page."""
    return redirect(manage_url(booking))


def away_unless_open(v: Visit, allow_live_hold: bool = False):
    """Return where to send a browser whose booking session cannot go on; None when it can.

    A booked session leads to its booking. With ``allow_live_hold`` (confirming and paying), a
    hold taken before the link expired may still be finished while it lasts.
    """
    if v.status == "booked":
        return to_booking(v.booking)
    if v.status == "open":
        return None
    if v.status == "expired" and allow_live_hold and hold_is_live(v.hold, now()):
        return None
    return link_problem(v.tenant, v.status, v.booking_session)


def manage_url(booking) -> str:
    """Return the path of the booking's manage page (its token is derived, never stored)."""
    return url_for("manage.show", token=current_app.extensions["manage_links"].token(booking.id))


def to_booking_of(hold):
    """A repeated confirmation (double click, back button) lands on the booking it made."""
    return to_booking(booking_of_hold(db.session, hold))


def away_unless_holding(v: Visit, slug: str, warn_when_missing: bool = False):
    """Return where to send a shopper who cannot finish a hold here (checkout, confirm, pay); None: go on.

    The session must be open (or expired with its hold still live), and the hold live.
    """
    away = away_unless_open(v, allow_live_hold=True)
    return away if away is not None else leave_unless_live(slug, v.state, v.hold, warn_when_missing)


def leave_unless_live(slug: str, state: dict, hold, warn_when_missing: bool = False):
    """Return where to send a shopper whose hold was booked (its booking) or is gone (the grid).

    None means the hold is live and the page can go on.
    """
    if hold is not None and hold.status == "booked":
        return to_booking_of(hold)
    if not hold_is_live(hold, now()):
        if hold is not None or warn_when_missing:
            flash(str(EXPIRED), "warning")
        return redirect(grid_url(slug, state))
    return None
