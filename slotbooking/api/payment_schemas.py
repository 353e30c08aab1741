"""A hold's payment on the API."""

from marshmallow import Schema, fields

from slotbooking.api.schemas import MoneySchema


class PaymentOut(Schema):
    hold_id = fields.String()
    payment_intent_id = fields.String()
    client_secret = fields.String(metadata={"description": "for Stripe.js in the shopper's browser"})
    amount = fields.Nested(MoneySchema)
    status = fields.String(metadata={"description": "Stripe's PaymentIntent status"})
    hold_expires_at = fields.String()
