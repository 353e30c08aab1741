"""The manage page's card payment step for a dearer move: pay the difference, then the move completes.

Confirming a dearer move where the retailer charges by card through us places a *move hold* on the
new window (``reservations.service.reschedule`` raises PaymentRequired) and sends the shopper here. The
page starts that hold's one PaymentIntent, for the difference; Stripe.js confirms it (pay.js, as on
the hosted booking page), and pay.js then asks ``check`` until the payment has succeeded and the
move has completed (the same ``reschedule``, which checks the payment again under the slots' locks).
Until then the booking stays where it was.
"""

from contextlib import suppress

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from slotbooking.common.errors import (
    Conflict,
    HoldExpired,
    NotFound,
    PaymentNotRequired,
    PaymentRequired,
    PaymentsUnavailable,
    SlotUnavailable,
)
from slotbooking.extensions import db
from slotbooking.request_context import collaborators, now
from slotbooking.reservations import moves, service
from slotbooking.shopper import pages, present
from slotbooking.shopper.lookup import booking_for_token, hold_is_live
from slotbooking.shopper.manage_views import changed_words
from slotbooking.shopper.payment import (
    UNDER_WAY,
    card_form_available,
    open_payment,
    payment_page_policy,
    read_payment,
    stripe_js,
)

bp = pages.shopper_blueprint("move_payment", __name__, "/manage/<token>/reschedule/pay")

LAPSED = lazy_gettext(
    "The new window was held for you for a while and that time ran out. Your delivery is unchanged."
)
PAID_TOO_LATE = lazy_gettext(
    "The new window's hold ran out before your payment went through, so your delivery is unchanged. "
    "The difference you paid will be refunded to your card."
)
MESSAGES = {
    "open": lazy_gettext("Your card was not charged. Please check the details, or try another card."),
    "pending": lazy_gettext("Waiting for your bank to confirm the payment…"),
    "unavailable": lazy_gettext("We could not reach our payment provider just now. We will keep trying."),
}


def _grid(token):
    return redirect(url_for("manage.choose_new_window", token=token))


@bp.get("")
def pay(token):
    """Show the new window, the difference to pay and the card form."""
    tenant, booking = booking_for_token(db.session, token, now())
    hold = moves.latest_move_hold(db.session, booking)
    if hold is not None and hold.status == "booked":
        return redirect(url_for("manage.show", token=token))
    if not hold_is_live(hold, now()):
        flash(str(LAPSED), "warning")
        return _grid(token)
    if not card_form_available():  # no publishable key: Stripe.js cannot take the card here
        return release(token)
    try:
        view = open_payment(tenant, hold)
    except (HoldExpired, NotFound):
        flash(str(LAPSED), "warning")
        return _grid(token)
    except (Conflict, PaymentNotRequired):  # used already, or the retailer stopped charging by card
        return redirect(url_for("manage.review", token=token, slot_id=hold.slot_id))
    except PaymentsUnavailable:
        page, status = _page(tenant, booking, hold, None, status=503)
        return page, status, {"Content-Security-Policy": pages.PAGE_POLICY}
    page, status = _page(tenant, booking, hold, view)
    return page, status, {"Content-Security-Policy": payment_page_policy()}


def _page(tenant, booking, hold, view, status: int = 200):
    locale = pages.locale()
    return pages.render(
        "shopper/reschedule_pay.html",
        tenant,
        status=status,
        booking=booking,
        manage_token=request.view_args["token"],
        hold=hold,
        payment=view,
        resume=view is not None and (view.payment.status in UNDER_WAY or view.payment.status == "succeeded"),
        stripe=stripe_js(),
        when=present.when(booking.slot.starts_at, booking.slot.ends_at, tenant.tz, locale),
        new_when=present.when(hold.slot.starts_at, hold.slot.ends_at, tenant.tz, locale),
        seconds_left=pages.seconds_left(hold),
    )


@bp.post("/check")
def check(token):
    """Ask Stripe how the payment stands; once it has succeeded, complete the move. JSON for pay.js."""
    tenant, booking = booking_for_token(db.session, token, now())
    hold, current = moves.latest_move_hold(db.session, booking), now()
    done = {"state": "booked", "next": url_for("manage.show", token=token)}
    if hold is None:
        return {"state": "expired", "next": url_for("manage.choose_new_window", token=token)}
    if hold.status == "booked":
        return done
    try:
        status = read_payment(tenant, hold).payment.status
    except NotFound:  # no payment started, so nothing was charged
        status = None
    except PaymentsUnavailable:
        status = "unavailable"
    if status == "succeeded":
        return _complete(tenant, booking, hold, current, done)
    if not hold_is_live(hold, current) or status == "canceled":
        flash(str(LAPSED), "warning")
        return {"state": "expired", "next": url_for("manage.choose_new_window", token=token)}
    state = "unavailable" if status == "unavailable" else "pending" if status in UNDER_WAY else "open"
    return {"state": state, "message": str(MESSAGES[state])}


def _complete(tenant, booking, hold, current, done: dict) -> dict:
    token = request.view_args["token"]
    try:
        move = service.complete_paid_move(
            db.session, collaborators(), tenant, booking.id, hold.id, hold.slot_id, current
        )
    except PaymentRequired:  # our record of the payment has not caught up yet
        return {"state": "pending", "message": str(MESSAGES["pending"])}
    except (HoldExpired, Conflict, SlotUnavailable, NotFound) as error:
        # Paid, but the move cannot happen (the hold ran out, or the booking changed or closed):
        # the hold was given back, and `payments refunds` refunds what was paid for it.
        flash(
            str(PAID_TOO_LATE)
            if isinstance(error, HoldExpired)
            else _(
                "Sorry, %(problem)s. Your delivery is unchanged, and the difference you paid will be "
                "refunded to your card.",
                problem=error.message,
            ),
            "warning",
        )
        return {"state": "expired", "next": url_for("manage.show", token=token)}
    flash(changed_words(move), "success")
    return done


@bp.post("/release")
def release(token):
    """Give the new window back and keep the booking as it is."""
    tenant, booking = booking_for_token(db.session, token, now())
    hold = moves.latest_move_hold(db.session, booking)
    if hold is not None and hold.status == "active":
        with suppress(Conflict, NotFound):
            service.release_hold(db.session, collaborators(), tenant, hold.id, now())
    flash(_("Your delivery is unchanged."), "info")
    return redirect(url_for("manage.show", token=token))
