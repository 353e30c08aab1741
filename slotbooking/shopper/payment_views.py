"""The hosted page's card payment step: the payment page, and the JSON check it polls after paying."""

from flask import flash, redirect, url_for
from flask_babel import lazy_gettext

from slotbooking.common.errors import (
    Conflict,
    HoldExpired,
    NotFound,
    PaymentNotRequired,
    PaymentsUnavailable,
)
from slotbooking.request_context import collaborators
from slotbooking.shopper import flow, pages, present
from slotbooking.shopper.payment import (
    UNDER_WAY,
    needs_payment,
    open_payment,
    payment_page_policy,
    payment_url,
    settle,
    stripe_js,
)

bp = pages.shopper_blueprint("payment", __name__, "/r/<slug>/book/pay")

PAID_TOO_LATE = lazy_gettext(
    "Your hold ran out before your payment went through, so the window was released. "
    "The payment will be refunded to your card. Please choose a window again."
)
MESSAGES = {
    "open": lazy_gettext("Your card was not charged. Please check the details, or try another card."),
    "pending": lazy_gettext("Waiting for your bank to confirm the payment…"),
    "unavailable": lazy_gettext("We could not reach our payment provider just now. We will keep trying."),
}


@bp.get("")
def pay(slug):
    """Show the held window, the amount and the card form (Stripe.js Elements)."""
    v = flow.visit(slug)
    if (away := flow.away_unless_holding(v, slug)) is not None:
        return away
    tenant, state, held = v.tenant, v.state, v.hold
    checkout = url_for("booking.checkout", slug=slug)
    paid_here = needs_payment(tenant, held, collaborators().stripe_configured)
    if not paid_here or payment_url(tenant, held) is None:
        return redirect(checkout)  # confirming there books it, or says where to pay
    try:
        view = open_payment(tenant, held)
    except (HoldExpired, NotFound):
        flash(str(flow.EXPIRED), "warning")
        return redirect(flow.grid_url(slug, state))
    except Conflict:
        return flow.to_booking_of(held)
    except PaymentNotRequired:
        return redirect(checkout)
    except PaymentsUnavailable:  # a page that says so, without Stripe.js
        page, status = _page(v, None, status=503)
        return page, status, {"Content-Security-Policy": pages.PAGE_POLICY}
    page, status = _page(v, view)
    return page, status, {"Content-Security-Policy": payment_page_policy()}


def _page(v, view, status: int = 200):
    tenant, held = v.tenant, v.hold
    return pages.render(
        "shopper/pay.html",
        tenant,
        status=status,
        hold=held,
        booking_session=v.booking_session,
        payment=view,
        resume=view is not None and (view.payment.status in UNDER_WAY or view.payment.status == "succeeded"),
        stripe=stripe_js(),
        when=present.when(held.slot.starts_at, held.slot.ends_at, tenant.tz, pages.locale()),
        seconds_left=pages.seconds_left(held),
        grid_url=flow.grid_url(tenant.slug, v.state),
    )


@bp.post("/check")
def check(slug):
    """Ask Stripe how the payment stands; once it has succeeded, book the hold. JSON for pay.js."""
    v = flow.visit(slug)
    tenant, state, held = v.tenant, v.state, v.hold
    if v.status == "booked" and (held is None or held.status == "booked"):
        return {"state": "booked", "next": flow.manage_url(v.booking)}
    if held is None or v.booking_session is None:
        return {"state": "expired", "next": flow.grid_url(slug, state)}
    outcome = settle(tenant, held, v.booking_session)
    if outcome.state == "booked":
        flash("booked", "booked")
        return {"state": "booked", "next": flow.manage_url(outcome.booking)}
    if outcome.state == "expired":
        flash(str(PAID_TOO_LATE if outcome.refund_due else flow.EXPIRED), "warning")
        return {"state": "expired", "next": flow.grid_url(slug, state)}
    return {"state": outcome.state, "message": str(MESSAGES[outcome.state])}
