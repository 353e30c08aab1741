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

Nested windows (bookings/nesting.py: a 4-hour booking takes a place from the hour windows under
it) share places across slots, and the depot day's lock is what serialises them: every change
that takes a place locks its depot day before it counts, and a zone-day lies within one depot
day, so two processes taking the last joint place, one in 08:00-12:00 and one in 09:00-10:00,
wait for each other there and the second counts what the first committed. No slot lock beyond
the taken slot's own is needed (locking every nesting slot too was measured: twice the database
CPU per booking, for nothing the depot day's lock did not already give).

The depot day's ``lock_seq`` is also the cache's version: every change of what a depot's day
holds (hold, release, booking, reschedule, cancel) bumps it in its own transaction, so the
bump commits, or vanishes, with the change itself (see ``capacity_version``). Each lock also
notes its depot, whose change counter in Redis is moved once the transaction commits
(``depot_changed``, bookings/version_watch.py), so other processes' hits see the change at once.
"""

import functools
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import and_, bindparam, func, select, update

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.bookings.nesting import Window, places_left, places_left_of
from slotbooking.bookings.version_watch import depot_changed
from slotbooking.common.driver_read import scalar_in_autocommit
from slotbooking.db_types import UTCDateTime
from slotbooking.slots.models import DepotDay, Slot

# Built once: constructing statements costs more CPU than the round trip on this hot path. The
# locks and the room count are Core statements over the tables, not ORM-enabled ones: they
# change nothing an ORM object keeps (``lock_seq`` is only ever read by a query), and the ORM's
# path for a bulk UPDATE (its in-session synchronisation) cost twice the CPU of the statement.
_SLOTS, _DEPOT_DAYS = Slot.__table__, DepotDay.__table__
_BOOKINGS, _HOLDS = Booking.__table__, Hold.__table__

_LOCK_SLOT = (
    update(_SLOTS).where(_SLOTS.c.id == bindparam("lock_slot_id")).values(lock_seq=_SLOTS.c.lock_seq + 1)
)
_LOCK_DEPOT_DAY = (
    update(_DEPOT_DAYS)
    .where(
        _DEPOT_DAYS.c.depot_id == bindparam("lock_depot_id"),
        _DEPOT_DAYS.c.service_date == bindparam("lock_day"),
    )
    .values(lock_seq=_DEPOT_DAYS.c.lock_seq + 1)
)

_LOCKED_SLOT = _LOCK_SLOT.returning(_SLOTS.c.depot_id, _SLOTS.c.service_date).cte("locked_slot")
# PostgreSQL: the slot, then its depot day, in one statement. The depot day's row is locked
# only when the outer UPDATE writes it, which needs a row of the join, which needs the slot's
# row out of the CTE, which it gives only once it has locked it: the order stays slot first.
_LOCK_SLOT_AND_ITS_DEPOT_DAY = (
    update(_DEPOT_DAYS)
    .where(
        _DEPOT_DAYS.c.depot_id == _LOCKED_SLOT.c.depot_id,
        _DEPOT_DAYS.c.service_date == _LOCKED_SLOT.c.service_date,
    )
    .values(lock_seq=_DEPOT_DAYS.c.lock_seq + 1)
)


_LOCKED_IN_ORDER = _SLOTS.alias("locked_in_order")
# PostgreSQL locks the sub-select's rows as they come out of its ORDER BY, so in id order; the
# outer UPDATE then only bumps rows this transaction holds already (and takes SQLite's lock).
_LOCK_SLOTS = (
    update(_SLOTS)
    .where(
        _SLOTS.c.id.in_(
            select(_LOCKED_IN_ORDER.c.id)
            .where(_LOCKED_IN_ORDER.c.id.in_(bindparam("lock_slot_ids", expanding=True)))
            .order_by(_LOCKED_IN_ORDER.c.id)
            .with_for_update()
        )
    )
    .values(lock_seq=_SLOTS.c.lock_seq + 1)
)


def _live_hold(now):
    """``Hold.is_live(now)`` over the holds table (a Core statement's, not the ORM's)."""
    return and_(_HOLDS.c.status == "active", _HOLDS.c.expires_at > now)


def lock_slots(session, slot_ids) -> None:
    """Lock the rows of the given slots, in id order."""
    ids = sorted(set(slot_ids))
    if len(ids) == 1:
        session.execute(_LOCK_SLOT, {"lock_slot_id": ids[0]})
    elif ids:
        session.execute(_LOCK_SLOTS, {"lock_slot_ids": ids})


def lock_depot_day(session, depot_id: int, day: date) -> None:
    """Lock the depot's row for the day (a new cache version, told to other processes at commit)."""
    session.execute(_LOCK_DEPOT_DAY, {"lock_depot_id": depot_id, "lock_day": day})
    depot_changed(session, depot_id)


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


def lock_to_take(session, slot: Slot, freeing: Slot | None = None) -> None:
    """Lock what taking a place in ``slot`` depends on: the slot and its depot day.

    ``freeing``: a reschedule's old slot, whose place is given back. Slots in id order, then the
    depot day of each, in order. The depot day's lock also covers the windows nesting with
    ``slot`` (module docstring).
    """
    if freeing is None and session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_SLOT_AND_ITS_DEPOT_DAY, {"lock_slot_id": slot.id})
        depot_changed(session, slot.depot_id)
        return
    ids = {slot.id} if freeing is None else {slot.id, freeing.id}
    lock_slots(session, ids)
    days = {(slot.depot_id, slot.service_date)}
    if freeing is not None:
        days.add((freeing.depot_id, freeing.service_date))
    for depot_id, day in sorted(days):
        lock_depot_day(session, depot_id, day)


def has_room(
    session,
    slot: Slot,
    now: datetime,
    depot_day_already_counted: bool = False,
    leaving: Slot | None = None,
) -> bool:
    """Tell whether one more stop fits the slot, the windows it nests with, and its depot day.

    Call with ``lock_to_take``'s locks held. ``leaving``: a booking that moves out of that slot
    as this one comes in (a reschedule), not counted in the nested rule's joint caps. One round
    trip: the zone-day's windows with what each holds (the slot's own count among them), each
    row carrying the depot day's count and capacity.
    """
    rows = session.execute(
        _room_query(),
        {"zone_id": slot.zone_id, "depot_id": slot.depot_id, "day": slot.service_date, "now": now},
    ).all()
    in_slot = next(
        own for slot_id, _starts, _ends, _capacity, own, _in_day, _day_cap in rows if slot_id == slot.id
    )
    if in_slot >= slot.capacity:
        return False
    _, _, _, _, _, in_day, day_capacity = rows[0]
    if not depot_day_already_counted and (day_capacity is None or in_day >= day_capacity):
        return False
    leaving_id = leaving.id if leaving is not None else None
    windows = [
        Window(slot_id, starts, ends, capacity, own - (slot_id == leaving_id))
        for slot_id, starts, ends, capacity, own, _in_day, _day_cap in rows
    ]
    return places_left_of(windows, slot.id) > 0


@functools.cache
def _room_query():
    """Build, once, the SELECT of a zone-day's windows with what each holds (bookings + live
    holds), each row with its depot day's count and capacity (uncorrelated: computed once)."""
    now = bindparam("now", type_=UTCDateTime)
    depot_id, day = bindparam("depot_id"), bindparam("day")
    slots, bookings, holds, depot_days = _SLOTS, _BOOKINGS, _HOLDS, _DEPOT_DAYS
    occupying = bookings.c.status.in_(OCCUPYING_STATUSES)
    count = func.count
    booked = select(count()).where(bookings.c.slot_id == slots.c.id, occupying).correlate(slots)
    held = select(count()).where(holds.c.slot_id == slots.c.id, _live_hold(now)).correlate(slots)
    in_day = (
        select(count())
        .where(bookings.c.depot_id == depot_id, bookings.c.service_date == day, occupying)
        .scalar_subquery()
        + select(count())
        .where(holds.c.depot_id == depot_id, holds.c.service_date == day, _live_hold(now))
        .scalar_subquery()
    )
    day_capacity = (
        select(depot_days.c.capacity)
        .where(depot_days.c.depot_id == depot_id, depot_days.c.service_date == day)
        .scalar_subquery()
    )
    return select(
        slots.c.id,
        slots.c.starts_at,
        slots.c.ends_at,
        slots.c.capacity,
        booked.scalar_subquery() + held.scalar_subquery(),
        in_day,
        day_capacity,
    ).where(slots.c.zone_id == bindparam("zone_id"), slots.c.service_date == day)


def places_by_slot(slots: list[Slot], usage: dict[str, int]) -> dict[str, int]:
    """Return the places left of each slot under the nested rule, from what each holds (``usage``).

    Give every slot of each zone-day concerned (active or not: a window taken off sale still
    holds its bookings and its vans' places); the depot's daily cap is not applied here.
    """

    def zone_day(slot):
        return slot.zone_id, slot.service_date

    places: dict[str, int] = {}
    for _, day_slots in groupby(sorted(slots, key=zone_day), key=zone_day):
        windows = [Window(s.id, s.starts_at, s.ends_at, s.capacity, usage[s.id]) for s in day_slots]
        places.update(places_left(windows))
    return places


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
