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

The depot day's ``lock_seq`` is also the cache's version: every change of what a depot's day
holds (hold, release, booking, reschedule, cancel) bumps it in its own transaction, so the
bump commits, or vanishes, with the change itself (see ``capacity_version``).
"""

import functools
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.common.driver_read import scalar_in_autocommit
from slotbooking.db_types import UTCDateTime
from slotbooking.slots.models import DepotDay, Slot

# Built once: constructing statements costs more CPU than the round trip on this hot path.
_LOCK_SLOT = update(Slot).where(Slot.id == bindparam("lock_slot_id")).values(lock_seq=Slot.lock_seq + 1)
_LOCK_DEPOT_DAY = (
    update(DepotDay)
    .where(DepotDay.depot_id == bindparam("lock_depot_id"), DepotDay.service_date == bindparam("lock_day"))
    .values(lock_seq=DepotDay.lock_seq + 1)
)


def lock_slots(session, slot_ids) -> None:
    """Lock the rows of the given slots, in id order."""
    for slot_id in sorted(set(slot_ids)):
        session.execute(_LOCK_SLOT, {"lock_slot_id": slot_id})


def lock_depot_day(session, depot_id: int, day: date) -> None:
    """Lock the depot's row for the day."""
    session.execute(_LOCK_DEPOT_DAY, {"lock_depot_id": depot_id, "lock_day": day})


_CAPACITY_VERSION = select(func.count() + func.coalesce(func.sum(DepotDay.lock_seq), 0)).where(
    DepotDay.depot_id == bindparam("version_depot_id"),
    DepotDay.service_date >= bindparam("version_first"),
    DepotDay.service_date <= bindparam("version_last"),
)


def capacity_version(engine, depot_id: int, first: date, last: date) -> int:
    """Return a number that grows with every committed change to the depot's days first..last.

    Each change locks its depot day with an UPDATE that adds 1 to ``lock_seq``, and depot-day
    rows are only ever added, so over a fixed range of days the row count plus the sum of
    ``lock_seq`` grows with every commit and stays put only while nothing changed. One indexed
    range read (the unique index on depot_id, service_date) of at most a horizon's rows, on a
    pooled connection in autocommit: one round trip, no BEGIN and ROLLBACK (common/driver_read.py).
    """
    return scalar_in_autocommit(
        engine,
        _CAPACITY_VERSION,
        {"version_depot_id": depot_id, "version_first": first, "version_last": last},
    )


def first_hold_expiry(session, depot_id: int, days: list[date], now: datetime) -> datetime | None:
    """Return when the first live hold of the depot on these days lapses (None: no live hold).

    Every hold a grid of the depot counts, in a slot or in the depot's daily cap, is among them.
    """
    if not days:
        return None
    return session.scalar(_counts()["first_expiry"], {"depot_id": depot_id, "days": days, "now": now})


@functools.cache
def _counts() -> dict:
    """Build, once, the statements that count what a grid shows (a miss runs each of them; built
    per call they cost more CPU than the queries themselves). IN lists are expanding parameters."""
    depot_id, day_list, slot_ids = (
        bindparam("depot_id"),
        bindparam("days", expanding=True),
        bindparam("slot_ids", expanding=True),
    )
    live = Hold.is_live(bindparam("now", type_=UTCDateTime))
    occupying = Booking.status.in_(OCCUPYING_STATUSES)
    return {
        "first_expiry": select(func.min(Hold.expires_at)).where(
            Hold.depot_id == depot_id, Hold.service_date.in_(day_list), live
        ),
        "booked_by_slot": select(Booking.slot_id, func.count())
        .where(Booking.slot_id.in_(slot_ids), occupying)
        .group_by(Booking.slot_id),
        "held_by_slot": select(Hold.slot_id, func.count())
        .where(Hold.slot_id.in_(slot_ids), live)
        .group_by(Hold.slot_id),
        "day_capacity": select(DepotDay.service_date, DepotDay.capacity).where(
            DepotDay.depot_id == depot_id, DepotDay.service_date.in_(day_list)
        ),
        "booked_by_day": select(Booking.service_date, func.count())
        .where(Booking.depot_id == depot_id, Booking.service_date.in_(day_list), occupying)
        .group_by(Booking.service_date),
        "held_by_day": select(Hold.service_date, func.count())
        .where(Hold.depot_id == depot_id, Hold.service_date.in_(day_list), live)
        .group_by(Hold.service_date),
    }


@functools.cache
def _room_query():
    """Build, once, the single SELECT of a slot's and its depot day's counts and capacity."""
    slot_id, depot_id, day, now = (
        bindparam("slot_id"),
        bindparam("depot_id"),
        bindparam("day"),
        bindparam("now", type_=UTCDateTime),
    )
    occupying = Booking.status.in_(OCCUPYING_STATUSES)
    live = Hold.is_live(now)
    count = func.count
    in_slot = (
        select(count()).where(Booking.slot_id == slot_id, occupying).scalar_subquery()
        + select(count()).where(Hold.slot_id == slot_id, live).scalar_subquery()
    )
    in_day = (
        select(count())
        .where(Booking.depot_id == depot_id, Booking.service_date == day, occupying)
        .scalar_subquery()
        + select(count()).where(Hold.depot_id == depot_id, Hold.service_date == day, live).scalar_subquery()
    )
    capacity = (
        select(DepotDay.capacity)
        .where(DepotDay.depot_id == depot_id, DepotDay.service_date == day)
        .scalar_subquery()
    )
    return select(in_slot, in_day, capacity)


def has_room(session, slot: Slot, now: datetime, depot_day_already_counted: bool = False) -> bool:
    """Tell whether one more stop fits the slot and its depot day; call with both rows locked.

    One round trip: the four counts and the depot day's capacity in a single SELECT.
    """
    in_slot, in_day, capacity = session.execute(
        _room_query(),
        {"slot_id": slot.id, "depot_id": slot.depot_id, "day": slot.service_date, "now": now},
    ).one()
    if in_slot >= slot.capacity:
        return False
    if depot_day_already_counted:
        return True
    return capacity is not None and in_day < capacity


def usage_by_slot(session, slot_ids: list[str], now: datetime) -> dict[str, int]:
    """Return bookings plus live holds per slot, for showing availability (no locks)."""
    if not slot_ids:
        return {}
    usage: dict[str, int] = dict.fromkeys(slot_ids, 0)
    statements = _counts()
    booked = session.execute(statements["booked_by_slot"], {"slot_ids": slot_ids})
    held = session.execute(statements["held_by_slot"], {"slot_ids": slot_ids, "now": now})
    for slot_id, count in [*booked.all(), *held.all()]:
        usage[slot_id] += count
    return usage


def usage_by_depot_day(
    session, depot_id: int, days: list[date], now: datetime
) -> dict[date, tuple[int, int]]:
    """Return (capacity, taken) of a depot per day, for showing availability (no locks)."""
    if not days:
        return {}
    statements = _counts()
    params = {"depot_id": depot_id, "days": days, "now": now}
    capacity = dict(session.execute(statements["day_capacity"], params).all())
    taken = dict.fromkeys(capacity, 0)
    booked = session.execute(statements["booked_by_day"], params)
    held = session.execute(statements["held_by_day"], params)
    for day, count in [*booked.all(), *held.all()]:
        if day in taken:
            taken[day] += count
    return {day: (capacity[day], taken[day]) for day in capacity}
