"""Booking sessions on the API: what comes in, what goes out."""

from marshmallow import Schema, fields, validate

from slotbooking.api.schemas import AddressIn, AddressOut
from slotbooking.common.fields import StrictSchema, text

STATUSES = ("open", "booked", "expired")


class BookingSessionIn(StrictSchema):
    order_ref = text(
        200, required=True, metadata={"description": "your order reference; shown to the shopper"}
    )
    address = fields.Nested(AddressIn, required=True)
    customer_ref = text(200, load_default=None, allow_none=True)
    return_url = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "where 'back to the shop' leads after booking: https, or http on one of "
            "your allowed_origins"
        },
    )


class BookingSessionCreated(Schema):
    id = fields.String()
    url = fields.String(metadata={"description": "the hosted booking page for this order; shown once"})
    expires_at = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})


class BookingSessionOut(Schema):
    id = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    order_ref = fields.String()
    customer_ref = fields.String(allow_none=True)
    address = fields.Nested(AddressOut)
    return_url = fields.String(allow_none=True)
    expires_at = fields.String()
    created_at = fields.String()
    booking_id = fields.String(
        allow_none=True, metadata={"description": "the booking made in it, once booked"}
    )
