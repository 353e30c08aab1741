"""Who may use the embed: a retailer's publishable key, and only from our own embed page."""

from flask import current_app, request

from slotbooking.auth import bearer_token
from slotbooking.common.errors import Forbidden, Unauthorized
from slotbooking.extensions import db
from slotbooking.security.csp import page_policy
from slotbooking.shopper.lookup import tenant_for_slug


def tenant_for_key(slug: str, token: str | None):
    """Return the retailer whose publishable key this is, when the key belongs to the slug.

    :raises NotFound, Unauthorized:
    """
    tenant = tenant_for_slug(db.session, slug)
    resolved = None
    if token and token.startswith("pk_"):
        resolved = current_app.extensions["key_cache"].resolve(db.session, token)
    if resolved is None or resolved[1] != "publishable" or resolved[0].id != tenant.id:
        raise Unauthorized("this embed needs the shop's publishable key")
    return resolved[0]


def embed_caller(slug: str):
    """Authenticate a call from the embed page: its key, and a same-origin request for any write.

    The embed page runs on our origin inside the shop's frame, so it cannot pass the API's
    origin check; instead, writes must come from our own page (a browser always sends Origin
    on POST and DELETE, and a cross-site page cannot send JSON here without a preflight we
    never answer).

    :raises Unauthorized, Forbidden, NotFound:
    """
    if request.method not in ("GET", "HEAD"):
        own = request.host_url.rstrip("/")
        site = request.headers.get("Sec-Fetch-Site", "same-origin")
        if request.headers.get("Origin") != own or site != "same-origin":
            raise Forbidden("the embed accepts changes only from its own page")
    return tenant_for_key(slug, bearer_token())


def frame_policy(tenant) -> str:
    """Return the page CSP for an embed: our assets only, framed only by the retailer's origins."""
    return page_policy(frame_ancestors=tenant.allowed_origins if tenant else ())
