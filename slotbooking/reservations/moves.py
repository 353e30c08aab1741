"""Rescheduling at the new window's price: what a move changes in money, and the hold that pays for it.

The rule (docs/reschedule.md): the new window is priced for the booking's address at the time of
the move, with the retailer's pricer, and the booking takes that price. The difference (new minus
old) is the move's ``price_change``. Where we take the retailer's fees by card, a cheaper move owes
the shopper the difference back (never more than they paid us), and a dearer move is paid first:
the new window is held for the booking (a *move hold*, whose payment is the difference), and the
move completes once that hold is paid. Where the retailer collects its fees itself, nothing changes
hands here and the ``booking.rescheduled`` event's ``price_change`` tells the retailer what to settle.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from slotbooking.bookings.models import Booking, BookingEvent, Hold
from slotbooking.common.errors import Conflict, HoldExpired, PaymentRequired, SlotUnavailable
from slotbooking.common.money import money
from slotbooking.common.owned import get_owned
from slotbooking.payments.ledger import paid_through_us, refund_from_booking
from slotbooking.payments.service import charges_through_us, ensure_paid
from slotbooking.slots.booking_rules import closes_at
from slotbooking.slots.models import Slot
from slotbooking.slots.pricers import Address, SlotPrice


class PriceChanged(Conflict):
    """The window's price is no longer the one the shopper was shown."""

    code = "price_changed"


@dataclass(frozen=True)
class Move:
    """A booking after a reschedule, and what the move changed in money (minor units)."""

    booking: Booking
    price_change: int  # new price minus old; 0 when the booking was already in that window
    refunded: int = 0  # owed back to the shopper's card for this move
    paid: int = 0  # paid by card for this move, before it completed
    refund_ids: tuple[int, ...] = ()  # the refund rows that carry ``refunded`` back


@dataclass(frozen=True)
class MovePreview:
    """What moving a booking to a window would cost, before the shopper confirms."""

    slot: Slot
    price: SlotPrice
    price_change: int
    pay_now: int  # to pay by card through us before the move completes
    refund: int  # to be refunded to the shopper's card through us once it does
    settled_by_retailer: bool  # the retailer, not us, settles a difference with the shopper


def address_of(booking: Booking) -> Address:
    return Address.of(booking)


def check_movable(tenant, booking: Booking, now: datetime) -> None:
    """:raises Conflict, SlotUnavailable: the booking is cancelled, or too close to change."""
    if booking.status == "cancelled":
        raise Conflict("a cancelled booking cannot be rescheduled", {"booking_id": booking.id})
    if now >= closes_at(tenant, booking.slot):
        raise SlotUnavailable("the booked window is too close to change now", {"booking_id": booking.id})


def price_of_hold(hold: Hold) -> SlotPrice:
    return SlotPrice(hold.price, hold.base_price, tuple(hold.incentives))


def must_pay_first(session, tenant, stripe_configured: bool, price_change: int) -> bool:
    """Tell whether a move this much dearer is paid by card through us before it completes."""
    return price_change > 0 and charges_through_us(session, tenant, stripe_configured)


def preview(session, tenant, booking, slot, price: SlotPrice, stripe_configured: bool) -> MovePreview:
    """Say what the move would change: the price, and what is paid or refunded, and by whom."""
    change = price.price - booking.price
    through_us = charges_through_us(session, tenant, stripe_configured)
    refund = min(-change, paid_through_us(session, booking)) if change < 0 else 0
    return MovePreview(
        slot=slot,
        price=price,
        price_change=change,
        pay_now=change if change > 0 and through_us else 0,
        refund=refund,
        settled_by_retailer=change != 0 and not through_us and refund == 0,
    )


def find_move_hold(session, tenant, booking, slot, hold_id: str | None, now) -> Hold | None:
    """Return the move hold to complete this move with: the one named, or the booking's live one for the slot.

    :raises NotFound, Conflict, HoldExpired: the named hold is not this move's, was used, or ran out.
    """
    if hold_id is None:
        return session.scalar(
            select(Hold)
            .where(
                Hold.moves_booking_id == booking.id,
                Hold.slot_id == slot.id,
                Hold.is_live(now),
            )
            .order_by(Hold.expires_at.desc())
            .limit(1)
        )
    hold = get_owned(session, Hold, tenant.id, hold_id, "hold", detail="hold_id")
    if hold.moves_booking_id != booking.id or hold.slot_id != slot.id:
        raise Conflict(
            "this hold was not placed to move this booking to that window",
            {"hold_id": hold.id, "booking_id": booking.id, "slot_id": slot.id},
        )
    if hold.status == "booked":
        raise Conflict("this hold has already been used for a move", {"hold_id": hold.id})
    if not hold.is_live(now):
        raise HoldExpired("this hold has expired; please reschedule again", {"hold_id": hold.id})
    return hold


def latest_move_hold(session, booking: Booking) -> Hold | None:
    """Return the hold most recently placed to move this booking, whatever became of it."""
    return session.scalar(
        select(Hold)
        .where(Hold.moves_booking_id == booking.id)
        .order_by(Hold.created_at.desc(), Hold.id)
        .limit(1)
    )


def make_move_hold(hold: Hold, booking: Booking) -> Hold:
    """Turn a new hold into the hold that pays for moving the booking: its payment is the difference."""
    hold.moves_booking_id = booking.id
    hold.amount_due = hold.price - booking.price
    hold.customer_ref = booking.customer_ref
    return hold


def payment_first(tenant, booking: Booking, hold: Hold, payment_status: str | None = None) -> PaymentRequired:
    """The 402 that tells the shop how to pay for a dearer move and then complete it."""
    return PaymentRequired(
        "this move costs more and is paid by card: pay the difference for the hold, then reschedule with it",
        {
            "booking_id": booking.id,
            "slot_id": hold.slot_id,
            "hold_id": hold.id,
            "hold_expires_at": hold.expires_at.astimezone(tenant.tz).isoformat(),
            "price": money(hold.price, hold.currency),
            "price_change": money(hold.price - booking.price, hold.currency),
            "amount_due": money(hold.payable_amount, hold.currency),
            "payment_status": payment_status,
            "payment_url": f"/api/v1/holds/{hold.id}/payment",
            "reschedule_url": f"/api/v1/bookings/{booking.id}/reschedule",
            "next": "POST payment_url, pay its client_secret with Stripe.js, then POST reschedule_url with "
            "{slot_id, hold_id}",
        },
    )


def check_paid(session, tenant, booking: Booking, hold: Hold, stripe_configured: bool, now) -> None:
    """Refuse to complete a move with a hold that is gone, unpaid, or priced against an older booking.

    Call with the slot rows locked and the hold reread.

    :raises HoldExpired, Conflict, PaymentRequired:
    """
    if hold.status == "booked":
        raise Conflict("this hold has already been used for a move", {"hold_id": hold.id})
    if not hold.is_live(now):
        raise HoldExpired("this hold has expired; please reschedule again", {"hold_id": hold.id})
    if hold.amount_due is not None and hold.amount_due != hold.price - booking.price:
        raise Conflict(
            "the booking changed after this hold was placed; reschedule again",
            {"hold_id": hold.id, "booking_id": booking.id},
        )
    try:
        ensure_paid(session, tenant, hold, stripe_configured)
    except PaymentRequired as unpaid:
        raise payment_first(tenant, booking, hold, unpaid.details.get("payment_status")) from None


def apply_move(session, tenant, booking: Booking, old_slot, new_slot, price: SlotPrice, hold=None) -> Move:
    """Move the booking into the new slot at the new price, record the event, owe any refund.

    The caller holds both slots' locks and has checked the room (or the hold that keeps it).
    """
    change = price.price - booking.price
    paid = hold.payable_amount if hold is not None and hold.amount_due is not None else 0
    booking.slot_id, booking.zone_id = new_slot.id, new_slot.zone_id
    booking.depot_id, booking.service_date = new_slot.depot_id, new_slot.service_date
    booking.slot = new_slot
    booking.price, booking.base_price = price.price, price.base_price
    booking.incentives = list(price.incentives)
    booking.status = "rescheduled"
    if hold is not None:
        hold.status = "booked"
    event = BookingEvent(retailer_id=tenant.id, booking_id=booking.id, kind="booking.rescheduled", details={})
    session.add(event)
    session.flush()  # the event's id names this move's refunds
    # What we took by card comes back by card, whoever collects the retailer's fees today.
    key = f"slotbooking-refund-{booking.id}-move-{event.id}"
    refunds = refund_from_booking(session, booking, -change, "booking_rescheduled", key) if change < 0 else []
    refunded = sum(r.amount for r in refunds)
    event.details = {
        "from_slot_id": old_slot.id,
        "to_slot_id": new_slot.id,
        "from_price": money(price.price - change, booking.currency),
        "to_price": money(price.price, booking.currency),
        "price_change": money(change, booking.currency),
        "refunded": money(refunded, booking.currency),
        "paid": money(paid, booking.currency),
    }
    if hold is not None:
        event.details["hold_id"] = hold.id
    return Move(booking, change, refunded, paid, tuple(r.id for r in refunds))
