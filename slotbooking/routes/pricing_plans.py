"""The latest stored plan of a depot-day, as the pricing engine's RoutePlan, for every quote.

Handed to the dynamic pricer by the app factory (slots does not import routes). One indexed
read finds the newest version's id; its body is parsed once per process and kept, and the very
same object is handed out again, so the engine prepares each plan once (it caches by identity).
"""

import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy import and_, bindparam, func, select

from pricing.routing import RoutePlan
from slotbooking.routes.codec import plan_from_json
from slotbooking.routes.models import RoutePlanVersion

KEEP_PLANS = 256


# Built once: asked once per priced day of every cache miss.
_NEWEST_PLAN = (
    select(RoutePlanVersion.id)
    .where(
        RoutePlanVersion.depot_id == bindparam("plan_depot_id"),
        RoutePlanVersion.service_date == bindparam("plan_day"),
    )
    .order_by(RoutePlanVersion.version.desc())
    .limit(1)
)


# The newest version's id of each of a depot's days in a range (a grid's days), in one read.
_NEWEST_IN_RANGE = (
    select(RoutePlanVersion.service_date, func.max(RoutePlanVersion.version).label("newest"))
    .where(
        RoutePlanVersion.depot_id == bindparam("plan_depot_id"),
        RoutePlanVersion.service_date >= bindparam("plan_first"),
        RoutePlanVersion.service_date <= bindparam("plan_last"),
    )
    .group_by(RoutePlanVersion.service_date)
    .subquery()
)
_NEWEST_PLANS = select(RoutePlanVersion.service_date, RoutePlanVersion.id).join(
    _NEWEST_IN_RANGE,
    and_(
        RoutePlanVersion.depot_id == bindparam("plan_depot_id"),
        RoutePlanVersion.service_date == _NEWEST_IN_RANGE.c.service_date,
        RoutePlanVersion.version == _NEWEST_IN_RANGE.c.newest,
    ),
)


class PlanLoader:
    """Return the newest plan of a depot-day, or None until one is stored."""

    def __init__(self, keep: int = KEEP_PLANS):
        self._plans: OrderedDict[int, RoutePlan] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def __call__(self, session, depot_id: int, day: date) -> RoutePlan | None:
        plan_id = session.scalar(_NEWEST_PLAN, {"plan_depot_id": depot_id, "plan_day": day})
        return None if plan_id is None else self._plan(session, plan_id)

    def for_days(self, session, depot_id: int, first: date, last: date) -> dict[date, RoutePlan]:
        """Return the newest plan of each of the depot's days first..last that has one (one read)."""
        span = {"plan_depot_id": depot_id, "plan_first": first, "plan_last": last}
        return {day: self._plan(session, plan_id) for day, plan_id in session.execute(_NEWEST_PLANS, span)}

    def _plan(self, session, plan_id: int) -> RoutePlan:
        with self._lock:
            plan = self._plans.get(plan_id)
            if plan is not None:
                self._plans.move_to_end(plan_id)
                return plan
        body = session.scalar(select(RoutePlanVersion.body).where(RoutePlanVersion.id == plan_id))
        plan = plan_from_json(body)
        with self._lock:
            self._plans[plan_id] = plan
            while len(self._plans) > self._keep:
                self._plans.popitem(last=False)
        return plan
