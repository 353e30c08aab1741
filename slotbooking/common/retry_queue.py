"""A table used as a retry queue: each row is sent until it succeeds, by one sender at a time.

The retailer events outbox and the refunds queue both keep rows that call out of the app
(a retailer's webhook, Stripe) and must go on trying after a failure. A row has ``status``
("pending" while it is queued), ``attempts`` and ``next_attempt_at``; the policy says when a
row is due, how a sender claims it, how long it waits after a failure and when to give up.

Claiming is a conditional UPDATE of the row as it was read (still pending, same
``next_attempt_at``) that counts the attempt and pushes the next one past the time a send can
take, committed before the send: two senders never send a row at once, and a sender that
dies half-way leaves its row due again once the claim lapses. The wait after the n-th failed
attempt is base x 2^(n-1), at most max; ``jitter`` (a fraction, 0 by default: exact waits)
adds up to that share of the wait at random, so rows that failed together (one retailer's
endpoint down) do not all come back in the same second.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, update

from slotbooking.common.unit_of_work import unit_of_work

PENDING, FAILED = "pending", "failed"


@dataclass(frozen=True)
class RetryQueue:
    """When a queued row is due, how it is claimed, how long it waits after a failure, when it is given up."""

    base_seconds: float
    max_seconds: float
    max_attempts: int
    # How long a claim keeps other senders off a row: longer than one send can take.
    claim_seconds: float
    jitter: float = 0.0
    draw: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    def due(self, model, now: datetime):
        """Return the SQL condition of the rows of ``model`` to send now."""
        return and_(model.status == PENDING, model.next_attempt_at <= now)

    def delay(self, attempts: int) -> timedelta:
        """Return the wait after the ``attempts``-th failed attempt: base, 2 x base, 4 x base ... to max."""
        exact = min(self.base_seconds * 2 ** (attempts - 1), self.max_seconds)
        return timedelta(seconds=exact * (1 + self.jitter * self.draw()))

    def claim(self, session, row, now: datetime) -> bool:
        """Take the row for this sender alone (for ``claim_seconds``), counting the attempt; commit.

        The claim is a unit of work of its own (joined, when one is open).

        Return False when another sender claimed or finished it since it was read.
        """
        model = type(row)
        with unit_of_work(session):
            claimed = session.execute(
                update(model)
                .where(
                    model.id == row.id,
                    model.status == PENDING,
                    model.next_attempt_at == row.next_attempt_at,
                )
                .values(
                    next_attempt_at=now + timedelta(seconds=self.claim_seconds),
                    attempts=model.attempts + 1,
                )
            ).rowcount
        if claimed:
            session.refresh(row)
        return bool(claimed)

    def due_now(self, session, row, now: datetime) -> bool:
        """Make a waiting or given-up row due at once (a person asked); return False when it moved meanwhile.

        A conditional UPDATE of the row as it was read, like a claim. Its attempts stay counted: a
        given-up row gets one more attempt, and is given up again if that one fails too.
        """
        model = type(row)
        changed = session.execute(
            update(model)
            .where(
                model.id == row.id,
                model.status.in_((PENDING, FAILED)),
                model.next_attempt_at == row.next_attempt_at,
            )
            .values(status=PENDING, next_attempt_at=now)
        ).rowcount
        if changed:
            session.refresh(row)
        return bool(changed)

    def failed(self, row, now: datetime) -> bool:
        """Record a failed attempt of a claimed row: wait and retry, or give up; True when given up."""
        if row.attempts >= self.max_attempts:
            row.status = FAILED
            return True
        row.next_attempt_at = now + self.delay(row.attempts)
        return False
