"""GET /slots: the query and the answer."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import pricing
from slotbooking.api.schemas import MoneySchema
from slotbooking.common.fields import POSTCODE, StrictSchema, latitude, longitude


class SlotsQuery(StrictSchema):
    memoise_query = True  # its answer depends on the query string alone (api/query_memo.py)

    postcode = fields.String(required=True, validate=[validate.Length(max=16), POSTCODE])
    lat = latitude(load_default=None, metadata={"description": "give both lat and lon, or neither"})
    lon = longitude(load_default=None, metadata={"description": "give both lat and lon, or neither"})
    from_date = fields.Date(
        data_key="from",
        load_default=None,
        metadata={"description": "from today (the default) to the last day of the retailer's horizon"},
    )
    days = fields.Integer(strict=False, load_default=None, validate=validate.Range(1, 90))

    @validates_schema
    def _both_coordinates(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("give both lat and lon, or neither", "lat")


REASON_PARAMS = (
    "the reason's numbers: amount (signed minor units), fee (minor units), start_minute and "
    "end_minute (the window, minutes since local midnight), nearest_stop_km and extra_km (km, "
    "to 0.1), co2_grams, places_left"
)


class IncentiveSchema(Schema):
    kind = fields.String(metadata={"description": "wide, green, offpeak, demand, cap"})
    amount = fields.Integer(metadata={"description": "signed minor units"})
    reason = fields.String(metadata={"description": "a sentence for the shopper, in the retailer's locale"})
    reason_code = fields.String(
        metadata={
            "description": "what the reason says, for wording it yourself: "
            + ", ".join(code for code in pricing.REASON_CODES if code != "green_window")
        }
    )
    reason_params = fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": REASON_PARAMS}
    )


class SlotSchema(Schema):
    id = fields.String()
    date = fields.String(
        metadata={"description": "the delivery date (YYYY-MM-DD) in the retailer's time zone"}
    )
    start = fields.String(metadata={"description": "ISO 8601 with offset"})
    end = fields.String()
    width_minutes = fields.Integer()
    available = fields.Boolean()
    remaining = fields.Integer()
    unavailable_reason = fields.String(allow_none=True)
    price = fields.Nested(MoneySchema)
    base_price = fields.Nested(MoneySchema)
    incentives = fields.List(fields.Nested(IncentiveSchema))
    green = fields.Boolean()
    green_reason = fields.String(
        allow_none=True,
        metadata={"description": "why the window is green, for its badge, in the retailer's locale"},
    )
    green_reason_code = fields.String(
        metadata={"description": "green_window; present only beside a green_reason"}
    )
    green_reason_params = fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": REASON_PARAMS}
    )
    co2_grams = fields.Integer(allow_none=True)


class SlotsResponse(Schema):
    quote_id = fields.String()
    expires_at = fields.String()
    zone = fields.String()
    slots = fields.List(fields.Nested(SlotSchema))
