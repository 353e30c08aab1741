"""Capacity on two levels, the slot's and the depot's daily fleet cap, enforced in the database.

How: a row lock. Every change of what occupies a slot starts by locking the slot's row, then
its depot day's row, and only then counts what is taken: confirmed bookings plus holds that are
active and not yet expired. Counting live, instead of keeping counters, is what lets a hold
expire by itself (no sweeper is needed for correctness), and the lock is what makes the count
and the insert that follows one atomic step. A bare conditional UPDATE cannot do this: its
WHERE would need a sub-select over holds, which PostgreSQL does not re-evaluate after waiting
for a concurrent writer under READ COMMITTED.

The lock is taken with an UPDATE of the row (bumping ``lock_seq``), not SELECT ... FOR UPDATE,
because the same statement locks the row on PostgreSQL and takes SQLite's database write lock
(SQLite ignores FOR UPDATE); it is always the first write of its transaction. Locks are taken
in a fixed order (slots by id, then depot days by id) so two transactions cannot deadlock.
"""

from datetime import date, datetime

from sqlalchemy import func, select, update

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.slots.models import DepotDay, Slot


def lock_slots(session, slot_ids) -> None:
    """Lock the rows of the given slots, in id order."""
    for slot_id in sorted(set(slot_ids)):
        session.execute(update(Slot).where(Slot.id == slot_id).values(lock_seq=Slot.lock_seq + 1))


def lock_depot_day(session, depot_id: int, day: date) -> DepotDay | None:
    """Lock and return the depot's row for the day."""
    session.execute(
        update(DepotDay)
        .where(DepotDay.depot_id == depot_id, DepotDay.service_date == day)
        .values(lock_seq=DepotDay.lock_seq + 1)
    )
    return session.scalar(select(DepotDay).where(DepotDay.depot_id == depot_id, DepotDay.service_date == day))


def taken_in_slot(session, slot_id: str, now: datetime) -> int:
    """Count bookings plus live holds in a slot."""
    booked = session.scalar(
        select(func.count()).where(Booking.slot_id == slot_id, Booking.status.in_(OCCUPYING_STATUSES))
    )
    held = session.scalar(
        select(func.count()).where(Hold.slot_id == slot_id, Hold.status == "active", Hold.expires_at > now)
    )
    return booked + held


def taken_in_depot_day(session, depot_id: int, day: date, now: datetime) -> int:
    """Count bookings plus live holds over every window of a depot on a day."""
    booked = session.scalar(
        select(func.count()).where(
            Booking.depot_id == depot_id,
            Booking.service_date == day,
            Booking.status.in_(OCCUPYING_STATUSES),
        )
    )
    held = session.scalar(
        select(func.count()).where(
            Hold.depot_id == depot_id,
            Hold.service_date == day,
            Hold.status == "active",
            Hold.expires_at > now,
        )
    )
    return booked + held


def has_room(session, slot: Slot, now: datetime, depot_day_already_counted: bool = False) -> bool:
    """Tell whether one more stop fits the slot and its depot day; call with both rows locked."""
    if taken_in_slot(session, slot.id, now) >= slot.capacity:
        return False
    if depot_day_already_counted:
        return True
    depot_day = session.scalar(
        select(DepotDay).where(DepotDay.depot_id == slot.depot_id, DepotDay.service_date == slot.service_date)
    )
    if depot_day is None:
        return False
    return taken_in_depot_day(session, slot.depot_id, slot.service_date, now) < depot_day.capacity


def usage_by_slot(session, slot_ids: list[str], now: datetime) -> dict[str, int]:
    """Return bookings plus live holds per slot, for showing availability (no locks)."""
    if not slot_ids:
        return {}
    usage: dict[str, int] = dict.fromkeys(slot_ids, 0)
    booked = session.execute(
        select(Booking.slot_id, func.count())
        .where(Booking.slot_id.in_(slot_ids), Booking.status.in_(OCCUPYING_STATUSES))
        .group_by(Booking.slot_id)
    )
    held = session.execute(
        select(Hold.slot_id, func.count())
        .where(Hold.slot_id.in_(slot_ids), Hold.status == "active", Hold.expires_at > now)
        .group_by(Hold.slot_id)
    )
    for slot_id, count in [*booked.all(), *held.all()]:
        usage[slot_id] += count
    return usage


def usage_by_depot_day(
    session, depot_id: int, days: list[date], now: datetime
) -> dict[date, tuple[int, int]]:
    """Return (capacity, taken) of a depot per day."""
    rows = session.scalars(
        select(DepotDay).where(DepotDay.depot_id == depot_id, DepotDay.service_date.in_(days))
    ).all()
    return {
        row.service_date: (row.capacity, taken_in_depot_day(session, depot_id, row.service_date, now))
        for row in rows
    }
