"""The console's one blueprint, "console" at /ops: CSRF on every form, our page headers, our errors.

View modules add their routes to ``bp`` and are imported by ``slotbooking.console.register``.
"""

from flask import Blueprint, current_app, render_template
from flask_wtf.csrf import CSRFError

from slotbooking.common.errors import DomainError
from slotbooking.security.csp import page_policy

bp = Blueprint("console", __name__, url_prefix="/ops")

# Our own assets only, and no site may frame the console.
CONSOLE_POLICY = page_policy()


@bp.before_request
def check_csrf():
    """Every unsafe request to the console carries the session's CSRF token (Flask-WTF)."""
    if current_app.config["WTF_CSRF_ENABLED"]:  # Flask-WTF's own switch, off only in some tests
        current_app.extensions["csrf"].protect()


@bp.after_request
def console_headers(response):
    if response.status_code < 500:
        response.headers.setdefault("Content-Security-Policy", CONSOLE_POLICY)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    page = render_template(
        "console/error.html",
        status=400,
        code="csrf_failed",
        heading="This form has expired",
        message="Go back, reload the page and try again.",
    )
    return page, 400


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    page = render_template(
        "console/error.html",
        status=error.status,
        code=error.code,
        heading="That did not work",
        message=error.message,
    )
    return page, error.status


@bp.errorhandler(404)
def not_found(_error):
    page = render_template(
        "console/error.html",
        status=404,
        code="not_found",
        heading="Page not found",
        message="There is no such page, or it is not one of your retailers'.",
    )
    return page, 404
