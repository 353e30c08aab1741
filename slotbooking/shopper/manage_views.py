"""The manage page behind a booking's manage link: see, reschedule, cancel."""

from flask import Blueprint, flash, get_flashed_messages, redirect, request, url_for

from slotbooking.api.context import collaborators, now
from slotbooking.bookings import service
from slotbooking.common.errors import (
    AddressNotServed,
    Conflict,
    DomainError,
    NotFound,
    SlotFull,
    SlotUnavailable,
)
from slotbooking.extensions import db
from slotbooking.shopper import pages, present
from slotbooking.shopper.csrf import protect
from slotbooking.shopper.lookup import booking_for_token
from slotbooking.shopper.payment import card_payment_of, refund_now
from slotbooking.slots.rules import closes_at

FILLED_UP = "Sorry, that window has just filled up; your booking is unchanged. Please choose another."

bp = Blueprint("manage", __name__, url_prefix="/manage/<token>")
protect(bp)
bp.after_request(pages.secure_headers)
bp.register_error_handler(DomainError, pages.friendly_error)


def _abilities(tenant, booking) -> dict:
    live = booking.status != "cancelled"
    current = now()
    return {
        "can_change": live and current < closes_at(tenant, booking.slot),
        "can_cancel": live and current < booking.slot.starts_at,
    }


def _page(template: str, tenant, booking, status: int = 200, **context):
    slot = booking.slot
    return pages.render(
        template,
        tenant,
        status=status,
        booking=booking,
        # The token the shopper came with: only its digest is stored.
        manage_token=request.view_args["token"],
        when=present.when(slot.starts_at, slot.ends_at, tenant.tz, pages.locale()),
        **_abilities(tenant, booking),
        **context,
    )


@bp.get("")
def show(token):
    """Show the booking, with the ways to change it that are still open."""
    tenant, booking = booking_for_token(db.session, token, now())
    just_booked = "booked" in get_flashed_messages(category_filter=["booked"])
    return _page("shopper/manage.html", tenant, booking, just_booked=just_booked)


@bp.get("/reschedule")
def choose_new_window(token):
    """Show the grid for the booking's address, its current window marked."""
    tenant, booking = booking_for_token(db.session, token, now())
    if not _abilities(tenant, booking)["can_change"]:
        flash("This delivery can no longer be changed online.", "warning")
        return redirect(url_for("manage.show", token=token))
    offer, week = pages.fetch_offer(tenant, booking.postcode, pages.parse_day(request.args.get("from")))
    wanted_day = request.args.get("day") or booking.service_date.isoformat()
    return _page(
        "shopper/reschedule.html",
        tenant,
        booking,
        week=week,
        **pages.grid_context(tenant, offer, wanted_day, current_slot_id=booking.slot_id),
    )


@bp.post("/reschedule")
def reschedule(token):
    """Move the booking to the chosen window; the old one is freed only once the new one is taken."""
    tenant, booking = booking_for_token(db.session, token, now())
    slot_id = request.form.get("slot_id", "")
    back = url_for("manage.choose_new_window", token=token, day=request.form.get("day") or None)
    if not slot_id:
        flash("Please choose a window from the list.", "warning")
        return redirect(back)
    try:
        service.reschedule(db.session, collaborators(), tenant, booking.id, slot_id, now())
    except SlotFull:
        flash(FILLED_UP, "warning")
        return redirect(back)
    except (SlotUnavailable, AddressNotServed, NotFound, Conflict) as error:
        flash(f"Sorry, {error.message}. Your booking is unchanged.", "warning")
        return redirect(back)
    flash("Your delivery window has been changed.", "success")
    return redirect(url_for("manage.show", token=token))


@bp.get("/cancel")
def confirm_cancel(token):
    """Ask the shopper to confirm the cancellation."""
    tenant, booking = booking_for_token(db.session, token, now())
    if not _abilities(tenant, booking)["can_cancel"]:
        return redirect(url_for("manage.show", token=token))
    paid = card_payment_of(booking)
    if paid is not None:  # shown on this page, among its notices
        amount = present.money(paid.amount, paid.currency, pages.locale())
        flash(f"You paid {amount} by card for this delivery. Cancelling refunds it to your card.", "info")
    return _page("shopper/cancel.html", tenant, booking)


@bp.post("/cancel")
def cancel(token):
    """Cancel the booking and free its window."""
    tenant, booking = booking_for_token(db.session, token, now())
    try:
        service.cancel(db.session, collaborators(), tenant, booking.id, now())
    except SlotUnavailable as error:
        flash(f"Sorry, {error.message}.", "warning")
        return redirect(url_for("manage.show", token=token))
    refund = refund_now(booking)
    flash(f"Your delivery has been cancelled.{_refund_words(refund)}", "success")
    return redirect(url_for("manage.show", token=token))


def _refund_words(refund) -> str:
    if refund is None:
        return ""
    amount = present.money(refund.amount, refund.currency, pages.locale())
    if refund.status == "succeeded":
        return f" The {amount} you paid has been refunded to your card; it can take a few days to show."
    return f" The {amount} you paid will be refunded to your card."
