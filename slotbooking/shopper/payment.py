"""Where a payment step joins the hosted booking flow.

The confirmation view asks ``needs_payment`` after the price re-check and before booking.
When it answers True, the view hands over to ``payment_url`` instead of booking, and the
payment flow books the hold (``bookings.service.book_hold``) once the payment succeeds.
"""


def needs_payment(tenant, hold) -> bool:
    """Tell whether the shopper must pay for this hold before it is booked (not yet: never)."""
    return False


def payment_url(tenant, hold) -> str:
    """Return the page that takes the payment for a hold.

    :raises NotImplementedError: until the payments feature provides one.
    """
    raise NotImplementedError("payments are not wired into the hosted flow yet")
