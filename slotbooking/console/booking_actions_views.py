"""The call centre's pages: move a booking to a window chosen from the shopper's grid, or cancel it.

Each change is confirmed on a page of its own (the price of the move, what is refunded), then
made through the operations use cases, which call the reservation services the API uses and
write the audit row naming the staff member.
"""

from flask import flash, g, redirect, request, url_for

from slotbooking.console.access import tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.ops_forms import ConfirmForm, MoveForm
from slotbooking.console.ops_support import day_arg, on_behalf, page
from slotbooking.extensions import db
from slotbooking.operations.booking_page import booking_detail
from slotbooking.operations.call_centre import (
    cancel_for_shopper,
    move_options,
    preview_move,
    reschedule_for_shopper,
)
from slotbooking.request_context import collaborators, now
from slotbooking.reservations.moves import PriceChanged


def _to_booking(slug: str, booking_id: str):
    return redirect(url_for("console.booking", slug=slug, booking_id=booking_id))


@bp.get("/r/<slug>/bookings/<booking_id>/move")
@tenant_page("editor")
def booking_move(slug: str, booking_id: str):
    day = day_arg(request.args.get("day"))
    options = move_options(db.session, collaborators(), g.console_tenant, booking_id, now(), day)
    return page("console/booking_move.html", options=options)


def _confirm_move(slug: str, booking_id: str, slot_id: str, form: MoveForm, status: int = 200):
    confirmation = preview_move(db.session, collaborators(), g.console_tenant, booking_id, slot_id, now())
    form.expected_price.data = confirmation.preview.price.price
    return page("console/booking_move_confirm.html", status, confirmation=confirmation, form=form)


@bp.get("/r/<slug>/bookings/<booking_id>/move/<slot_id>")
@tenant_page("editor")
def booking_move_confirm(slug: str, booking_id: str, slot_id: str):
    return _confirm_move(slug, booking_id, slot_id, MoveForm())


@bp.post("/r/<slug>/bookings/<booking_id>/move/<slot_id>")
@tenant_page("editor")
def booking_move_do(slug: str, booking_id: str, slot_id: str):
    form = MoveForm()
    if not form.validate_on_submit():
        return _confirm_move(slug, booking_id, slot_id, form, 422)
    try:
        move = reschedule_for_shopper(
            db.session,
            collaborators(),
            g.console_tenant,
            booking_id,
            slot_id,
            form.expected_price.data,
            now(),
            on_behalf(),
        )
    except PriceChanged:
        flash("The price of that window changed while you were deciding; here is the new one.", "warning")
        return _confirm_move(slug, booking_id, slot_id, MoveForm(formdata=None), 409)
    flash(f"Booking {move.booking.order_ref} moved.", "success")
    return _to_booking(slug, booking_id)


@bp.get("/r/<slug>/bookings/<booking_id>/cancel")
@tenant_page("editor")
def booking_cancel_confirm(slug: str, booking_id: str):
    detail = booking_detail(db.session, g.console_tenant, booking_id)
    return page("console/booking_cancel.html", detail=detail, form=ConfirmForm())


@bp.post("/r/<slug>/bookings/<booking_id>/cancel")
@tenant_page("editor")
def booking_cancel_do(slug: str, booking_id: str):
    if not ConfirmForm().validate_on_submit():
        return booking_cancel_confirm(slug=slug, booking_id=booking_id)
    cancelled = cancel_for_shopper(
        db.session, collaborators(), g.console_tenant, booking_id, now(), on_behalf()
    )
    flash(f"Booking {cancelled.order_ref} cancelled.", "success")
    return _to_booking(slug, booking_id)
