"""CSRF protection for our own pages' forms and JSON posts, scoped to the blueprints that ask for it.

Flask-WTF's CSRFProtect (``slotbooking.extensions.csrf``), with its app-wide check turned off
(WTF_CSRF_CHECK_DEFAULT): /api/v1 (bearer keys, no cookies) and provider webhooks must never
need a token, so a blueprint of pages calls ``protect(blueprint)``. The token comes back in the
``csrf_token`` form field or the X-CSRF-Token header; a refusal is a friendly "page expired".
"""

from flask import current_app
from flask_wtf.csrf import CSRFError, generate_csrf

from slotbooking.common.errors import DomainError

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfFailed(DomainError):
    status, code = 400, "csrf_failed"


def csrf_token() -> str:
    """Return this session's token for a page's forms (made on first use)."""
    return generate_csrf()


def check_csrf() -> None:
    """Refuse an unsafe request that does not carry the session's token.

    :raises CsrfFailed:
    """
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    try:
        current_app.extensions["csrf"].protect()
    except CSRFError as refused:
        raise CsrfFailed("this page has expired; please go back, reload it and try again") from refused


def protect(blueprint) -> None:
    """Check the token before every unsafe request to the blueprint."""
    blueprint.before_request(check_csrf)
