"""The hosted booking page: postcode, grid, hold with a countdown, confirmation."""

from contextlib import suppress

from flask import Blueprint, flash, redirect, request, session, url_for

from slotbooking.api.context import collaborators, now
from slotbooking.bookings import service
from slotbooking.common.errors import (
    AddressNotServed,
    Conflict,
    DomainError,
    HoldExpired,
    NotFound,
    PaymentRequired,
    SlotFull,
    SlotUnavailable,
)
from slotbooking.extensions import db
from slotbooking.shopper import flow, pages, present
from slotbooking.shopper.csrf import protect
from slotbooking.shopper.lookup import (
    ShopperInput,
    hold_is_live,
    hold_of,
    tenant_for_slug,
)
from slotbooking.shopper.payment import needs_payment, payment_url
from slotbooking.slots.pricing import Address

bp = Blueprint("booking", __name__, url_prefix="/r/<slug>")
protect(bp)
bp.after_request(pages.secure_headers)
bp.register_error_handler(DomainError, pages.friendly_error)

NO_CARD_FORM = (
    "This window is paid by card, which this page cannot take yet. "
    "Your window stays held: please finish paying for it in the shop."
)


@bp.get("/book")
def book(slug):
    """Ask for the postcode, then show the priced grid of windows."""
    tenant = tenant_for_slug(db.session, slug)
    shopper = ShopperInput.read(request.args)
    if not shopper.order_ref:
        return pages.render("shopper/missing_order.html", tenant, status=400, problems=shopper.problems)
    if not shopper.postcode:
        status = 400 if shopper.problems else 200
        return pages.render("shopper/postcode.html", tenant, status=status, shopper=shopper)
    try:
        offer, week = pages.fetch_offer(tenant, shopper.postcode, pages.parse_day(request.args.get("from")))
    except AddressNotServed:
        problems = {"postcode": f"Sorry, {tenant.name} does not deliver to {shopper.postcode} yet."}
        return pages.render(
            "shopper/postcode.html",
            tenant,
            status=422,
            shopper=ShopperInput(shopper.order_ref, None, problems),
        )
    state = session.get(flow.state_key(slug)) or {}
    held = hold_of(db.session, tenant, state.get("hold_id"))
    return pages.render(
        "shopper/book.html",
        tenant,
        shopper=shopper,
        week=week,
        held=held if hold_is_live(held, now()) else None,
        **pages.grid_context(tenant, offer, request.args.get("day")),
    )


@bp.post("/book/hold")
def hold(slug):
    """Hold the chosen window (releasing any window held before) and go on to confirm."""
    tenant = tenant_for_slug(db.session, slug)
    shopper = ShopperInput.read(request.form)
    state = {"order_ref": shopper.order_ref, "postcode": shopper.postcode, "day": request.form.get("day")}
    slot_id = request.form.get("slot_id", "")
    if not (shopper.order_ref and shopper.postcode and slot_id):
        flash("Please choose a window from the list.", "warning")
        return redirect(flow.grid_url(slug, state))
    _release_previous(tenant, slug)
    try:
        new_hold = service.place_hold(
            db.session,
            collaborators(),
            tenant,
            slot_id,
            Address(shopper.postcode),
            request.form.get("quote_id") or None,
            None,
            now(),
        )
    except (SlotFull, SlotUnavailable, AddressNotServed, NotFound) as error:
        flash(_sorry(error), "warning")
        return redirect(flow.grid_url(slug, state))
    session[flow.state_key(slug)] = {**state, "hold_id": new_hold.id}
    return redirect(url_for("booking.checkout", slug=slug))


def _sorry(error) -> str:
    if isinstance(error, SlotFull):
        return "Sorry, that window has just filled up. Please choose another one."
    if isinstance(error, NotFound):
        return "Sorry, that window is no longer offered. Please choose another one."
    return f"Sorry, {error.message}. Please choose another window."


def _release_previous(tenant, slug: str) -> None:
    previous = (session.get(flow.state_key(slug)) or {}).get("hold_id")
    if previous:
        with suppress(Conflict, NotFound):  # booked already, or gone: nothing to give back
            service.release_hold(db.session, collaborators(), tenant, previous, now())


@bp.get("/book/checkout")
def checkout(slug):
    """Show the held window, its price and the time left to confirm."""
    tenant, state, held = flow.held(slug)
    if (leave := flow.leave_unless_live(slug, state, held)) is not None:
        return leave
    return pages.render(
        "shopper/checkout.html",
        tenant,
        hold=held,
        state=state,
        when=present.when(held.slot.starts_at, held.slot.ends_at, tenant.tz, pages.locale()),
        seconds_left=pages.seconds_left(held),
        grid_url=flow.grid_url(slug, state),
    )


@bp.post("/book/confirm")
def confirm(slug):
    """Re-check the hold and its price, then book it (or hand over to payment)."""
    tenant, state, held = flow.held(slug)
    if (leave := flow.leave_unless_live(slug, state, held, warn_when_missing=True)) is not None:
        return leave
    if request.form.get("price") != str(held.price):
        flash(
            f"The price of this window is {pages.present.money(held.price, held.currency, pages.locale())}. "
            "Please check it and confirm again.",
            "warning",
        )
        return redirect(url_for("booking.checkout", slug=slug))
    deps = collaborators()
    if needs_payment(tenant, held, deps.stripe_configured):
        return _to_payment(slug, tenant, held)
    try:
        booking = service.book_hold(db.session, deps, tenant, held.id, state["order_ref"], now())
    except HoldExpired:
        flash(flow.EXPIRED, "warning")
        return redirect(flow.grid_url(slug, state))
    except Conflict:
        return flow.to_booking_of(held)
    except PaymentRequired:  # the retailer switched to card payment while the shopper was here
        return _to_payment(slug, tenant, held)
    # The state keeps the (now booked) hold: a second confirmation or the back button finds the booking.
    flash("booked", "booked")
    return redirect(flow.manage_url(booking))


def _to_payment(slug: str, tenant, held):
    url = payment_url(tenant, held)
    if url:
        return redirect(url)
    flash(NO_CARD_FORM, "warning")
    return redirect(url_for("booking.checkout", slug=slug))


@bp.post("/book/release")
def release(slug):
    """Give the held window back and show the grid again."""
    tenant = tenant_for_slug(db.session, slug)
    state = session.get(flow.state_key(slug)) or {}
    _release_previous(tenant, slug)
    session.pop(flow.state_key(slug), None)
    return redirect(flow.grid_url(slug, state))
