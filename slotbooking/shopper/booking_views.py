"""The hosted booking page: a booking session's link, the grid, a hold with a countdown, confirmation."""

from contextlib import suppress

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from slotbooking.booking_sessions import service as sessions
from slotbooking.common.errors import (
    AddressNotServed,
    Conflict,
    HoldExpired,
    NotFound,
    PaymentRequired,
    SlotFull,
    SlotUnavailable,
    TooManyHolds,
)
from slotbooking.extensions import db
from slotbooking.request_context import browser_origin, collaborators, now
from slotbooking.reservations import service
from slotbooking.shopper import flow, pages, present
from slotbooking.shopper.lookup import hold_is_live, tenant_for_slug
from slotbooking.shopper.payment import needs_payment, payment_url

bp = pages.shopper_blueprint("booking", __name__, "/r/<slug>")

NO_CARD_FORM = lazy_gettext(
    "This window is paid by card, which this page cannot take yet. "
    "Your window stays held: please finish paying for it in the shop."
)


@bp.get("/s/<token>")
def open_link(slug, token):
    """Open a booking session's link: bind this browser to it and show its grid (or its booking)."""
    tenant = tenant_for_slug(db.session, slug)
    try:
        found = sessions.session_for_token(db.session, tenant, token)
    except NotFound:
        return flow.link_problem(tenant, "unknown")
    status, booking = sessions.status_of(db.session, found, now())
    if status == "booked":
        return flow.to_booking(booking)
    if status == "expired":
        return flow.link_problem(tenant, "expired", found)
    flow.bind(slug, found)
    return redirect(url_for("booking.book", slug=slug))


@bp.get("/book")
def book(slug):
    """Show the priced grid of windows for the booking session's address."""
    v = flow.visit(slug)
    if (away := flow.away_unless_open(v)) is not None:
        return away
    tenant, booking_session = v.tenant, v.booking_session
    address = sessions.session_address(booking_session)
    try:
        offer, week = pages.fetch_offer(tenant, address, pages.parse_day(request.args.get("from")))
    except AddressNotServed:  # the retailer's zones changed since the link was made
        return flow.link_problem(tenant, "not_served", booking_session)
    return pages.render(
        "shopper/book.html",
        tenant,
        booking_session=booking_session,
        week=week,
        held=v.hold if hold_is_live(v.hold, now()) else None,
        **pages.grid_context(tenant, offer, request.args.get("day")),
    )


@bp.post("/book/hold")
def hold(slug):
    """Hold the chosen window (the session's earlier hold is given back) and go on to confirm."""
    v = flow.visit(slug)
    if (away := flow.away_unless_open(v)) is not None:
        return away
    state = {"session_id": v.booking_session.id, "day": request.form.get("day")}
    slot_id = request.form.get("slot_id", "")
    if not slot_id:
        flash(_("Please choose a window from the list."), "warning")
        return redirect(flow.grid_url(slug, state))
    try:
        new_hold = sessions.hold_in_session(
            db.session,
            collaborators(),
            v.tenant,
            v.booking_session,
            slot_id,
            request.form.get("quote_id") or None,
            browser_origin(),
            now(),
        )
    except (SlotFull, SlotUnavailable, AddressNotServed, NotFound, TooManyHolds) as error:
        flash(_sorry(error), "warning")
        return redirect(flow.grid_url(slug, state))
    except sessions.SessionSpent:  # booked meanwhile, in another tab
        return redirect(url_for("booking.book", slug=slug))
    except sessions.SessionExpired:
        return flow.link_problem(v.tenant, "expired", v.booking_session)
    session[flow.state_key(slug)] = {**state, "hold_id": new_hold.id}
    return redirect(url_for("booking.checkout", slug=slug))


def _sorry(error) -> str:
    if isinstance(error, SlotFull):
        return _("Sorry, that window has just filled up. Please choose another one.")
    if isinstance(error, NotFound):
        return _("Sorry, that window is no longer offered. Please choose another one.")
    if isinstance(error, TooManyHolds):
        return _(
            "Sorry, this device is already holding as many delivery windows as it may. "
            "Finish or release a booking in your other tabs, or wait a few minutes for those holds to end."
        )
    return _("Sorry, %(problem)s. Please choose another window.", problem=error.message)


@bp.get("/book/checkout")
def checkout(slug):
    """Show the held window, its price and the time left to confirm."""
    v = flow.visit(slug)
    if (away := flow.away_unless_holding(v, slug)) is not None:
        return away
    tenant, state, held = v.tenant, v.state, v.hold
    return pages.render(
        "shopper/checkout.html",
        tenant,
        hold=held,
        booking_session=v.booking_session,
        when=present.when(held.slot.starts_at, held.slot.ends_at, tenant.tz, pages.locale()),
        seconds_left=pages.seconds_left(held),
        grid_url=flow.grid_url(slug, state),
    )


@bp.post("/book/confirm")
def confirm(slug):
    """Re-check the hold and its price, then book it for the session's order (or hand over to payment)."""
    v = flow.visit(slug)
    if (away := flow.away_unless_holding(v, slug, warn_when_missing=True)) is not None:
        return away
    tenant, state, held = v.tenant, v.state, v.hold
    if request.form.get("price") != str(held.price):
        flash(
            _(
                "The price of this window is %(price)s. Please check it and confirm again.",
                price=pages.present.money(held.price, held.currency, pages.locale()),
            ),
            "warning",
        )
        return redirect(url_for("booking.checkout", slug=slug))
    deps = collaborators()
    if needs_payment(tenant, held, deps.stripe_configured):
        return _to_payment(slug, tenant, held)
    try:
        booking = sessions.book_in_session(db.session, deps, tenant, v.booking_session, held.id, now())
    except HoldExpired:
        flash(str(flow.EXPIRED), "warning")
        return redirect(flow.grid_url(slug, state))
    except Conflict:  # booked already: this hold, or the session in another tab
        return redirect(url_for("booking.book", slug=slug))
    except PaymentRequired:  # the retailer switched to card payment while the shopper was here
        return _to_payment(slug, tenant, held)
    flash("booked", "booked")
    return flow.to_booking(booking)


def _to_payment(slug: str, tenant, held):
    url = payment_url(tenant, held)
    if url:
        return redirect(url)
    flash(str(NO_CARD_FORM), "warning")
    return redirect(url_for("booking.checkout", slug=slug))


@bp.post("/book/release")
def release(slug):
    """Give the held window back and show the grid again."""
    v = flow.visit(slug)
    if v.hold is not None:
        with suppress(Conflict, NotFound):  # booked already, or gone: nothing to give back
            service.release_hold(db.session, collaborators(), v.tenant, v.hold.id, now())
    if v.booking_session is not None:
        session[flow.state_key(slug)] = {"session_id": v.booking_session.id, "day": v.state.get("day")}
    return redirect(flow.grid_url(slug, v.state))
