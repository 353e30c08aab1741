"""What views hand to services: the clock and the collaborators kept on the app."""

from flask import current_app

from slotbooking.bookings.service import Collaborators


def now():
    """Return the current UTC time from the app's clock (tests may replace the clock)."""
    return current_app.extensions["clock"]()


def collaborators() -> Collaborators:
    ext = current_app.extensions
    return Collaborators(
        cache=ext["slot_cache"],
        signer=ext["quote_signer"],
        finder=ext["zone_finder"],
        stripe_configured=ext["payments"].enabled,
    )
