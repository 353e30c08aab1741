"""Where the card payment step joins the hosted booking flow.

The confirmation view asks ``needs_payment`` after the price re-check and before booking.
When it answers True, the view sends the shopper to ``payment_url``: the payment page
(``payment_views``). That page starts the hold's one PaymentIntent (``open_payment``), Stripe.js
confirms it in the browser, and the page then asks ``settle`` until the payment has succeeded
and the hold is booked in its booking session (``booking_sessions.service.book_in_session``, then
``reservations.service.book_hold``, which checks the payment again under the slot's lock). Without a
publishable key the hosted pages cannot show a card form: ``payment_url`` answers None and the
shopper is told to finish paying in the shop, which can pay through the API
(``/api/v1/holds/<id>/payment``).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, url_for
from sqlalchemy import select

from slotbooking.booking_sessions import service as sessions
from slotbooking.bookings.models import Booking
from slotbooking.common.errors import Conflict, HoldExpired, NotFound, PaymentRequired, PaymentsUnavailable
from slotbooking.extensions import db
from slotbooking.payments import service as payments
from slotbooking.payments.ledger import paid_through_us
from slotbooking.payments.models import Refund
from slotbooking.payments.state import HoldLimits
from slotbooking.request_context import collaborators, now
from slotbooking.security.csp import page_policy
from slotbooking.shopper.lookup import booking_of_hold, hold_is_live

STRIPE_JS_ORIGIN = "https://js.stripe.com"
# What Stripe.js itself needs (Stripe's CSP guide): its scripts and frames, 3-D Secure, its API.
STRIPE_SOURCES = {
    "script-src": "https://js.stripe.com https://*.js.stripe.com",
    "frame-src": "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com",
    "connect-src": "https://api.stripe.com",
}
# Stripe statuses of a payment that is under way without the shopper: the page keeps asking. Any other
# unfinished status (requires_payment_method, requires_action, requires_confirmation) waits for the
# shopper to pay (again), so the page shows the card form: a 3-D Secure step left half-way is never a
# page that waits for ever.
UNDER_WAY = frozenset({"processing", "requires_capture"})


def needs_payment(tenant, hold, stripe_configured: bool) -> bool:
    """Tell whether the shopper must pay for this hold before it is booked (the payments rule)."""
    return payments.payment_required(tenant, hold, stripe_configured=stripe_configured)


def card_form_available() -> bool:
    """Stripe.js needs a publishable key; without one the hosted pages take no card."""
    return bool(current_app.config.get("STRIPE_PUBLISHABLE_KEY"))


def payment_url(tenant, hold) -> str | None:
    """Return the hosted page that takes the payment for a hold, or None when it cannot."""
    if not card_form_available():
        return None
    return url_for("payment.pay", slug=tenant.slug)


def stripe_js() -> dict:
    """What the payment page hands to Stripe.js: where to load it from, and the publishable key."""
    return {
        "url": current_app.config["STRIPE_JS_URL"],
        "publishable_key": current_app.config["STRIPE_PUBLISHABLE_KEY"],
    }


def payment_page_policy() -> str:
    """Widen our page policy just enough for Stripe.js: its origins in script-, frame- and connect-src.

    Stripe's own Stripe.js gets the origins Stripe documents; any other STRIPE_JS_URL (the test
    emulator) gets its own origin for all three.
    """
    parts = urlsplit(current_app.config["STRIPE_JS_URL"])
    origin = f"{parts.scheme}://{parts.netloc}"
    sources = STRIPE_SOURCES if origin == STRIPE_JS_ORIGIN else dict.fromkeys(STRIPE_SOURCES, origin)
    return page_policy(extra_sources=sources)


def _gateway():
    return current_app.extensions["payments"]


def _limits() -> HoldLimits:
    return HoldLimits.from_config(current_app.config)


def open_payment(tenant, hold) -> payments.PaymentView:
    """Start (or find) the hold's one PaymentIntent.

    :raises HoldExpired, Conflict, PaymentNotRequired, PaymentsUnavailable, NotFound:
    """
    return payments.start_payment(db.session, _gateway(), tenant, hold.id, _limits(), now())


def read_payment(tenant, hold) -> payments.PaymentView:
    """Bring the hold's payment up to date from Stripe (the webhook may come later).

    :raises NotFound, PaymentsUnavailable:
    """
    return payments.show_payment(db.session, _gateway(), tenant, hold.id, _limits(), now())


@dataclass(frozen=True)
class Settled:
    """Where a hold's payment stands for the page.

    ``state``: "open" (waiting for a card, or the last card was not charged), "pending" (Stripe is
    still working), "unavailable" (Stripe did not answer; ask again), "booked", or "expired" (the
    hold ended; ``refund_due`` when the shopper paid for it anyway).
    """

    state: str
    booking: Booking | None = None
    refund_due: bool = False


def settle(tenant, hold, booking_session) -> Settled:
    """Bring the hold's payment up to date from Stripe and, once it has succeeded, book the hold.

    The booking is made in the hold's booking session, for the session's order.
    """
    current = now()
    if hold.status == "booked":
        return Settled("booked", booking_of_hold(db.session, hold))
    try:
        view = payments.show_payment(db.session, _gateway(), tenant, hold.id, _limits(), current)
    except NotFound:  # no payment started yet, so nothing was charged
        return Settled("open" if hold_is_live(hold, current) else "expired")
    except PaymentsUnavailable:
        return Settled("unavailable" if hold_is_live(hold, current) else "expired")
    status = view.payment.status
    if status == "succeeded":
        return _book_paid(tenant, hold, booking_session, current)
    if not hold_is_live(hold, current) or status == "canceled":
        return Settled("expired")
    return Settled("pending" if status in UNDER_WAY else "open")


def _book_paid(tenant, hold, booking_session, current) -> Settled:
    try:
        booking = sessions.book_in_session(
            db.session, collaborators(), tenant, booking_session, hold.id, current
        )
    except sessions.SessionSpent:  # the session was booked with another hold (another tab)
        return Settled("booked", sessions.booking_of(db.session, booking_session))
    except Conflict:  # booked already (another tab, or a repeated request)
        return Settled("booked", booking_of_hold(db.session, hold))
    except HoldExpired:  # paid after the hold ended: reading the payment has queued its refund
        return Settled("expired", refund_due=True)
    except PaymentRequired:  # our record has not caught up yet
        return Settled("pending")
    return Settled("booked", booking)


def paid_by_card(booking: Booking) -> int:
    """Return what the shopper paid us by card for this booking and has not had back (minor units)."""
    return paid_through_us(db.session, booking)


def refunds_of(booking: Booking) -> list[Refund]:
    """Return the refunds owed on this booking, as sending them left them (for the shopper's notice)."""
    return list(db.session.scalars(select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.id)))
