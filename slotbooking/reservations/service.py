"""Holds and bookings: place, release, book, reschedule and cancel, each one (retried) transaction."""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from slotbooking.bookings.capacity import (
    has_room,
    lock_depot_day,
    lock_slots,
    lock_to_take,
    places_by_slot,
    usage_by_slot,
)
from slotbooking.bookings.hold_limits import check_client_cap, lock_client
from slotbooking.bookings.models import Booking, BookingEvent, Hold
from slotbooking.bookings.new_booking import insert_booking_with_event
from slotbooking.common.errors import (
    AddressNotServed,
    Conflict,
    HoldExpired,
    NotFound,
    SlotFull,
    SlotUnavailable,
)
from slotbooking.common.owned import get_owned
from slotbooking.common.retry import RetryPolicy, transaction
from slotbooking.common.unit_of_work import current_unit, read_only
from slotbooking.db_types import new_id
from slotbooking.payments.service import ensure_paid, queue_cancellation_refund
from slotbooking.reservations import moves
from slotbooking.retailers.models import Zone
from slotbooking.retailers.postcodes import normalise_postcode
from slotbooking.slots.booking_rules import unavailable_reason
from slotbooking.slots.models import Slot
from slotbooking.slots.pricers import Address, DayToPrice, SlotPrice, pricer_for
from slotbooking.slots.quotes import quoted_price


@dataclass(frozen=True)
class Collaborators:
    """What the booking services need besides the database session."""

    cache: object
    signer: object
    finder: object
    # Makes each booking's manage token (its digest is stored); bookings/manage_links.py.
    links: object = None
    # Whether this service can take card payments (a Stripe key is configured).
    stripe_configured: bool = False
    # How a transaction refused by PostgreSQL for contention is run again (common/retry.py).
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Sends a booking's refunds that are due (payments/refunds.py RefundSender); None: none sent now.
    send_refunds: object = None


def _send_refunds_after_commit(session, deps, booking_id: str) -> None:
    """Send the booking's refunds due once this change has committed; `flask payments refunds` retries."""
    if deps.send_refunds is not None:
        current_unit(session).after_commit(lambda: deps.send_refunds(session, booking_id))


def _check_slot_for(session, deps, tenant, slot: Slot, address: Address, now: datetime):
    zone = deps.finder.find(session, tenant, address.postcode)
    if zone.id != slot.zone_id:
        raise AddressNotServed(
            "this window is for another delivery area than the address",
            {"postcode": address.postcode, "slot_id": slot.id},
        )
    reason = unavailable_reason(tenant, slot, now)
    if reason:
        raise SlotUnavailable(reason, {"slot_id": slot.id})
    return zone


def _price(session, deps, tenant, zone, slot, address: Address, quote_id, now) -> SlotPrice:
    pricer = pricer_for(tenant)
    address = address.or_zone_centroid(zone)
    quoted = quoted_price(
        session,
        deps.cache,
        deps.signer,
        quote_id,
        tenant.id,
        slot.id,
        zone.id,
        pricer.address_cell(address),
        now,
    )
    if quoted is not None:
        return SlotPrice.from_dict(quoted)
    if getattr(pricer, "prices_slots_alone", False):  # flat: no need for the rest of the day
        request = DayToPrice(tenant, zone, slot.service_date, [(slot, slot.capacity)], address)
        return pricer.price_day(session, request)[slot.id]
    day_slots = session.scalars(
        select(Slot).where(Slot.zone_id == zone.id, Slot.service_date == slot.service_date)
    ).all()
    usage = usage_by_slot(session, [s.id for s in day_slots], now)  # scarcity moves the price
    places = places_by_slot(day_slots, usage)
    remaining = [(s, places[s.id]) for s in day_slots]
    # Every window of the day moves the price; only the booked one's is worded and returned.
    request = DayToPrice(tenant, zone, slot.service_date, remaining, address, wanted=frozenset((slot.id,)))
    return pricer.price_day(session, request)[slot.id]


def _new_hold(session, deps, tenant, slot, address, quote_id, customer_ref, now, origin=None) -> Hold:
    address = Address(normalise_postcode(address.postcode), address.lat, address.lon, address.line1)
    zone = _check_slot_for(session, deps, tenant, slot, address, now)
    price = _price(session, deps, tenant, zone, slot, address, quote_id, now)
    lock_client(session, tenant.id, origin)  # before the slot locks: one order of locks
    lock_to_take(session, slot)
    check_client_cap(session, tenant.id, origin, now)
    if not has_room(session, slot, now):
        raise SlotFull("this window has just filled up; please choose another", {"slot_id": slot.id})
    hold = Hold(
        id=new_id("hold"),
        retailer_id=tenant.id,
        slot_id=slot.id,
        depot_id=slot.depot_id,
        service_date=slot.service_date,
        status="active",
        expires_at=(now + timedelta(minutes=tenant.hold_minutes)).replace(microsecond=0),
        price=price.price,
        base_price=price.base_price,
        incentives=list(price.incentives),
        currency=tenant.currency,
        quote_id=quote_id,
        customer_ref=customer_ref,
        session_id=origin.session_id if origin else None,
        client=origin.client if origin else None,
        postcode=address.postcode,
        lat=address.lat,
        lon=address.lon,
        line1=address.line1,
    )
    hold.slot = slot  # not added to the session yet: a one-step booking keeps no hold
    return hold


@transaction
def place_hold(session, deps, tenant, slot_id, address, quote_id, customer_ref, now, origin=None) -> Hold:
    """Reserve a place in a slot until the hold expires; ``origin`` caps a browser's live holds.

    :raises SlotFull, SlotUnavailable, AddressNotServed, NotFound, TooManyHolds:
    """
    slot = get_owned(session, Slot, tenant.id, slot_id, "slot")
    hold = _new_hold(session, deps, tenant, slot, address, quote_id, customer_ref, now, origin)
    session.add(hold)
    return hold


@transaction
def release_hold(session, deps, tenant, hold_id, now) -> None:
    """Give a held place back at once (a repeat, or an expired hold, is fine).

    :raises Conflict: the hold has become a booking.
    """
    hold = get_owned(session, Hold, tenant.id, hold_id, "hold")
    lock_slots(session, [hold.slot_id])
    lock_depot_day(session, hold.depot_id, hold.service_date)
    session.refresh(hold)
    if hold.status == "booked":
        raise Conflict("this hold has already been booked; cancel the booking instead")
    if hold.status == "active":
        hold.status = "released"


def _book(session, deps, tenant, hold: Hold, order_ref: str, now, keep_hold: bool = True) -> Booking:
    """Make the booking a live hold stands for (the slot row must be locked).

    With keep_hold False (one-step booking) the hold was never stored and the booking alone is,
    with its event, by Core statements (bookings/new_booking.py).
    """
    if hold.status == "booked":
        booking = session.scalar(select(Booking).where(Booking.hold_id == hold.id))
        raise Conflict("this hold has already been booked", {"booking_id": booking.id if booking else None})
    if not hold.is_live(now):
        raise HoldExpired("this hold has expired; please choose a window again", {"hold_id": hold.id})
    if hold.moves_booking_id is not None:
        raise Conflict(
            "this hold is for moving a booking: reschedule that booking with it",
            {"hold_id": hold.id, "booking_id": hold.moves_booking_id},
        )
    ensure_paid(session, tenant, hold, deps.stripe_configured)
    slot = hold.slot
    booking_id = new_id("bkg")
    booking = Booking(
        id=booking_id,
        retailer_id=tenant.id,
        slot_id=slot.id,
        zone_id=slot.zone_id,
        depot_id=slot.depot_id,
        service_date=slot.service_date,
        status="confirmed",
        price=hold.price,
        base_price=hold.base_price,
        incentives=list(hold.incentives),
        currency=hold.currency,
        order_ref=order_ref,
        customer_ref=hold.customer_ref,
        manage_token_digest=deps.links.digest(booking_id),
        postcode=hold.postcode,
        lat=hold.lat,
        lon=hold.lon,
        line1=hold.line1,
    )
    booking.slot = slot
    event = BookingEvent(
        retailer_id=tenant.id,
        booking=booking,
        kind="booking.created",
        details={"slot_id": slot.id, "price": booking.price},
    )
    if not keep_hold:  # nothing else changes: the two rows need no flush (bookings/new_booking.py)
        insert_booking_with_event(session, booking, event)
        return booking
    hold.status = "booked"
    booking.hold = hold
    session.add(booking)
    session.add(event)
    return booking


@transaction
def book_hold(session, deps, tenant, hold_id, order_ref, now) -> Booking:
    """Turn a live hold into a booking.

    :raises HoldExpired, Conflict, NotFound:
    """
    hold = get_owned(session, Hold, tenant.id, hold_id, "hold")
    lock_slots(session, [hold.slot_id])
    lock_depot_day(session, hold.depot_id, hold.service_date)  # bookings move dynamic prices
    session.refresh(hold)
    booking = _book(session, deps, tenant, hold, order_ref, now)
    return booking


@transaction
def book_slot(session, deps, tenant, slot_id, address, order_ref, customer_ref, now) -> Booking:
    """Book a slot in one step (same checks and locks as a hold, but no hold is kept).

    :raises SlotFull, SlotUnavailable, AddressNotServed, NotFound, PaymentRequired:
    """
    slot = get_owned(session, Slot, tenant.id, slot_id, "slot")
    hold = _new_hold(session, deps, tenant, slot, address, None, customer_ref, now)
    booking = _book(session, deps, tenant, hold, order_ref, now, keep_hold=False)
    return booking


@transaction
def reschedule(
    session, deps, tenant, booking_id, new_slot_id, now, quote_id=None, hold_id=None, expected_price=None
) -> moves.Move:
    """Move a booking to another slot at that slot's price: the new place is taken before the old is freed.

    A cheaper move paid through us owes the difference back, sent right after the commit. A
    dearer move paid by card through us first holds the new slot for the booking and raises
    PaymentRequired naming that hold; once it is paid, the same call (with or without its
    hold_id) completes the move. ``expected_price``: refuse (Conflict) when the price is another.

    :raises SlotFull, SlotUnavailable, AddressNotServed, Conflict, NotFound, PaymentRequired, HoldExpired:
    """
    booking = get_owned(session, Booking, tenant.id, booking_id, "booking")
    new_slot = get_owned(session, Slot, tenant.id, new_slot_id, "slot")
    moves.check_movable(tenant, booking, now)
    if new_slot.id == booking.slot_id:
        return moves.Move(booking, 0)
    old_slot, address = booking.slot, moves.address_of(booking)
    zone = _check_slot_for(session, deps, tenant, new_slot, address, now)
    hold = moves.find_move_hold(session, tenant, booking, new_slot, hold_id, now)
    price = _move_price(session, deps, tenant, zone, new_slot, address, quote_id, hold, now)
    if expected_price is not None and price.price != expected_price:
        raise moves.PriceChanged(
            "the price of this window has changed", {"slot_id": new_slot.id, "price": price.price}
        )
    change = price.price - booking.price
    if hold is None and moves.must_pay_first(session, tenant, deps.stripe_configured, change):
        hold = _new_hold(session, deps, tenant, new_slot, address, quote_id, None, now)
        # Under the slot's lock now: a request racing this one may have placed the move hold first.
        if (earlier := moves.find_move_hold(session, tenant, booking, new_slot, None, now)) is not None:
            raise moves.payment_first(tenant, booking, earlier)
        session.add(moves.make_move_hold(hold, booking))
        current_unit(session).commit()  # the move hold stays: the 402 names it
        raise moves.payment_first(tenant, booking, hold)
    lock_to_take(session, new_slot, freeing=old_slot)
    same_day = (old_slot.depot_id, old_slot.service_date) == (new_slot.depot_id, new_slot.service_date)
    session.refresh(booking)
    if booking.status == "cancelled" or booking.slot_id != old_slot.id:
        raise Conflict("this booking changed meanwhile; try again", {"booking_id": booking.id})
    if hold is not None:  # its place in the new slot is the hold's, counted already
        session.refresh(hold)
        moves.check_paid(session, tenant, booking, hold, deps.stripe_configured, now)
    elif not has_room(session, new_slot, now, depot_day_already_counted=same_day, leaving=old_slot):
        raise SlotFull("that window is full; your booking is unchanged", {"slot_id": new_slot.id})
    move = moves.apply_move(session, tenant, booking, old_slot, new_slot, price, hold)
    if move.refunded:
        _send_refunds_after_commit(session, deps, booking.id)
    current_unit(session).commit()
    session.refresh(booking)  # the booking as committed
    return move


def complete_paid_move(session, deps, tenant, booking_id, hold_id, slot_id, now) -> moves.Move:
    """Complete a move whose hold was paid by card; when it cannot happen any more, give the hold back.

    A released hold ends unbooked, and `flask payments refunds` refunds what was paid for it.

    :raises PaymentRequired: our record of the payment has not caught up yet; the hold is kept.
    :raises HoldExpired, Conflict, SlotUnavailable, NotFound: the move cannot happen; the hold is released.
    """
    try:
        return reschedule(session, deps, tenant, booking_id, slot_id, now, hold_id=hold_id)
    except (HoldExpired, Conflict, SlotUnavailable, NotFound):
        with suppress(Conflict, NotFound):  # booked or gone already: nothing to give back
            release_hold(session, deps, tenant, hold_id, now)
        raise


def _move_price(session, deps, tenant, zone, slot, address, quote_id, hold, now) -> SlotPrice:
    """The move hold's price when there is one (held at that price), else the slot's price now."""
    if hold is not None:
        return moves.price_of_hold(hold)
    return _price(session, deps, tenant, zone, slot, address, quote_id, now)


def preview_reschedule(session, deps, tenant, booking_id, new_slot_id, quote_id, now) -> moves.MovePreview:
    """Say what moving a booking to a slot would cost now, changing nothing.

    :raises SlotUnavailable, AddressNotServed, Conflict, NotFound:
    """
    with read_only(session):
        booking = get_owned(session, Booking, tenant.id, booking_id, "booking")
        new_slot = get_owned(session, Slot, tenant.id, new_slot_id, "slot")
        moves.check_movable(tenant, booking, now)
        address = moves.address_of(booking)
        zone = _check_slot_for(session, deps, tenant, new_slot, address, now)
        hold = moves.find_move_hold(session, tenant, booking, new_slot, None, now)
        price = _move_price(session, deps, tenant, zone, new_slot, address, quote_id, hold, now)
        return moves.preview(session, tenant, booking, new_slot, price, deps.stripe_configured)


@transaction
def cancel(session, deps, tenant, booking_id, now) -> Booking:
    """Cancel a booking and free its place, then send what is refunded; a repeat answers the same.

    :raises SlotUnavailable, NotFound:
    """
    booking = get_owned(session, Booking, tenant.id, booking_id, "booking")
    _send_refunds_after_commit(session, deps, booking.id)  # a repeat retries one that failed
    if booking.status == "cancelled":
        return booking
    if booking.slot.starts_at <= now:
        raise SlotUnavailable("this delivery has already started and cannot be cancelled")
    lock_slots(session, [booking.slot_id])
    lock_depot_day(session, booking.depot_id, booking.service_date)
    session.refresh(booking)
    if booking.status != "cancelled":
        booking.status = "cancelled"
        session.add(
            BookingEvent(
                retailer_id=tenant.id,
                booking_id=booking.id,
                kind="booking.cancelled",
                details={"slot_id": booking.slot_id},
            )
        )
        queue_cancellation_refund(session, tenant, booking)
    return booking


def get_booking(session, tenant, booking_id) -> Booking:
    """:raises NotFound: no such booking for this retailer."""
    return get_owned(session, Booking, tenant.id, booking_id, "booking")


def list_bookings(session, tenant, day=None, zone_code=None, status=None, after=None, limit=50):
    """Return a page of bookings (ordered by id) and the cursor of the next page."""
    query = select(Booking).where(Booking.retailer_id == tenant.id)
    if day:
        query = query.where(Booking.service_date == day)
    if zone_code:
        query = query.join(Zone, Zone.id == Booking.zone_id).where(Zone.code == zone_code)
    if status:
        query = query.where(Booking.status == status)
    if after:
        query = query.where(Booking.id > after)
    rows = session.scalars(query.order_by(Booking.id).limit(limit + 1)).all()
    return rows[:limit], (rows[limit - 1].id if len(rows) > limit else None)
