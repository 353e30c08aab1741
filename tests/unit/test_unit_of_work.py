"""The unit of work on a real SQLAlchemy session (SQLite in memory): commit, roll back, join, effects."""

import pytest
from sqlalchemy import String, create_engine, func, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from slotbooking.common import unit_of_work as uow
from slotbooking.common.unit_of_work import current_unit, on_commit, read_only, unit_of_work


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(20))


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def hooked(monkeypatch):
    """Record what every commit wrote, as the job queue's hook is told."""
    told = []
    monkeypatch.setattr(uow, "_COMMIT_HOOKS", [])
    on_commit(told.append)
    return told


def stored(session) -> list[str]:
    with read_only(session):
        return list(session.scalars(select(Note.text).order_by(Note.id)))


def stored_without_ending(session) -> int:
    """Count the notes the session sees, without ending its transaction."""
    return session.scalar(select(func.count()).select_from(Note))


def test_a_unit_commits_its_work_when_the_block_ends_and_tells_the_hooks_what_it_wrote(session, hooked):
    with unit_of_work(session):
        note = Note(text="held")
        session.add(note)
    assert stored(session) == ["held"]
    assert hooked == [[note]]


def test_a_unit_that_raises_is_rolled_back_and_runs_no_effect(session, hooked):
    ran = []
    with pytest.raises(ValueError), unit_of_work(session) as unit:
        session.add(Note(text="lost"))
        session.flush()
        unit.after_commit(lambda: ran.append("sent"))
        raise ValueError("refused")
    assert stored(session) == []
    assert ran == [] and hooked == []


def test_an_inner_unit_joins_the_outer_one_which_alone_commits_or_rolls_back(session, hooked):
    with pytest.raises(LookupError), unit_of_work(session) as outer:
        session.add(Note(text="earlier hold released"))
        with unit_of_work(session) as inner:
            assert inner is outer
            session.add(Note(text="new hold"))
        assert stored_without_ending(session) == 2  # the inner block did not commit ...
        raise LookupError("the window filled up")
    assert stored(session) == []  # ... so the outer rollback undid both


def test_effects_run_after_the_commit_outside_the_unit_so_they_may_open_their_own(session, hooked):
    seen = []

    def send_refund():
        seen.append(stored(session))  # the work is committed when the effect runs
        with unit_of_work(session):  # and the effect's own unit commits by itself
            session.add(Note(text="refund sent"))

    with unit_of_work(session) as unit:
        session.add(Note(text="cancelled"))
        unit.after_commit(send_refund)
        assert seen == []
    assert seen == [["cancelled"]]
    assert stored(session) == ["cancelled", "refund sent"]
    assert [[n.text for n in rows] for rows in hooked] == [["cancelled"], ["refund sent"]]


def test_a_part_way_commit_keeps_its_work_when_the_unit_then_fails(session, hooked):
    with pytest.raises(PermissionError), unit_of_work(session) as unit:
        session.add(Note(text="move hold"))
        unit.commit()  # what the 402 names must stay
        session.add(Note(text="the move"))
        raise PermissionError("payment required")
    assert stored(session) == ["move hold"]


def test_current_unit_is_there_only_inside_a_unit(session):
    with pytest.raises(RuntimeError):
        current_unit(session)
    with unit_of_work(session) as unit:
        assert current_unit(session) is unit
    with pytest.raises(RuntimeError):
        current_unit(session)


def test_a_read_only_block_leaves_nothing_behind_and_joins_an_open_unit(session, hooked):
    with read_only(session):
        session.add(Note(text="dry run"))
        session.flush()
    assert stored(session) == []
    with unit_of_work(session):
        session.add(Note(text="kept"))
        with read_only(session):  # inside a unit the reads are the unit's: nothing is undone
            session.flush()
    assert stored(session) == ["kept"]


def test_a_fresh_unit_first_drops_what_a_failure_outside_any_unit_left(session, hooked):
    session.add(Note(text="half done"))
    session.flush()
    with unit_of_work(session, fresh=True):
        session.add(Note(text="claim freed"))
    assert stored(session) == ["claim freed"]


def test_a_flush_note_joins_what_the_commit_wrote_and_goes_with_a_rollback(session, hooked, monkeypatch):
    """A changed row's old values are seen only at flush (route planning reads them there)."""
    monkeypatch.setattr(uow, "_FLUSH_NOTES", [])
    uow.on_flush(lambda s: [("changed", n.text) for n in s.dirty if isinstance(n, Note)])
    with unit_of_work(session):
        note = Note(text="held")
        session.add(note)
    with unit_of_work(session):
        note.text = "booked"
    with pytest.raises(ValueError), unit_of_work(session):
        note.text = "moved"
        session.flush()
        raise ValueError("undone")
    assert hooked == [[note], [("changed", "booked")]]


def test_rows_a_core_statement_wrote_are_told_to_the_hooks_with_the_commit_or_forgotten(session, hooked):
    """A hot path inserting without a flush (bookings/new_booking.py) is told to the hooks all the same."""
    with unit_of_work(session) as unit:
        session.execute(insert(Note.__table__).values(id=7, text="inserted"))
        row = Note(id=7, text="inserted")
        unit.wrote(row)
    with pytest.raises(ValueError), unit_of_work(session) as unit:
        session.execute(insert(Note.__table__).values(id=8, text="undone"))
        unit.wrote(Note(id=8, text="undone"))
        raise ValueError("undone")
    assert stored(session) == ["inserted"]
    assert hooked == [[row]]
