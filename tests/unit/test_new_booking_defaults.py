"""The one-step booking's Core insert (bookings/new_booking.py) applies no ORM column defaults.

So every column of ``bookings`` and ``booking_events`` with a Python-side default must be one
that the path fills itself: ``_book`` sets status and incentives, ``insert_booking_with_event``
the times, the database's sequence the event's id. A new defaulted column fails here, pointing
at the two places to fill it (else it would be stored NULL by one-step bookings only).
"""

from slotbooking.bookings.models import Booking, BookingEvent

FILLED_BY_THE_PATH = {
    "bookings": {"status", "incentives", "created_at", "updated_at"},
    "booking_events": {"details", "created_at"},
}


def defaulted(table) -> set[str]:
    return {c.key for c in table.c if c.default is not None or c.onupdate is not None}


def test_every_defaulted_column_is_one_the_one_step_path_fills():
    assert defaulted(Booking.__table__) == FILLED_BY_THE_PATH["bookings"]
    assert defaulted(BookingEvent.__table__) == FILLED_BY_THE_PATH["booking_events"]
