"""The retry queue both outboxes that call out use (events, refunds): claim, back off, give up."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from slotbooking.common.retry_queue import RetryQueue
from slotbooking.db_types import UTCDateTime

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QUEUE = RetryQueue(base_seconds=30, max_seconds=3600, max_attempts=3, claim_seconds=40)


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def queued(engine, *due_at) -> list[int]:
    with Session(engine) as session:
        jobs = [Job(next_attempt_at=at) for at in due_at]
        session.add_all(jobs)
        session.commit()
        return [job.id for job in jobs]


def due_ids(session, now) -> list[int]:
    return session.scalars(select(Job.id).where(QUEUE.due(Job, now)).order_by(Job.id)).all()


def test_rows_are_due_while_pending_and_once_their_time_has_come(engine):
    early, late, done = queued(engine, T0, T0 + timedelta(minutes=5), T0)
    with Session(engine) as session:
        session.get(Job, done).status = "delivered"
        session.commit()
        assert due_ids(session, T0) == [early]
        assert due_ids(session, T0 + timedelta(minutes=5)) == [early, late]


def test_a_claim_counts_the_attempt_and_keeps_the_row_from_other_senders(engine):
    [job_id] = queued(engine, T0)
    with Session(engine) as mine, Session(engine) as theirs:
        row, same_row_read_by_another_sender = mine.get(Job, job_id), theirs.get(Job, job_id)
        assert QUEUE.claim(mine, row, T0)
        assert (row.attempts, row.next_attempt_at) == (1, T0 + timedelta(seconds=40))
        assert not QUEUE.claim(theirs, same_row_read_by_another_sender, T0), "one sender at a time"
        assert due_ids(theirs, T0 + timedelta(seconds=39)) == []
        assert due_ids(theirs, T0 + timedelta(seconds=40)) == [job_id], "a lapsed claim is due again"


def test_failures_wait_longer_each_time_up_to_the_max_and_then_give_up(engine):
    [job_id] = queued(engine, T0)
    waits = []
    with Session(engine) as session:
        row, now = session.get(Job, job_id), T0
        for _ in range(3):
            assert QUEUE.claim(session, row, now)
            gave_up = QUEUE.failed(row, now)
            session.commit()
            if gave_up:
                break
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
        assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
        assert (row.status, row.attempts) == ("failed", 3)
        assert due_ids(session, now + timedelta(days=1)) == [], "given up: never sent again"


def test_the_wait_doubles_and_stops_at_the_max():
    capped = RetryQueue(base_seconds=60, max_seconds=6 * 3600, max_attempts=8, claim_seconds=120)
    waits = [capped.delay(n).total_seconds() for n in (1, 2, 3, 9, 10, 11)]
    assert waits == [60, 120, 240, 60 * 2**8, 6 * 3600, 6 * 3600]


def test_jitter_adds_up_to_its_share_of_the_wait_at_random():
    def queue(draw):
        return RetryQueue(30, 3600, 5, 40, jitter=0.5, draw=lambda: draw)

    assert queue(0.0).delay(2) == timedelta(seconds=60)
    assert queue(0.5).delay(2) == timedelta(seconds=75)
    assert queue(1.0).delay(2) == timedelta(seconds=90)
    spread = {RetryQueue(30, 3600, 5, 40, jitter=0.5).delay(2) for _ in range(50)}
    assert len(spread) > 1 and all(timedelta(seconds=60) <= d <= timedelta(seconds=90) for d in spread)
