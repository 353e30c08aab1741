"""Holds and bookings on the API: what comes in, what goes out."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from slotbooking.api.schemas import PUBLIC_ID, AddressIn, AddressOut, MoneySchema
from slotbooking.api.slot_schemas import IncentiveSchema
from slotbooking.common.fields import NO_CONTROL, StrictSchema, text

STATUSES = ("confirmed", "rescheduled", "cancelled")


class HoldIn(StrictSchema):
    slot_id = fields.String(required=True, validate=PUBLIC_ID)
    quote_id = fields.String(
        load_default=None, allow_none=True, validate=[validate.Length(max=400), NO_CONTROL]
    )
    address = fields.Nested(AddressIn, required=True)
    customer_ref = text(200, load_default=None, allow_none=True)


class HoldOut(Schema):
    id = fields.String()
    slot_id = fields.String()
    status = fields.String()
    expires_at = fields.String()
    price = fields.Nested(MoneySchema)
    base_price = fields.Nested(MoneySchema)
    incentives = fields.List(fields.Nested(IncentiveSchema))


class BookingIn(StrictSchema):
    hold_id = fields.String(load_default=None, validate=PUBLIC_ID)
    slot_id = fields.String(load_default=None, validate=PUBLIC_ID)
    address = fields.Nested(AddressIn, load_default=None)
    order_ref = text(200, required=True)
    customer_ref = text(200, load_default=None, allow_none=True)

    @validates_schema
    def _hold_or_slot(self, data, **kwargs):
        if data.get("hold_id"):
            if data.get("slot_id") or data.get("address"):
                raise ValidationError("give hold_id, or slot_id with address, not both", "hold_id")
        elif not (data.get("slot_id") and data.get("address")):
            raise ValidationError("give hold_id, or slot_id with address", "hold_id")


class RescheduleIn(StrictSchema):
    slot_id = fields.String(required=True, validate=PUBLIC_ID)
    quote_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=[validate.Length(max=400), NO_CONTROL],
        metadata={"description": "a quote for the booking's address: its price for the slot is honoured"},
    )
    hold_id = fields.String(
        load_default=None,
        allow_none=True,
        validate=PUBLIC_ID,
        metadata={"description": "the hold a 402 payment_required placed for this move, once it is paid"},
    )


class BookingsQuery(StrictSchema):
    date = fields.Date(load_default=None)
    zone = fields.String(load_default=None, validate=[validate.Length(max=32), NO_CONTROL])
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    cursor = fields.String(load_default=None, validate=PUBLIC_ID)
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class BookedSlot(Schema):
    id = fields.String()
    start = fields.String()
    end = fields.String()
    zone = fields.String()


class BookingOut(Schema):
    id = fields.String()
    status = fields.String()
    slot = fields.Nested(BookedSlot)
    address = fields.Nested(AddressOut)
    price = fields.Nested(MoneySchema)
    base_price = fields.Nested(MoneySchema)
    incentives = fields.List(fields.Nested(IncentiveSchema))
    order_ref = fields.String()
    customer_ref = fields.String(allow_none=True)
    manage_url = fields.String()
    created_at = fields.String()
    price_change = fields.Nested(
        MoneySchema,
        metadata={
            "description": "on reschedule answers only: the new price minus the old (signed minor units); "
            "0 when the booking already was in that slot"
        },
    )


class BookingPage(Schema):
    bookings = fields.List(fields.Nested(BookingOut))
    next_cursor = fields.String(allow_none=True)


def _null_only(kind: str) -> dict:
    return {"type": kind, "nullable": True, "enum": [None], "description": "absent or null in this form"}


def booking_in_openapi(generated: dict) -> dict:
    """Document BookingIn as its two forms, hold_id or slot_id with address (marshmallow says one)."""
    props = generated["properties"]
    shared = {"order_ref": props["order_ref"], "customer_ref": props["customer_ref"]}
    identifier = {k: v for k, v in props["slot_id"].items() if k not in ("default", "nullable")}
    book_held = {
        "type": "object",
        "description": "Book a window held before.",
        "properties": {
            "hold_id": identifier,
            "slot_id": _null_only("string"),
            "address": _null_only("object"),
            **shared,
        },
        "required": ["hold_id", "order_ref"],
        "additionalProperties": False,
    }
    hold_and_book = {
        "type": "object",
        "description": "Hold and book a window in one step.",
        "properties": {
            "hold_id": _null_only("string"),
            "slot_id": identifier,
            "address": {"$ref": "#/components/schemas/AddressIn"},
            **shared,
        },
        "required": ["slot_id", "address", "order_ref"],
        "additionalProperties": False,
    }
    return {"oneOf": [book_held, hold_and_book]}
