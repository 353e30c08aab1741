"""The Content-Security-Policy of our own pages, written once.

Every page we serve (the hosted booking pages, the embed, the payment pages) loads only our
own assets. What differs between them is said as arguments: who may frame the page (nobody,
or a retailer's shop for the embed) and which outside sources a page must also allow
(Stripe.js on the payment pages).
"""

from collections.abc import Iterable, Mapping

OWN_ASSETS_ONLY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "connect-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def page_policy(frame_ancestors: Iterable[str] = (), extra_sources: Mapping[str, str] | None = None) -> str:
    """Return our pages' CSP: own assets only, framed by these origins alone (none: by nobody).

    ``extra_sources`` adds sources to a directive (after ours) or adds the directive.
    """
    directives = dict(OWN_ASSETS_ONLY)
    directives["frame-ancestors"] = " ".join(frame_ancestors) or "'none'"
    for name, sources in (extra_sources or {}).items():
        directives[name] = f"{directives[name]} {sources}" if name in directives else sources
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())
