"""What the shopper pages share: rendering in the shopper's locale, the offer, headers."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Blueprint, current_app, render_template

from slotbooking import wording
from slotbooking.common.errors import DomainError, ValidationFailed
from slotbooking.extensions import db
from slotbooking.offers.offer import Offer, Quote
from slotbooking.offers.service import SlotQuery, quoted_offer
from slotbooking.request_context import collaborators, now
from slotbooking.security.csp import page_policy
from slotbooking.shopper import present
from slotbooking.shopper.csrf import csrf_token, protect
from slotbooking.slots.clock import local_today
from slotbooking.slots.pricers import Address

DAYS_PER_PAGE = 7

# Our own pages load only our own assets, and no other site may frame them.
PAGE_POLICY = page_policy()


def locale():
    """Return the page's locale: the shopper's choice among ours, else the retailer's."""
    return wording.current_locale()


def render(template: str, tenant, status: int = 200, **context):
    """Render a shopper page for a retailer, with the helpers every page uses."""
    wording.use_retailer_locale(tenant.locale if tenant else None)
    loc = locale()
    page = render_template(
        template,
        tenant=tenant,
        locale=loc,
        csrf_token=csrf_token(),
        money=lambda amount, currency=None: present.money(amount, currency or tenant.currency, loc),
        reasons_of=present.reasons_of,
        **context,
    )
    return page, status


def secure_headers(response):
    """Page headers: our CSP, no sniffing, and no referrer leaving with a manage token in it."""
    if response.status_code < 500:  # the app's own 5xx page carries its styles inline
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def friendly_error(error: DomainError):
    """Answer a shopper's bad link or stale form with a page in our style, never a bare error."""
    page = render_template("shopper/error.html", tenant=None, locale=locale(), error=error)
    return page, error.status


def shopper_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """Return a blueprint of shopper pages: CSRF-checked forms, our page headers, friendly errors."""
    bp = Blueprint(name, import_name, url_prefix=url_prefix)
    protect(bp)
    bp.after_request(secure_headers)
    bp.register_error_handler(DomainError, friendly_error)
    return bp


def parse_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Week:
    first: date
    previous: date | None
    next: date | None


def fetch_offer(tenant, address: Address, wanted_from: date | None) -> tuple[tuple[Offer, Quote], Week]:
    """Return the priced windows for an address over a week, and where the week sits in the horizon.

    Priced at the address's coordinates when it has them, else at its zone's centroid.

    :raises AddressNotServed: no zone covers the postcode.
    """
    today = local_today(tenant.tz, now())
    last = today + timedelta(days=tenant.horizon_days)
    first = wanted_from if wanted_from and today <= wanted_from <= last else today
    try:
        offer = _offer(tenant, address, first)
    except ValidationFailed:  # the horizon moved under an old link: start from today
        first = today
        offer = _offer(tenant, address, first)
    previous = max(today, first - timedelta(days=DAYS_PER_PAGE)) if first > today else None
    following = first + timedelta(days=DAYS_PER_PAGE)
    return offer, Week(first, previous, following if following <= last else None)


def _offer(tenant, address: Address, first: date) -> tuple[Offer, Quote]:
    deps = collaborators()
    query = SlotQuery(address, first, DAYS_PER_PAGE)
    quote_minutes = current_app.config["QUOTE_MINUTES"]
    return quoted_offer(db.session, deps.cache, deps.signer, deps.finder, tenant, query, now(), quote_minutes)


def grid_context(tenant, quoted: tuple[Offer, Quote], wanted_day: str | None, current_slot_id=None) -> dict:
    offer, quote = quoted
    days = present.grid(offer.windows, tenant.tz, tenant.currency, locale(), current_slot_id)
    return {"days": days, "selected_day": present.chosen_day(days, wanted_day), "quote_id": quote.id}


def seconds_left(hold) -> int:
    return max(0, int((hold.expires_at - now()).total_seconds()))
