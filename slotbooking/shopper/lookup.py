"""Read what our own pages need: a retailer by slug, a booking by token, a hold, shopper input."""

import re
from dataclasses import dataclass

from babel.dates import format_date
from flask_babel import gettext as _
from sqlalchemy import or_, select

from slotbooking.bookings.manage_links import expires_at, token_digest
from slotbooking.bookings.models import Booking, Hold
from slotbooking.common.errors import LinkExpired, NotFound
from slotbooking.common.fields import POSTCODE_SHAPE
from slotbooking.common.owned import find_owned
from slotbooking.retailers.models import Retailer
from slotbooking.retailers.postcodes import normalise_postcode
from slotbooking.retailers.tenant import Tenant
from slotbooking.wording import current_locale, use_retailer_locale

_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def tenant_for_slug(session, slug: str) -> Tenant:
    """:raises NotFound: no retailer has this slug."""
    retailer = session.scalar(select(Retailer).where(Retailer.slug == slug)) if _SLUG.match(slug) else None
    if retailer is None:
        raise NotFound("we could not find this shop's booking page")
    tenant = Tenant.of(retailer)
    use_retailer_locale(tenant.locale)  # the page speaks it unless the shopper picks another
    return tenant


def booking_for_token(session, token: str, now) -> tuple[Tenant, Booking]:
    """Return the booking a manage link points at, and its retailer.

    :raises NotFound: the link is wrong or the booking is gone.
    :raises LinkExpired: the booking's delivery day has passed.
    """
    booking = None
    if _TOKEN.match(token):
        digest = token_digest(token)
        booking = session.scalar(
            select(Booking).where(
                or_(Booking.manage_token_digest == digest, Booking.legacy_token_digest == digest)
            )
        )
    if booking is None:
        raise NotFound("we could not find this booking; please check the link in your confirmation")
    tenant = Tenant.of(session.get(Retailer, booking.retailer_id))
    use_retailer_locale(tenant.locale)
    if now >= expires_at(booking.service_date, tenant.timezone):
        day = format_date(booking.service_date, "EEEE d MMMM y", locale=current_locale())
        raise LinkExpired(
            _(
                "this link was for a delivery on %(day)s, which has passed, so it no longer opens the "
                "booking. For anything about that delivery, please contact %(shop)s",
                day=day,
                shop=tenant.name,
            )
        )
    return tenant, booking


def hold_of(session, tenant, hold_id: str | None) -> Hold | None:
    """Return the retailer's hold with this id, or None."""
    return find_owned(session, Hold, tenant.id, hold_id)


def booking_of_hold(session, hold: Hold) -> Booking | None:
    """Return the booking a hold became, if it did."""
    return session.scalar(select(Booking).where(Booking.hold_id == hold.id))


def hold_is_live(hold: Hold | None, now) -> bool:
    return hold is not None and hold.is_live(now)


@dataclass(frozen=True)
class ShopperInput:
    """What the hosted page was opened with, checked; ``problems`` names what is wrong."""

    order_ref: str | None
    postcode: str | None
    problems: dict

    @classmethod
    def read(cls, values) -> "ShopperInput":
        problems = {}
        order_ref = (values.get("order_ref") or "").strip() or None
        if order_ref is not None and not _PRINTABLE.match(order_ref):
            problems["order_ref"] = _("This order reference cannot be read.")
            order_ref = None
        postcode = (values.get("postcode") or "").strip() or None
        if postcode is not None:
            if POSTCODE_SHAPE.match(postcode):
                postcode = normalise_postcode(postcode)
            else:
                problems["postcode"] = _("Please enter a postcode such as N1 2AB.")
        return cls(order_ref, postcode if "postcode" not in problems else None, problems)
