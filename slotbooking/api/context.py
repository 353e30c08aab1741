"""What views hand to services: the clock and the collaborators kept on the app."""

from flask import current_app

from slotbooking.bookings.service import Collaborators
from slotbooking.clock import now  # noqa: F401  (views take the clock from here)


def collaborators() -> Collaborators:
    ext = current_app.extensions
    return Collaborators(
        cache=ext["slot_cache"],
        signer=ext["quote_signer"],
        finder=ext["zone_finder"],
        links=ext["manage_links"],
        stripe_configured=ext["payments"].enabled,
    )
