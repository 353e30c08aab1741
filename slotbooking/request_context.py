"""What views hand to use cases: the clock, the collaborators kept on the app, a browser's origin.

Services never read ``current_app``, ``g`` or ``request``; the views (API, hosted pages, widget)
read them here, once, and pass plain values and collaborators down.
"""

from flask import current_app, request

from slotbooking.bookings.hold_limits import HoldOrigin
from slotbooking.clock import now  # noqa: F401  (views take the clock from here)
from slotbooking.common.retry import RetryPolicy
from slotbooking.payments.refunds import RefundSender
from slotbooking.reservations.service import Collaborators


def collaborators() -> Collaborators:
    ext = current_app.extensions
    return Collaborators(
        cache=ext["slot_cache"],
        signer=ext["quote_signer"],
        finder=ext["zone_finder"],
        links=ext["manage_links"],
        stripe_configured=ext["payments"].enabled,
        retry=RetryPolicy.from_config(current_app.config),
        send_refunds=refund_sender(),
    )


def refund_sender() -> RefundSender:
    """Send refunds that are due now through this app's Stripe gateway, on its clock."""
    ext = current_app.extensions
    return RefundSender(ext["payments"], ext["clock"])


def browser_origin(session_id: str | None = None) -> HoldOrigin:
    """Describe a hold asked for from a browser: its address (capped) and its booking session."""
    return HoldOrigin(request.remote_addr, current_app.config["HOLDS_PER_CLIENT"], session_id)
