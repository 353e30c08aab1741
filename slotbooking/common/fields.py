"""Marshmallow fields and a base schema that refuse what the database or a shopper should never see."""

import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

# Control characters, and unpaired UTF-16 surrogates (JSON can carry them; UTF-8 cannot store them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# What StrictSchema refuses, said as a pattern so the OpenAPI document tells clients too.
NO_CONTROL = validate.Regexp(
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="must not contain control characters"
)
HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
# What may be a postcode anywhere (letters, digits, spaces, dashes; 16 at most): the API and the
# hosted pages refuse anything else before a zone is looked for.
POSTCODE_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$")
POSTCODE = validate.Regexp(POSTCODE_SHAPE, error="not a postcode")


def _control_errors(value):
    """Return marshmallow-shaped errors for every string holding control characters, or None."""
    if isinstance(value, str):
        return (
            ["must not contain control characters, NUL bytes or lone surrogates"]
            if _CONTROL.search(value)
            else None
        )
    if isinstance(value, Mapping):  # a dict, or webargs' view of a query string
        found = {key: err for key, item in value.items() if (err := _control_errors(item))}
        bad_keys = [k for k in value if isinstance(k, str) and _CONTROL.search(k)]
        if bad_keys:
            found["_schema"] = ["field names must not contain control characters"]
        return found or None
    if isinstance(value, list | tuple):
        found = {index: err for index, item in enumerate(value) if (err := _control_errors(item))}
        return found or None
    return None


class StrictSchema(Schema):
    """Refuse unknown fields and control characters anywhere in the input."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _no_control_characters(self, data, **kwargs):
        errors = _control_errors(data)
        if errors:
            raise ValidationError(errors if isinstance(errors, dict) else {"_schema": errors})
        return data


def text(max_length: int = 200, **kwargs) -> fields.String:
    """Return a string field of bounded length."""
    return fields.String(validate=[validate.Length(min=1, max=max_length), NO_CONTROL], **kwargs)


def clock_time(**kwargs) -> fields.String:
    """Return an "HH:MM" field."""
    return fields.String(validate=validate.Regexp(HHMM, error="must be HH:MM"), **kwargs)


def money(**kwargs) -> fields.Integer:
    """Return an amount in minor units, bounded to a sane range."""
    kwargs.setdefault("validate", validate.Range(-1_000_000, 1_000_000))
    return fields.Integer(strict=True, **kwargs)


def latitude(**kwargs) -> fields.Float:
    return fields.Float(validate=validate.Range(-90, 90), allow_nan=False, **kwargs)


def longitude(**kwargs) -> fields.Float:
    return fields.Float(validate=validate.Range(-180, 180), allow_nan=False, **kwargs)


def _valid_timezone(name: str) -> None:
    if name not in available_timezones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f'unknown time zone "{name}"') from exc


def timezone_name(**kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(max=64), _valid_timezone], **kwargs)


def flatten_errors(messages, path: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"zones[2].depot": ["..."]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[path or "_schema"] = messages
        return flat
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                child = f"{path}[{key}]"
            elif key == "_schema":
                child = path or "_schema"
            else:
                child = f"{path}.{key}" if path else str(key)
            for name, msgs in flatten_errors(value, child).items():
                flat.setdefault(name, []).extend(msgs)
        return flat
    flat[path or "_schema"] = [str(messages)]
    return flat
