"""Every error leaves as the contract's JSON shape on the API and as a friendly page elsewhere."""

import logging
import re

from flask import render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from slotbooking.common.errors import DomainError
from slotbooking.common.fields import flatten_errors

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "validation_error",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


# Machine endpoints: the API, the widget embed's own API, Stripe's webhook and the health check.
_JSON_PATHS = re.compile(r"^/(api/|embed/[^/]+/api/|stripe/webhook$|healthz$)")


def wants_json() -> bool:
    return bool(_JSON_PATHS.match(request.path)) or request.accept_mimetypes.best == "application/json"


def respond(status: int, code: str, message: str, details=None, headers=None):
    """Answer with the error shape (API) or the error page (HTML)."""
    headers = dict(headers or {})
    if status in (429, 503):
        headers.setdefault("Retry-After", "1")
    if wants_json():
        return error_body(code, message, details), status, headers
    page = render_template("errors/error.html", status=status, code=code, message=message)
    return page, status, headers


def http_error_response(error: HTTPException):
    """Map a werkzeug/webargs HTTP error onto the contract's codes."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    details = {}
    if "messages" in data:
        messages = data["messages"]
        # webargs nests by location ("json", "query"); the field names are what a client needs.
        if isinstance(messages, dict) and set(messages) <= {"json", "query", "headers", "form"}:
            merged = {}
            for part in messages.values():
                merged.update(part if isinstance(part, dict) else {"_schema": part})
            messages = merged
        details = flatten_errors(messages)
    message = {
        413: "the request body is too large",
        404: "no such resource",
        422: "the request is not valid",
        400: "the request could not be read",
    }.get(status, error.description or error.name)
    headers = {}
    if status == 429:
        headers["Retry-After"] = str(getattr(error, "retry_after", None) or 1)
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return respond(status, HTTP_CODES.get(status, "error"), message, details, headers)


def register_errorhandlers(app) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError):
        return respond(error.status, error.code, error.message, error.details)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return http_error_response(error)

    @app.errorhandler(OperationalError)
    def _database_down(error):
        log.error("database unavailable: %s", error)
        return respond(503, "unavailable", "the service is briefly unavailable; try again")

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("unhandled error")
        return respond(500, "internal_error", "something went wrong on our side")
