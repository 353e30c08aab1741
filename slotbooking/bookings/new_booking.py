"""A new booking and its ``booking.created`` event, written by Core statements instead of a flush.

Why: on the one-step booking, the ORM's flush of these two new rows (its unit-of-work
transaction, topological sort, per-mapper save and insert bookkeeping, the event's id read
back) cost about a quarter of the request's CPU, several times the statements themselves
(bench/README.md). Nothing in the request needs what a flush gives beyond the rows in the
database: the answer is made from the Booking object the values came from, and the commit
hooks are told of both rows as they are of flushed ones (``UnitOfWork.wrote``), so the event
still goes out and the depot-day is still planned again.

On PostgreSQL both rows go in one statement: the booking's INSERT as a CTE whose RETURNING
feeds the event's ``INSERT ... SELECT`` (the event's foreign key is checked at the end of the
statement, when the booking's row is there). Other databases (SQLite) take two INSERTs. The
statements are built once; the column defaults a flush would fill in (``created_at`` and
``updated_at`` from the app's clock, the event's id from its sequence) are filled the same way.

The rows are the ones ``session.add`` would have written, in the same transaction, after the
same locks and room check; the objects stay outside the session (nothing later in the unit
loads or changes them).
"""

import functools

from sqlalchemy import bindparam, insert, select

from slotbooking.bookings.models import Booking, BookingEvent
from slotbooking.clock import now
from slotbooking.common.unit_of_work import current_unit

_BOOKINGS, _EVENTS = Booking.__table__, BookingEvent.__table__
# Every column but the id its sequence gives.
_EVENT_COLUMNS = ("retailer_id", "booking_id", "kind", "details", "created_at")


def _param(column) -> str:
    return f"{column.table.name}_{column.key}"


def _values(table, columns) -> dict:
    return {name: bindparam(_param(table.c[name]), type_=table.c[name].type) for name in columns}


@functools.cache
def _statements(dialect_name: str) -> tuple:
    """Build, once per dialect, the INSERTs of a booking and its event (one statement on PostgreSQL)."""
    booking = insert(_BOOKINGS).values(_values(_BOOKINGS, _BOOKINGS.c.keys()))
    event_values = _values(_EVENTS, _EVENT_COLUMNS)
    if dialect_name != "postgresql":
        return booking, insert(_EVENTS).values(event_values)
    new = booking.returning(_BOOKINGS.c.id).cte("new_booking")
    event_values["booking_id"] = new.c.id
    together = insert(_EVENTS).from_select(
        list(_EVENT_COLUMNS), select(*(event_values[name] for name in _EVENT_COLUMNS))
    )
    return (together,)


def insert_booking_with_event(session, booking: Booking, event: BookingEvent) -> None:
    """Insert ``booking`` and its ``event`` (both new, not in the session) in the open unit of work."""
    at = now()
    booking.created_at = booking.created_at or at
    booking.updated_at = booking.updated_at or at
    event.created_at = event.created_at or at
    event.booking_id = booking.id
    booking_params = {_param(column): getattr(booking, column.key) for column in _BOOKINGS.c}
    event_params = {_param(_EVENTS.c[name]): getattr(event, name) for name in _EVENT_COLUMNS}
    statements = _statements(session.get_bind().dialect.name)
    if len(statements) == 1:
        session.execute(statements[0], {**booking_params, **event_params})
    else:
        session.execute(statements[0], booking_params)
        session.execute(statements[1], event_params)
    current_unit(session).wrote(booking, event)
