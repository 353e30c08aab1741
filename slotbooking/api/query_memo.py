"""Query strings parsed once: a schema that opts in answers a query string it has parsed before
from memory.

Why: GET /slots is asked the same few query strings over and over (a page's grid, polled and
reloaded), and loading them through webargs and marshmallow was about 7% of a warm hit
(bench/README.md). Only a schema whose answer depends on the query string alone may opt in
(``memoise_query = True``: no clock, no request context, no database in its validators); a
query that fails validation is never kept, so its error is raised afresh each time. The parsed
values (strings, numbers, dates) are immutable and each request gets its own dict.
"""

import threading
from collections import OrderedDict

from flask import request
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

KEPT = 2048  # query strings remembered per schema, the least recently used forgotten first


class MemoisingParser(FlaskParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._parsed: OrderedDict[tuple, dict] = OrderedDict()
        self._lock = threading.Lock()

    def parse(self, argmap, req=None, *, location=None, validate=None, **kwargs):
        if location != "query" or validate is not None or not getattr(argmap, "memoise_query", False):
            return super().parse(argmap, req, location=location, validate=validate, **kwargs)
        key = (id(argmap), (req or request).query_string)
        with self._lock:
            kept = self._parsed.get(key)
            if kept is not None:
                self._parsed.move_to_end(key)
        if kept is not None:
            return dict(kept)
        parsed = super().parse(argmap, req, location=location, **kwargs)
        with self._lock:
            self._parsed[key] = dict(parsed)
            if len(self._parsed) > KEPT:
                self._parsed.popitem(last=False)
        return parsed


class MemoisingBlueprint(Blueprint):
    """A flask-smorest blueprint whose opted-in query schemas are parsed once per query string."""

    ARGUMENTS_PARSER = MemoisingParser()
