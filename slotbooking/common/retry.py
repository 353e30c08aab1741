"""One transaction, run again when PostgreSQL refuses it for contention alone, a bounded number of times.

A serialization failure (SQLSTATE 40001) or a deadlock (40P01) says nothing about the request:
PostgreSQL rolled the transaction back, and the same work run again from a clean session
usually passes. Each attempt is one unit of work (common/unit_of_work.py): any error rolls it
back, so nothing half-done of a failed attempt remains; after the last attempt the caller gets
Unavailable (503 unavailable, with a short Retry-After) and nothing is stored. The pauses
between attempts are short and jittered ("full jitter", tenacity's wait_random_exponential) so
two transactions that collided do not collide again in step. Other errors, the domain's
included, are never retried. A service called from inside another's transaction joins it: the
outer one commits, and retries, the whole.
"""

import functools
import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from tenacity import RetryError, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from slotbooking.common.errors import Unavailable
from slotbooking.common.unit_of_work import open_unit, unit_of_work

log = logging.getLogger(__name__)

# serialization_failure, deadlock_detected
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})


@dataclass(frozen=True)
class RetryPolicy:
    """How often a refused transaction runs in all, and the base of the pause between runs."""

    attempts: int = 3
    backoff_seconds: float = 0.05

    @classmethod
    def from_config(cls, config) -> "RetryPolicy":
        return cls(config["DB_RETRY_ATTEMPTS"], config["DB_RETRY_BACKOFF_SECONDS"])


DEFAULT_RETRY = RetryPolicy()


def is_transient(error: BaseException) -> bool:
    """Tell whether the database refused the transaction for contention alone."""
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES


def run_transaction(session, policy: RetryPolicy, work):
    """Return work()'s result, run as one unit of work, retrying it whole when refused for contention.

    Inside an open unit, work() joins it: the caller's transaction and retries are the ones that count.

    :raises Unavailable: the database still refused it after the last attempt.
    """
    if open_unit(session) is not None:
        return work()

    def attempt():
        with unit_of_work(session):
            return work()

    retrying = Retrying(
        stop=stop_after_attempt(max(1, policy.attempts)),
        wait=wait_random_exponential(multiplier=policy.backoff_seconds, max=policy.backoff_seconds * 8),
        retry=retry_if_exception(is_transient),
        before_sleep=lambda state: log.info(
            "transaction refused (%s), attempt %d of %d",
            getattr(state.outcome.exception().orig, "sqlstate", "?"),
            state.attempt_number,
            policy.attempts,
        ),
    )
    try:
        return retrying(attempt)
    except RetryError as exhausted:
        error = exhausted.last_attempt.exception()
        log.warning("transaction refused %d times, giving up: %s", policy.attempts, error.orig)
        raise Unavailable("the service is busy; nothing was changed, please try again") from error


def transaction(service):
    """Run a service ``service(session, deps, ...)`` as one retried transaction, policy ``deps.retry``."""

    @functools.wraps(service)
    def wrapper(session, deps, *args, **kwargs):
        return run_transaction(session, deps.retry, lambda: service(session, deps, *args, **kwargs))

    return wrapper
