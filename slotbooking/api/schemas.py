"""Shapes shared by every API feature: money, addresses, errors."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from slotbooking.common.fields import NO_CONTROL, POSTCODE, StrictSchema, latitude, longitude, text

PUBLIC_ID = [validate.Length(min=1, max=64), NO_CONTROL]


def path_id_parameter(_converter) -> dict:
    """Describe a path id (every string path parameter of the API is one) as the bodies' ids are."""
    return {"type": "string", "minLength": 1, "maxLength": 64, "pattern": NO_CONTROL.regex.pattern}


class MoneySchema(Schema):
    amount = fields.Integer(metadata={"description": "integer minor units, e.g. pence"})
    currency = fields.String(metadata={"example": "GBP"})


class AddressIn(StrictSchema):
    postcode = fields.String(required=True, validate=[validate.Length(max=16), POSTCODE])
    lat = latitude(load_default=None, allow_none=True)
    lon = longitude(load_default=None, allow_none=True)
    line1 = text(200, load_default=None, allow_none=True)

    @validates_schema
    def _both_coordinates(self, data, **kwargs):
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise ValidationError("give both lat and lon, or neither", "lat")


class AddressOut(Schema):
    postcode = fields.String()
    line1 = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    lon = fields.Float(allow_none=True)


class ErrorDetail(Schema):
    # Output only: "required" says in the document that every error carries all three.
    code = fields.String(required=True, metadata={"description": "machine-readable, e.g. validation_error"})
    message = fields.String(required=True, metadata={"description": "for a human"})
    details = fields.Dict(required=True, metadata={"description": "for validation_error: field -> messages"})


class ApiErrorSchema(Schema):
    error = fields.Nested(ErrorDetail, required=True)


def address_in_openapi(generated: dict) -> dict:
    """Add to AddressIn's document what its validator says: both lat and lon, or neither."""
    both = {
        "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
        "required": ["lat", "lon"],
    }
    neither = {"properties": {"lat": {"enum": [None]}, "lon": {"enum": [None]}}}
    return {**generated, "anyOf": [both, neither], "description": "give both lat and lon, or neither"}
