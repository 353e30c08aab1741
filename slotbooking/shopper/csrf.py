"""CSRF protection for our own pages' forms and JSON posts, scoped to the blueprints that ask for it.

A per-session random token, sent back in a form field or the X-CSRF-Token header. Written
here instead of Flask-WTF's CSRFProtect because that protects every view of the app by
default, and /api/v1 (bearer keys, no cookies) and provider webhooks must never need it.
"""

import hmac
import secrets

from flask import request, session

from slotbooking.common.errors import DomainError

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
_SESSION_KEY = "_csrf"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfFailed(DomainError):
    status, code = 400, "csrf_failed"


def csrf_token() -> str:
    """Return this session's token, making one on first use."""
    token = session.get(_SESSION_KEY)
    if not token:
        token = session[_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse an unsafe request that does not carry the session's token.

    :raises CsrfFailed:
    """
    if request.method not in _UNSAFE:
        return
    sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
    expected = session.get(_SESSION_KEY) or ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfFailed("this page has expired; please go back, reload it and try again")


def protect(blueprint) -> None:
    """Check the token before every unsafe request to the blueprint."""
    blueprint.before_request(check_csrf)
