"""Reschedule or cancel a booking on a shopper's behalf, through the reservation services the API uses.

The call centre gets exactly the API's rules, prices, locks and refunds (reservations/service.py),
plus an audit row naming who did it, written in the same transaction as the change. A move is
first previewed at the new window's price; the agent confirms that price, and the move is made
only at it (a price that changed meanwhile is refused, PriceChanged). A move that costs more and
is paid by card through us cannot be taken over the phone: it is refused before anything is
held, and the shopper pays for it on their manage page.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from slotbooking.bookings.models import Booking
from slotbooking.common.errors import PaymentRequired
from slotbooking.common.money import money
from slotbooking.common.owned import get_owned
from slotbooking.common.retry import transaction
from slotbooking.offers.offer import OfferedWindow
from slotbooking.offers.service import SlotQuery, current_offer
from slotbooking.operations.audit_trail import OnBehalf
from slotbooking.reservations import moves, service
from slotbooking.slots.clock import local_today
from slotbooking.slots.pricers import Address


class CardPaymentNeeded(PaymentRequired):
    """A dearer move paid by card through us: only the shopper can pay it, on their manage page."""

    code = "card_payment_needed"


@dataclass(frozen=True)
class MoveOptions:
    """One day's windows a booking may move to, priced for its address now (the shopper's own grid)."""

    booking: Booking
    day: date
    windows: tuple[OfferedWindow, ...]
    days: tuple[date, ...]  # every day that can be chosen: today to the end of the horizon


def move_options(session, deps, tenant, booking_id: str, now, day: date | None = None) -> MoveOptions:
    """Return the grid of one day's windows for the booking's address (by default the booking's day).

    :raises NotFound, AddressNotServed, ValidationFailed: ValidationFailed for a day outside the horizon.
    """
    booking = get_owned(session, Booking, tenant.id, booking_id, "booking")
    today = local_today(tenant.tz, now)
    day = day or max(booking.service_date, today)
    query = SlotQuery(Address.of(booking), day, 1)
    offer = current_offer(session, deps.cache, deps.finder, tenant, query, now)
    days = tuple(today + timedelta(days=n) for n in range(tenant.horizon_days + 1))
    return MoveOptions(booking, day, offer.windows, days)


@dataclass(frozen=True)
class MoveConfirmation:
    """What the agent confirms: the booking as it is, and what moving it to the window costs now."""

    booking: Booking
    preview: moves.MovePreview


def preview_move(session, deps, tenant, booking_id: str, slot_id: str, now) -> MoveConfirmation:
    """Say what moving the booking to the slot costs now, changing nothing.

    :raises SlotUnavailable, AddressNotServed, Conflict, NotFound:
    """
    preview = service.preview_reschedule(session, deps, tenant, booking_id, slot_id, None, now)
    return MoveConfirmation(get_owned(session, Booking, tenant.id, booking_id, "booking"), preview)


@transaction
def reschedule_for_shopper(
    session, deps, tenant, booking_id: str, slot_id: str, expected_price: int, now, on_behalf: OnBehalf
) -> moves.Move:
    """Move the booking to the slot at ``expected_price`` (the previewed price), with its audit row.

    :raises PriceChanged: the window's price is no longer ``expected_price``.
    :raises CardPaymentNeeded: the move costs more and is paid by card through us.
    :raises SlotFull, SlotUnavailable, AddressNotServed, Conflict, NotFound:
    """
    booking = get_owned(session, Booking, tenant.id, booking_id, "booking")
    preview = service.preview_reschedule(session, deps, tenant, booking_id, slot_id, None, now)
    if preview.price.price != expected_price:
        raise moves.PriceChanged(
            "the price of this window has changed", {"slot_id": slot_id, "price": preview.price.price}
        )
    if preview.pay_now > 0:
        raise CardPaymentNeeded(
            "this move costs more and is paid by card: the shopper can make it on their manage page",
            {"booking_id": booking.id, "amount_due": money(preview.pay_now, booking.currency)},
        )
    if slot_id != booking.slot_id:
        # Before the move: the service commits part-way, and the audit row must go with the move.
        on_behalf(
            session,
            "booking.rescheduled",
            booking.id,
            {"slot_id": [booking.slot_id, slot_id], "price": [booking.price, preview.price.price]},
        )
    return service.reschedule(session, deps, tenant, booking_id, slot_id, now, expected_price=expected_price)


@transaction
def cancel_for_shopper(session, deps, tenant, booking_id: str, now, on_behalf: OnBehalf) -> Booking:
    """Cancel the booking as the API does (its card payment refunded once), with its audit row.

    A booking already cancelled is answered as it is, and no second audit row is written.

    :raises SlotUnavailable, NotFound:
    """
    booking = get_owned(session, Booking, tenant.id, booking_id, "booking")
    if booking.status != "cancelled":
        on_behalf(session, "booking.cancelled", booking.id, {"status": [booking.status, "cancelled"]})
    return service.cancel(session, deps, tenant, booking_id, now)
