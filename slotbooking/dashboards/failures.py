"""Webhook deliveries and refunds that failed, per local day they were queued.

Both are the retailer's as a whole (a webhook endpoint and a Stripe account serve every depot),
so depot and zone filters do not narrow them. A delivery or refund still being retried is not
a failure yet; ``failed`` is the state each reaches once its retries are spent.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from slotbooking.dashboards.scope import Scope, as_date, local_day
from slotbooking.events.models import EventDelivery
from slotbooking.payments.models import Refund


@dataclass(frozen=True)
class FailureDay:
    day: date
    webhooks_failed: int
    refunds_failed: int


def _failed_by_day(session, scope: Scope, model) -> dict[date, int]:
    start, end = scope.utc_bounds()
    day = local_day(session, model.created_at, scope.timezone).label("day")
    rows = session.execute(
        select(day, func.count())
        .where(
            model.retailer_id == scope.retailer_id,
            model.status == "failed",
            model.created_at >= start,
            model.created_at < end,
        )
        .group_by(day)
    )
    return {as_date(d): int(n) for d, n in rows}


def failures_by_day(session, scope: Scope) -> list[FailureDay]:
    """Return per day (only days with a failure) the failed webhook deliveries and refunds."""
    webhooks = _failed_by_day(session, scope, EventDelivery)
    refunds = _failed_by_day(session, scope, Refund)
    return [
        FailureDay(day, webhooks.get(day, 0), refunds.get(day, 0))
        for day in sorted(webhooks.keys() | refunds.keys())
    ]
