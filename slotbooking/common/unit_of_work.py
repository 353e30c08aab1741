"""One unit of work: a transaction that commits or rolls back as a whole, then runs its effects.

Every write of the app goes through here. A use case opens a unit (``with unit_of_work(session)``,
or ``@transaction`` from common/retry.py, which also runs it again when PostgreSQL refuses it for
contention), does its work, and the unit commits when the block ends or rolls back when it
raises; nothing else in the app calls ``commit()`` or ``rollback()``. What may happen only once
the work is committed is registered on the unit instead of done inline, so nothing is sent for
work that was rolled back:

- ``unit.after_commit(effect)``: the use case's own effect (the refund owed, sent to Stripe now;
  a price sheet put in Redis), run once the unit has committed and closed, so the effect may
  open units of its own;
- ``on_commit(hook)``: the app's effect of every commit, told the rows the commit wrote (the job
  queue's "deliver events now", "send this refund" and "plan these depot-days' routes", and
  their metrics; slotbooking/jobs);
- ``on_flush(note)``: what only a flush can see (a changed row's old values), noted at each
  flush and told to the commit hooks with the rows written, or forgotten with a rollback;
- ``unit.wrote(*rows)``: rows a Core statement inserted without a flush, told to the commit
  hooks as the rows a flush added are.

Cache versions need no effect: they live in the database and move inside the transaction
itself (bookings/capacity.py), so they commit, or vanish, with the change.

A unit opened while another is open on the session joins it: the inner block neither commits
nor rolls back, and the outer unit (with its retries) owns the whole transaction. A unit may
commit part-way (``unit.commit()``) where something outside the database must see the work
first: a payment row before Stripe is asked, a move hold before the 402 that names it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session

_OPEN = "slotbooking.unit_of_work"
_COMMIT_HOOKS: list[Callable[[list], None]] = []
_FLUSH_NOTES: list[Callable[[Session], list]] = []


class UnitOfWork:
    """The open transaction of a use case, and what is to happen once it has committed."""

    def __init__(self, session):
        self.session = session
        self._written: list = []  # rows added since the last commit, as flushed
        self._pending: list[Callable[[], None]] = []  # effects of work not committed yet
        self._due: list[Callable[[], None]] = []  # effects of committed work, run at the close

    def after_commit(self, effect: Callable[[], None]) -> None:
        """Run ``effect()`` once the work done so far has committed and the unit has closed.

        A unit that ends in an error runs no effect, not even one whose work it committed
        part-way; nothing registers one before a part-way commit.
        """
        self._pending.append(effect)

    def wrote(self, *rows) -> None:
        """Tell the commit hooks of rows a Core statement inserted, as a flush tells of its new rows.

        For a hot path that writes its rows without the ORM's flush (bookings/new_booking.py);
        the rows are the ORM objects the statement's values came from, outside the session.
        """
        self._written.extend(rows)

    def commit(self) -> None:
        """Commit the work done so far and tell the app's hooks what it wrote."""
        self.session.commit()
        written, self._written = self._written, []
        self._due += self._pending
        self._pending = []
        for hook in _COMMIT_HOOKS:
            hook(written)

    def rollback(self) -> None:
        """Undo the work since the last commit and forget its effects."""
        self.session.rollback()
        self._written, self._pending = [], []

    def _run_due_effects(self) -> None:
        due, self._due = self._due, []
        for effect in due:
            effect()


def open_unit(session) -> UnitOfWork | None:
    """Return the unit open on the session, if any."""
    return session.info.get(_OPEN)


def current_unit(session) -> UnitOfWork:
    """Return the unit open on the session (for a part-way commit or an effect).

    :raises RuntimeError: no unit is open: the caller is not inside a use case's transaction.
    """
    unit = open_unit(session)
    if unit is None:
        raise RuntimeError("no unit of work is open on this session")
    return unit


@contextmanager
def unit_of_work(session, fresh: bool = False) -> Iterator[UnitOfWork]:
    """Run the block as one transaction: commit when it ends, roll back when it raises.

    Inside an open unit the block joins it. ``fresh``: first drop whatever an earlier failure
    left in the session (a request that failed outside any unit).
    """
    joined = open_unit(session)
    if joined is not None:
        yield joined
        return
    unit = UnitOfWork(session)
    session.info[_OPEN] = unit
    try:
        if fresh:
            session.rollback()
        yield unit
        unit.commit()
    except BaseException:
        unit.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)
    unit._run_due_effects()


@contextmanager
def read_only(session) -> Iterator[None]:
    """Run reads (or a dry run) that leave nothing behind: rolled back at the end, whatever happens.

    Inside an open unit the reads join it, and the unit decides (a rollback would undo its work).
    """
    if open_unit(session) is not None:
        yield
        return
    try:
        yield
    finally:
        session.rollback()


def on_commit(hook: Callable[[list], None]) -> None:
    """Call ``hook(rows written)`` after every commit of every unit (registered once, by the factory)."""
    if hook not in _COMMIT_HOOKS:
        _COMMIT_HOOKS.append(hook)


def on_flush(note: Callable[[Session], list]) -> None:
    """Call ``note(session)`` at every flush inside a unit; what it returns joins what the commit wrote.

    For what the rows written cannot say once committed: a changed row's old values (registered
    once, by the factory).
    """
    if note not in _FLUSH_NOTES:
        _FLUSH_NOTES.append(note)


@event.listens_for(Session, "after_flush")
def _note_written(session, _flush_context) -> None:
    unit = session.info.get(_OPEN)
    if unit is not None:
        unit._written.extend(session.new)
        for note in _FLUSH_NOTES:
            unit._written.extend(note(session))
