"""Turn holds and bookings into the contract's JSON, times in the retailer's zone."""

from slotbooking.common.money import money


def hold_json(hold, tenant) -> dict:
    return {
        "id": hold.id,
        "slot_id": hold.slot_id,
        "status": hold.status,
        "expires_at": hold.expires_at.astimezone(tenant.tz).isoformat(),
        "price": money(hold.price, hold.currency),
        "base_price": money(hold.base_price, hold.currency),
        "incentives": list(hold.incentives),
    }


def booking_json(booking, tenant, links, price_change: int | None = None) -> dict:
    """The contract's Booking; ``price_change`` (new minus old price) is given on reschedule answers."""
    slot = booking.slot
    body = {
        "id": booking.id,
        "status": booking.status,
        "slot": {
            "id": slot.id,
            "start": slot.starts_at.astimezone(tenant.tz).isoformat(),
            "end": slot.ends_at.astimezone(tenant.tz).isoformat(),
            "zone": slot.zone.code,
        },
        "address": {
            "postcode": booking.postcode,
            "line1": booking.line1,
            "lat": booking.lat,
            "lon": booking.lon,
        },
        "price": money(booking.price, booking.currency),
        "base_price": money(booking.base_price, booking.currency),
        "incentives": list(booking.incentives),
        "order_ref": booking.order_ref,
        "customer_ref": booking.customer_ref,
        "manage_url": links.url(booking.id),
        "created_at": booking.created_at.astimezone(tenant.tz).isoformat(),
    }
    if price_change is not None:
        body["price_change"] = money(price_change, booking.currency)
    return body
