"""What views hand to services: the clock and the collaborators kept on the app."""

from flask import current_app, request

from slotbooking.bookings.hold_limits import HoldOrigin
from slotbooking.bookings.service import Collaborators
from slotbooking.clock import now  # noqa: F401  (views take the clock from here)
from slotbooking.common.retry import RetryPolicy


def collaborators() -> Collaborators:
    ext = current_app.extensions
    return Collaborators(
        cache=ext["slot_cache"],
        signer=ext["quote_signer"],
        finder=ext["zone_finder"],
        links=ext["manage_links"],
        stripe_configured=ext["payments"].enabled,
        retry=RetryPolicy.from_config(current_app.config),
    )


def browser_origin(session_id: str | None = None) -> HoldOrigin:
    """Describe a hold asked for from a browser: its address (capped) and its booking session."""
    return HoldOrigin(request.remote_addr, current_app.config["HOLDS_PER_CLIENT"], session_id)
