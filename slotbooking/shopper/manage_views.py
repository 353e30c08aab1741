"""The manage page behind a booking's manage link: see, reschedule, cancel."""

from flask import flash, get_flashed_messages, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from slotbooking.booking_sessions import service as sessions
from slotbooking.common.errors import (
    AddressNotServed,
    Conflict,
    NotFound,
    PaymentRequired,
    SlotFull,
    SlotUnavailable,
)
from slotbooking.extensions import db
from slotbooking.request_context import collaborators, now
from slotbooking.reservations import moves, service
from slotbooking.shopper import pages, present
from slotbooking.shopper.lookup import booking_for_token
from slotbooking.shopper.payment import card_form_available, paid_by_card, refunds_of
from slotbooking.slots.booking_rules import closes_at

FILLED_UP = lazy_gettext(
    "Sorry, that window has just filled up; your booking is unchanged. Please choose another."
)

bp = pages.shopper_blueprint("manage", __name__, "/manage/<token>")


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
    made_in = sessions.session_of_booking(db.session, booking) if just_booked else None
    return _page(
        "shopper/manage.html",
        tenant,
        booking,
        just_booked=just_booked,
        return_url=made_in.return_url if made_in else None,
    )


@bp.get("/reschedule")
def choose_new_window(token):
    """Show the grid for the booking's address, priced for it now, its current window marked."""
    tenant, booking = booking_for_token(db.session, token, now())
    if not _abilities(tenant, booking)["can_change"]:
        flash(_("This delivery can no longer be changed online."), "warning")
        return redirect(url_for("manage.show", token=token))
    offer, week = pages.fetch_offer(
        tenant, moves.address_of(booking), pages.parse_day(request.args.get("from"))
    )
    wanted_day = request.args.get("day") or booking.service_date.isoformat()
    return _page(
        "shopper/reschedule.html",
        tenant,
        booking,
        week=week,
        **pages.grid_context(tenant, offer, wanted_day, current_slot_id=booking.slot_id),
    )


@bp.post("/reschedule/review")
def review_choice(token):
    """Take the window picked on the grid to the page that shows what the change costs."""
    booking_for_token(db.session, token, now())
    slot_id = request.form.get("slot_id", "")
    if not slot_id:
        flash(_("Please choose a window from the list."), "warning")
        return redirect(url_for("manage.choose_new_window", token=token))
    args = {k: request.form.get(k) or None for k in ("quote_id", "day")}
    return redirect(url_for("manage.review", token=token, slot_id=slot_id, **args))


@bp.get("/reschedule/review")
def review(token):
    """Show the new window's price beside the current one, and what changes hands, before confirming."""
    tenant, booking = booking_for_token(db.session, token, now())
    day, quote_id = request.args.get("day"), request.args.get("quote_id") or None
    back = url_for("manage.choose_new_window", token=token, day=day or None)
    try:
        preview = service.preview_reschedule(
            db.session, collaborators(), tenant, booking.id, request.args.get("slot_id", ""), quote_id, now()
        )
    except (SlotUnavailable, AddressNotServed, NotFound, Conflict) as error:
        flash(_("Sorry, %(problem)s. Your booking is unchanged.", problem=error.message), "warning")
        return redirect(back)
    slot = preview.slot
    return _page(
        "shopper/reschedule_review.html",
        tenant,
        booking,
        preview=preview,
        new_when=present.when(slot.starts_at, slot.ends_at, tenant.tz, pages.locale()),
        quote_id=quote_id,
        day=day,
        can_pay_here=card_form_available(),
    )


@bp.post("/reschedule")
def reschedule(token):
    """Move the booking to the confirmed window at the price shown; a dearer card move goes to payment."""
    tenant, booking = booking_for_token(db.session, token, now())
    slot_id, quote_id, day = (request.form.get(k) or None for k in ("slot_id", "quote_id", "day"))
    back = url_for("manage.choose_new_window", token=token, day=day)
    shown = request.form.get("price", "")
    if not slot_id or not shown.isdigit():
        flash(_("Please choose a window from the list."), "warning")
        return redirect(back)
    try:
        deps = collaborators()
        move = service.reschedule(
            db.session, deps, tenant, booking.id, slot_id, now(), quote_id, expected_price=int(shown)
        )
    except moves.PriceChanged as error:
        price = present.money(error.details["price"], booking.currency, pages.locale())
        flash(
            _("The price of this window is now %(price)s. Please check it and confirm again.", price=price),
            "warning",
        )
        return redirect(url_for("manage.review", token=token, slot_id=slot_id, day=day))
    except PaymentRequired:
        return redirect(url_for("move_payment.pay", token=token))
    except SlotFull:
        flash(str(FILLED_UP), "warning")
        return redirect(back)
    except (SlotUnavailable, AddressNotServed, NotFound, Conflict) as error:
        flash(_("Sorry, %(problem)s. Your booking is unchanged.", problem=error.message), "warning")
        return redirect(back)
    refunds = [r for r in refunds_of(booking) if r.id in move.refund_ids] if move.refunded else []
    flash(changed_words(move, refunds), "success")
    return redirect(url_for("manage.show", token=token))


def changed_words(move, refunds=()) -> str:
    """Say that the window changed, at what price, and what was paid or is refunded."""
    loc, currency = pages.locale(), move.booking.currency
    words = [_("Your delivery window has been changed.")]
    if move.price_change:
        words.append(
            _("Your delivery now costs %(price)s.", price=present.money(move.booking.price, currency, loc))
        )
    if move.paid:
        words.append(
            _("You paid the %(amount)s difference by card.", amount=present.money(move.paid, currency, loc))
        )
    if refunds:
        amount = present.money(sum(r.amount for r in refunds), currency, loc)
        if all(r.status == "succeeded" for r in refunds):
            words.append(
                _(
                    "The %(amount)s difference has been refunded to your card (allow a few days).",
                    amount=amount,
                )
            )
        else:
            words.append(_("The %(amount)s difference will be refunded to your card.", amount=amount))
    return " ".join(words)


@bp.get("/cancel")
def confirm_cancel(token):
    """Ask the shopper to confirm the cancellation."""
    tenant, booking = booking_for_token(db.session, token, now())
    if not _abilities(tenant, booking)["can_cancel"]:
        return redirect(url_for("manage.show", token=token))
    paid = paid_by_card(booking)
    if paid:  # shown on this page, among its notices
        amount = present.money(paid, booking.currency, pages.locale())
        flash(
            _(
                "You paid %(amount)s by card for this delivery. Cancelling refunds it to your card.",
                amount=amount,
            ),
            "info",
        )
    return _page("shopper/cancel.html", tenant, booking)


@bp.post("/cancel")
def cancel(token):
    """Cancel the booking and free its window."""
    tenant, booking = booking_for_token(db.session, token, now())
    try:
        service.cancel(db.session, collaborators(), tenant, booking.id, now())
    except SlotUnavailable as error:
        flash(_("Sorry, %(problem)s.", problem=error.message), "warning")
        return redirect(url_for("manage.show", token=token))
    refunds = [r for r in refunds_of(booking) if r.reason == "booking_cancelled"]
    flash(" ".join([_("Your delivery has been cancelled."), *_refund_words(refunds)]), "success")
    return redirect(url_for("manage.show", token=token))


def _refund_words(refunds) -> list[str]:
    if not refunds:
        return []
    amount = present.money(sum(r.amount for r in refunds), refunds[0].currency, pages.locale())
    if all(r.status == "succeeded" for r in refunds):
        return [
            _(
                "The %(amount)s you paid has been refunded to your card; it can take a few days to show.",
                amount=amount,
            )
        ]
    return [_("The %(amount)s you paid will be refunded to your card.", amount=amount)]
