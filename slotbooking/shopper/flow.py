"""The hosted booking flow's shared steps: where the shopper's hold lives and where to send them."""

from flask import current_app, flash, redirect, session, url_for

from slotbooking.api.context import now
from slotbooking.extensions import db
from slotbooking.shopper.lookup import booking_of_hold, hold_is_live, hold_of, tenant_for_slug

EXPIRED = (
    "Your hold ran out, so the window was released. Please choose a window again: the grid is up to date."
)


def state_key(slug: str) -> str:
    return f"hold:{slug}"


def grid_url(slug: str, state: dict, **extra) -> str:
    args = {k: state.get(k) for k in ("order_ref", "postcode", "day")} | extra
    return url_for("booking.book", slug=slug, **{k: v for k, v in args.items() if v})


def held(slug: str):
    """Return the retailer, the shopper's flow state and their hold (or None)."""
    tenant = tenant_for_slug(db.session, slug)
    state = session.get(state_key(slug)) or {}
    return tenant, state, hold_of(db.session, tenant, state.get("hold_id"))


def manage_url(booking) -> str:
    """Return the path of the booking's manage page (its token is derived, never stored)."""
    return url_for("manage.show", token=current_app.extensions["manage_links"].token(booking.id))


def to_booking_of(hold):
    """A repeated confirmation (double click, back button) lands on the booking it made."""
    booking = booking_of_hold(db.session, hold)
    return redirect(manage_url(booking))


def leave_unless_live(slug: str, state: dict, hold, warn_when_missing: bool = False):
    """Return where to send a shopper whose hold was booked (its booking) or is gone (the grid).

    None means the hold is live and the page can go on.
    """
    if hold is not None and hold.status == "booked":
        return to_booking_of(hold)
    if not hold_is_live(hold, now()):
        if hold is not None or warn_when_missing:
            flash(EXPIRED, "warning")
        return redirect(grid_url(slug, state))
    return None
