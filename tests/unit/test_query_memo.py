"""Query strings parsed once (api/query_memo.py): the same answers and errors as a parse each time."""

import pytest
from flask import Flask
from marshmallow import Schema, fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import UnprocessableEntity

from slotbooking.api.query_memo import MemoisingParser
from slotbooking.api.slot_schemas import SlotsQuery


class Counted(Schema):
    memoise_query = True
    days = fields.Integer(validate=validate.Range(1, 9))

    loads = 0

    def load(self, *args, **kwargs):
        Counted.loads += 1
        return super().load(*args, **kwargs)


class NotOptedIn(Counted):
    memoise_query = False


@pytest.fixture
def app():
    return Flask(__name__)


def _parse(app, parser, schema, query):
    with app.test_request_context(f"/?{query}"):
        return parser.parse(schema, location="query")


def test_a_query_string_is_loaded_once_and_each_caller_gets_its_own_dict(app):
    parser, schema = MemoisingParser(), Counted()
    Counted.loads = 0
    first = _parse(app, parser, schema, "days=3")
    first["days"] = 99  # a caller changing its dict changes nobody else's
    assert _parse(app, parser, schema, "days=3") == {"days": 3}
    assert Counted.loads == 1
    assert _parse(app, parser, schema, "days=4") == {"days": 4}
    assert Counted.loads == 2


def test_a_refused_query_is_refused_every_time(app):
    parser, schema = MemoisingParser(), Counted()
    for _ in range(2):
        with pytest.raises(UnprocessableEntity) as refused:
            _parse(app, parser, schema, "days=30")
        assert "days" in refused.value.data["messages"]["query"]


def test_a_schema_that_did_not_opt_in_is_loaded_each_time(app):
    parser, schema = MemoisingParser(), NotOptedIn()
    Counted.loads = 0
    _parse(app, parser, schema, "days=3")
    _parse(app, parser, schema, "days=3")
    assert Counted.loads == 2


@pytest.mark.parametrize(
    "query",
    ["postcode=N1%202AB", "postcode=N1%202AB&days=3&from=2026-12-07", "postcode=N1&lat=51.5&lon=-0.1"],
)
def test_slots_queries_parse_as_webargs_own(app, query):
    ours, theirs = MemoisingParser(), FlaskParser()
    for _ in range(2):
        assert _parse(app, ours, SlotsQuery(), query) == _parse(app, theirs, SlotsQuery(), query)
