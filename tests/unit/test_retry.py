"""The retry policy of transactions, with a fake session and errors shaped as psycopg raises them."""

import psycopg.errors
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from slotbooking.common.errors import SlotFull, Unavailable
from slotbooking.common.retry import RetryPolicy, is_transient, run_transaction

FAST = RetryPolicy(attempts=3, backoff_seconds=0)


class FakeSession:
    def __init__(self):
        self.rollbacks = 0
        self.info = {}  # where the unit of work keeps itself while it is open

    def rollback(self):
        self.rollbacks += 1

    def commit(self):
        pass


def refused(sqlstate_error):
    return OperationalError("UPDATE slots ...", {}, sqlstate_error("refused"))


class Work:
    """Fail with the given errors in turn, then answer "done"."""

    def __init__(self, *errors):
        self.errors, self.calls = list(errors), 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


@pytest.mark.parametrize("error", [psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected])
def test_a_refusal_that_clears_is_retried_after_a_rollback(error):
    session, work = FakeSession(), Work(refused(error), refused(error))
    assert run_transaction(session, FAST, work) == "done"
    assert work.calls == 3 and session.rollbacks == 2


def test_a_refusal_that_persists_gives_up_after_the_attempts_with_unavailable():
    session = FakeSession()
    work = Work(*[refused(psycopg.errors.DeadlockDetected) for _ in range(10)])
    with pytest.raises(Unavailable) as raised:
        run_transaction(session, RetryPolicy(attempts=4, backoff_seconds=0), work)
    assert raised.value.status == 503 and raised.value.code == "unavailable"
    assert work.calls == 4 and session.rollbacks == 4


@pytest.mark.parametrize(
    "error",
    [
        SlotFull("full"),
        IntegrityError("INSERT ...", {}, psycopg.errors.UniqueViolation("dup")),
        OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")),
    ],
)
def test_other_errors_are_rolled_back_and_raised_at_once(error):
    session, work = FakeSession(), Work(error)
    with pytest.raises(type(error)):
        run_transaction(session, FAST, work)
    assert work.calls == 1 and session.rollbacks == 1


def test_only_serialization_failures_and_deadlocks_are_transient():
    assert is_transient(refused(psycopg.errors.SerializationFailure))
    assert is_transient(refused(psycopg.errors.DeadlockDetected))
    assert not is_transient(refused(psycopg.errors.LockNotAvailable))
    assert not is_transient(psycopg.errors.SerializationFailure("not wrapped by SQLAlchemy"))


def test_the_pause_between_attempts_is_short_and_jittered(monkeypatch):
    pauses = []
    monkeypatch.setattr("tenacity.nap.time.sleep", pauses.append)
    policy = RetryPolicy(attempts=3, backoff_seconds=0.05)
    for _ in range(20):
        run_transaction(FakeSession(), policy, Work(refused(psycopg.errors.SerializationFailure)))
    assert len(pauses) == 20
    assert all(0 <= pause <= 0.05 for pause in pauses)
    assert len(set(pauses)) > 1
