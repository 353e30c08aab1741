"""Where a payment step joins the hosted booking flow.

The confirmation view asks ``needs_payment`` after the price re-check and before booking.
When it answers True, the view sends the shopper to ``payment_url`` instead of booking; the
payment page then books the hold (``bookings.service.book_hold``) once the payment has
succeeded. Until the hosted pages have a card form, ``payment_url`` answers None and the
shopper is told to finish paying in the shop, which can pay through the API
(``/api/v1/holds/<id>/payment``).
"""

from slotbooking.payments.service import payment_required


def needs_payment(tenant, hold, stripe_configured: bool) -> bool:
    """Tell whether the shopper must pay for this hold before it is booked (the payments rule)."""
    return payment_required(tenant, hold, stripe_configured=stripe_configured)


def payment_url(tenant, hold) -> str | None:
    """Return the hosted page that takes the payment for a hold, or None while there is none."""
    return None
