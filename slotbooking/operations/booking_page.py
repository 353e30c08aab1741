"""Everything the console shows about one booking: its window, history, holds, payments, refunds and webhooks.

The history is the booking_events outbox (created, rescheduled, cancelled, each with its
details); the holds are the one it was booked from and any placed to move it; the payments are
those holds' PaymentIntents; the refunds are every refund owed on the booking or its payments;
the deliveries are the webhooks queued for its events. All read-only: the page changes nothing.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select

from slotbooking.bookings.models import Booking, BookingEvent, Hold
from slotbooking.common.owned import get_owned
from slotbooking.events.models import EventDelivery
from slotbooking.payments.models import HoldPayment, Refund
from slotbooking.retailers.models import Depot, Zone
from slotbooking.slots.models import Slot


@dataclass(frozen=True)
class BookingDetail:
    booking: Booking
    slot: Slot
    zone: Zone
    depot: Depot
    history: list[BookingEvent]
    holds: list[Hold]  # the hold it was booked from first, then move holds, oldest first
    payments: list[HoldPayment]
    refunds: list[Refund]
    deliveries: list[EventDelivery]


def booking_detail(session, tenant, booking_id: str) -> BookingDetail:
    """Return the booking's page data.

    :raises NotFound: no such booking of this retailer's.
    """
    booking = get_owned(session, Booking, tenant.id, booking_id, "booking")
    history = list(
        session.scalars(
            select(BookingEvent).where(BookingEvent.booking_id == booking.id).order_by(BookingEvent.id)
        )
    )
    move_holds = session.scalars(
        select(Hold)
        .where(Hold.retailer_id == tenant.id, Hold.moves_booking_id == booking.id)
        .order_by(Hold.created_at, Hold.id)
    )
    holds = ([booking.hold] if booking.hold is not None else []) + list(move_holds)
    payments = list(
        session.scalars(
            select(HoldPayment).where(HoldPayment.hold_id.in_([h.id for h in holds])).order_by(HoldPayment.id)
        )
    )
    refunds = list(
        session.scalars(
            select(Refund)
            .where(
                Refund.retailer_id == tenant.id,
                or_(Refund.booking_id == booking.id, Refund.payment_id.in_([p.id for p in payments])),
            )
            .order_by(Refund.id)
        )
    )
    deliveries = list(
        session.scalars(
            select(EventDelivery)
            .where(EventDelivery.booking_event_id.in_([e.id for e in history]))
            .order_by(EventDelivery.id)
        )
    )
    return BookingDetail(
        booking=booking,
        slot=booking.slot,
        zone=session.get(Zone, booking.zone_id),
        depot=session.get(Depot, booking.depot_id),
        history=history,
        holds=holds,
        payments=payments,
        refunds=refunds,
        deliveries=deliveries,
    )
