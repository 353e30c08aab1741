"""The operations pages (issue 9 item 4), gathered so the console registers them with one import."""

from slotbooking.console import (  # noqa: F401  (their routes join bp)
    booking_actions_views,
    bookings_views,
    keys_views,
    webhooks_views,
)
