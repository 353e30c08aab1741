"""Turn booking sessions into the API's JSON, times in the retailer's zone."""


def session_url(base_url: str, tenant, token: str) -> str:
    """Return the absolute link that opens the hosted booking page for a session."""
    return f"{base_url.rstrip('/')}/r/{tenant.slug}/s/{token}"


def created_json(booking_session, token: str, tenant, base_url: str) -> dict:
    return {
        "id": booking_session.id,
        "url": session_url(base_url, tenant, token),
        "expires_at": booking_session.expires_at.astimezone(tenant.tz).isoformat(),
        "status": "open",
    }


def session_json(booking_session, status: str, booking, tenant) -> dict:
    bs = booking_session
    return {
        "id": bs.id,
        "status": status,
        "order_ref": bs.order_ref,
        "customer_ref": bs.customer_ref,
        "address": {"postcode": bs.postcode, "line1": bs.line1, "lat": bs.lat, "lon": bs.lon},
        "return_url": bs.return_url,
        "expires_at": bs.expires_at.astimezone(tenant.tz).isoformat(),
        "created_at": bs.created_at.astimezone(tenant.tz).isoformat(),
        "booking_id": booking.id if booking is not None else None,
    }
