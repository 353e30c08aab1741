"""Refuse, before any view runs, input that no database can store and no parser should chew on.

One hook for every surface (the API, the hosted pages, the widget's endpoints, the Stripe
webhook), so a junk value is a 4xx ``validation_error`` naming its field wherever it comes in:

- NUL bytes (PostgreSQL text cannot hold them) and lone UTF-16 surrogates (they cannot be
  encoded as UTF-8, so the commit fails) in path ids, query strings, form fields and JSON;
- JSON nested deeper than any document of ours (30,000 levels overflow the parser's stack);
- JSON integers longer than Python converts (4,300 digits).

The schemas still check types, lengths and ranges; this only keeps out what would crash
the layers below them. A body that is not JSON at all is left to the parsers' own 400.
"""

import json
import re
import sys

from flask import request

from slotbooking.common.errors import ValidationFailed
from slotbooking.error_responses import wants_json

MAX_JSON_DEPTH = 32
# Python's own limit for int(str) (4,300), fixed here whatever a library sets the process to.
MAX_INT_DIGITS = sys.int_info.default_max_str_digits
MAX_REPORTED = 10
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NOT_STORABLE = "must not contain NUL bytes or unpaired UTF-16 surrogates"
TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted"


class UnreadableInput(ValidationFailed):
    """The body cannot be read at all (too deep for the parser)."""

    status = 400


class _Rejected:
    """Stands in for a JSON number the guard refuses, so the walk can name its field."""

    def __init__(self, reason: str):
        self.reason = reason


def _parse_int(digits: str):
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        return _Rejected(f"integers longer than {MAX_INT_DIGITS} digits are not accepted")
    return int(digits)


def readable_name(name: str) -> str:
    """Return a field name fit to echo back in an error (junk characters replaced)."""
    return UNSTORABLE.sub("\ufffd", name)[:100]


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = readable_name(key)
    return f"{path}.{key}" if path else key


def json_problems(document) -> dict[str, list[str]]:
    """Return {field path: [problem]} for what must not pass in a parsed JSON document."""
    problems: dict[str, list[str]] = {}
    stack = [("", document, 0)]
    while stack and len(problems) < MAX_REPORTED:
        path, value, depth = stack.pop()
        where = path or "_schema"
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                problems[where] = [NOT_STORABLE]
        elif isinstance(value, _Rejected):
            problems[where] = [value.reason]
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                problems[where] = [TOO_DEEP]
                continue
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and UNSTORABLE.search(key):
                    problems[_join(path, key)] = ["field names " + NOT_STORABLE]
                stack.append((_join(path, key), item, depth + 1))
    return problems


def parse_json_guarded(body: bytes):
    """Parse a JSON body, numbers the guard refuses replaced by markers ``json_problems`` reports.

    :raises UnreadableInput: nested too deep for the parser.
    :raises ValueError: not JSON (left to the view's parser to answer).
    """
    try:
        return json.loads(body, parse_int=_parse_int)
    except RecursionError:
        raise UnreadableInput("the request could not be read", {"_schema": [TOO_DEEP]}) from None


def text_problems(pairs) -> dict[str, list[str]]:
    """Return {name: [problem]} for (name, value) pairs holding NUL bytes or lone surrogates."""
    problems: dict[str, list[str]] = {}
    for name, value in pairs:
        if len(problems) >= MAX_REPORTED:
            break
        if isinstance(name, str) and UNSTORABLE.search(name):
            problems[readable_name(name)] = ["field names " + NOT_STORABLE]
        elif isinstance(value, str) and UNSTORABLE.search(value):
            problems[readable_name(name)] = [NOT_STORABLE]
    return problems


def _refuse(problems: dict[str, list[str]]) -> None:
    if problems:
        field, messages = next(iter(problems.items()))
        if not wants_json():  # a shopper's page: the 400 "cannot be read" page those pages give
            raise UnreadableInput(f"this link or form cannot be read ({field}: {messages[0]})", problems)
        raise ValidationFailed(f"the request is not valid: {field}: {messages[0]}", problems)


def check_request() -> None:
    """Refuse the request when a path id, query, form field or JSON body holds junk.

    :raises ValidationFailed, UnreadableInput:
    """
    _refuse(text_problems((request.view_args or {}).items()))
    _refuse(text_problems(request.args.items(multi=True)))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        _refuse(text_problems(request.form.items(multi=True)))
    if request.is_json:
        body = request.get_data(cache=True)
        if body:
            try:
                document = parse_json_guarded(body)
            except ValueError:
                return  # not JSON: the view's parser answers 400 validation_error
            _refuse(json_problems(document))


def register_input_guard(app) -> None:
    """Check every request's input before its view (after the rate limiter and CORS preflight)."""
    app.before_request(check_request)
