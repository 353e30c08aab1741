"""The setup document (API.md, "Setup document"), validated field by field."""

import dataclasses
import math
import re

from marshmallow import INCLUDE, ValidationError, fields, pre_load, validate, validates_schema

import pricing
from slotbooking.common.fields import (
    StrictSchema,
    clock_time,
    latitude,
    longitude,
    money,
    text,
    timezone_name,
)
from slotbooking.wording import DEFAULT_LOCALE, SUPPORTED_LOCALES

RULE_DEFAULTS = {f.name: f.default for f in dataclasses.fields(pricing.PricingRules)}
CHOICE_DEFAULTS = {f.name: f.default for f in dataclasses.fields(pricing.ChoiceParameters)}


def _typed_errors(values, defaults: dict, prefix: str = "") -> dict:
    """Check engine parameters against the type of their defaults."""
    if not isinstance(values, dict):
        return {prefix: ["must be an object"]}
    errors = {}
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else key
        if key not in defaults:
            errors[path] = ["unknown pricing setting"]
            continue
        default = defaults[key]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 100_000_000
        elif isinstance(default, float):
            ok = numeric and math.isfinite(value) and abs(value) <= 1e6
        elif default is None:  # optional mapping such as emission_factors
            ok = value is None or (
                isinstance(value, dict)
                and all(isinstance(v, int | float) and 0 <= v < 100 for v in value.values())
            )
        else:
            ok = isinstance(value, type(default))
        if not ok:
            errors[path] = [f"must be like {default!r}"]
    return errors


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
VEHICLES = ("diesel_van", "electric_van", "cargo_bike")
CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="letters, digits, - and _ only")
ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def _origin(value: str) -> None:
    if not ORIGIN.match(value):
        raise ValidationError(f'"{value}" is not an origin such as https://shop.example')


class RetailerSection(StrictSchema):
    slug = fields.String(
        required=True,
        validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,62}$", error="lower-case slug"),
    )
    name = text(required=True)
    timezone = timezone_name(load_default="Europe/London")
    currency = fields.String(
        load_default="GBP", validate=validate.Regexp(r"^[A-Z]{3}$", error="ISO 4217 code")
    )
    locale = fields.String(
        load_default=DEFAULT_LOCALE,
        validate=validate.OneOf(SUPPORTED_LOCALES, error="one of {choices}"),
        metadata={"description": "shopper pages' and reasons' language and formats, e.g. en_GB, de_DE"},
    )
    allowed_origins = fields.List(
        fields.String(validate=_origin), load_default=list, validate=validate.Length(max=50)
    )


class DepotSection(StrictSchema):
    code = fields.String(required=True, validate=CODE)
    name = text(required=True)
    lat = latitude(required=True)
    lon = longitude(required=True)


class ZoneSection(StrictSchema):
    code = fields.String(required=True, validate=CODE)
    name = text(required=True)
    depot = fields.String(required=True, validate=CODE)
    postcode_prefixes = fields.List(text(16), required=True, validate=validate.Length(min=1, max=500))
    lat = latitude(required=True)
    lon = longitude(required=True)


class FleetSection(StrictSchema):
    depot = fields.String(required=True, validate=CODE)
    vehicle = fields.String(required=True, validate=validate.OneOf(VEHICLES))
    count = fields.Integer(strict=True, required=True, validate=validate.Range(0, 10_000))
    stops_per_vehicle = fields.Integer(strict=True, required=True, validate=validate.Range(1, 500))
    shift_start = clock_time(load_default="07:00")
    shift_end = clock_time(load_default="21:00")

    @validates_schema
    def _shift_order(self, data, **kwargs):
        if data["shift_end"] <= data["shift_start"]:
            raise ValidationError("must end after it starts", "shift_end")


class ZonesField(fields.Field):
    """Either "*" (every zone) or a list of zone codes."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "*":
            return ["*"]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return value
        raise ValidationError('must be "*" or a non-empty list of zone codes')

    def _serialize(self, value, attr, obj, **kwargs):
        return "*" if value == ["*"] else value


class SlotTemplateSection(StrictSchema):
    zones = ZonesField(required=True)
    weekdays = fields.List(
        fields.String(validate=validate.OneOf(WEEKDAYS)),
        required=True,
        validate=validate.Length(min=1, max=7),
    )
    start = clock_time(required=True)
    end = clock_time(required=True)
    capacity = fields.Integer(strict=True, required=True, validate=validate.Range(0, 10_000))
    fee = money(load_default=0)

    @validates_schema
    def _window_order(self, data, **kwargs):
        if data["end"] <= data["start"]:
            raise ValidationError("must end after it starts", "end")


class BookingRulesSection(StrictSchema):
    horizon_days = fields.Integer(strict=True, load_default=14, validate=validate.Range(1, 90))
    lead_time_hours = fields.Integer(strict=True, load_default=12, validate=validate.Range(0, 720))
    cutoff = clock_time(load_default=None, allow_none=True)
    hold_minutes = fields.Integer(strict=True, load_default=15, validate=validate.Range(1, 120))
    blackout_dates = fields.List(fields.Date(), load_default=list, validate=validate.Length(max=400))


class PricingSection(StrictSchema):
    """Known keys are checked; further engine parameters pass through to the pricing engine."""

    class Meta:
        unknown = INCLUDE

    mode = fields.String(load_default="flat", validate=validate.OneOf(("flat", "static", "dynamic")))
    solver = fields.String(validate=validate.OneOf(("highs", "cbc")))
    daily_discount_budget = money(allow_none=True, validate=validate.Range(0, 100_000_000))
    base_fee = money(load_default=400, validate=validate.Range(0, 1_000_000))
    min_fee = money(load_default=0, validate=validate.Range(0, 1_000_000))
    max_fee = money(load_default=900, validate=validate.Range(0, 1_000_000))
    max_discount = money(load_default=300, validate=validate.Range(0, 1_000_000))
    carbon_price_per_kg = money(load_default=10, validate=validate.Range(0, 100_000))

    @validates_schema
    def _bounds(self, data, **kwargs):
        if not data["min_fee"] <= data["base_fee"] <= data["max_fee"]:
            raise ValidationError("needs min_fee <= base_fee <= max_fee", "base_fee")

    @validates_schema
    def _engine_parameters(self, data, **kwargs):
        """Further keys must be pricing-engine rules (or "choice" parameters) of the right type."""
        declared = set(self.fields)
        errors = {}
        for key, value in data.items():
            if key in declared:
                continue
            if key == "choice":
                errors.update(_typed_errors(value, CHOICE_DEFAULTS, "choice"))
            elif key in RULE_DEFAULTS:
                errors.update(_typed_errors({key: value}, RULE_DEFAULTS))
            else:
                errors[key] = ["unknown pricing setting"]
        if errors:
            raise ValidationError(errors)


class PaymentsSection(StrictSchema):
    """Who collects the delivery fee: the retailer at its own checkout, or we, by card with Stripe."""

    collect = fields.String(load_default="retailer", validate=validate.OneOf(("retailer", "stripe")))


def _webhook_url(value: str) -> None:
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", value) or len(value) > 500:
        raise ValidationError(f'"{value}" is not an http(s) URL')


class EventsSection(StrictSchema):
    """Where the retailer's booking and hold events are sent (null: nowhere)."""

    webhook_url = fields.String(load_default=None, allow_none=True, validate=_webhook_url)


class SetupDocument(StrictSchema):
    retailer = fields.Nested(RetailerSection, required=True)
    depots = fields.List(fields.Nested(DepotSection), required=True, validate=validate.Length(min=1))
    zones = fields.List(fields.Nested(ZoneSection), required=True, validate=validate.Length(min=1))
    fleet = fields.List(fields.Nested(FleetSection), load_default=list)
    slot_templates = fields.List(fields.Nested(SlotTemplateSection), load_default=list)
    booking_rules = fields.Nested(BookingRulesSection, load_default=dict)
    pricing = fields.Nested(PricingSection, load_default=dict)
    payments = fields.Nested(PaymentsSection, load_default=dict)
    events = fields.Nested(EventsSection, load_default=dict)

    @pre_load
    def _optional_sections(self, data, **kwargs):
        # A missing section still gets its defaults, which load_default alone would not apply.
        if isinstance(data, dict):
            data = dict(data)
            for section in ("booking_rules", "pricing", "payments", "events"):
                data.setdefault(section, {})
        return data
