"""The latest stored plan of a depot-day, as the pricing engine's RoutePlan, for every quote.

Handed to the dynamic pricer by the app factory (slots does not import routes). One indexed
read finds the newest version's id; its body is parsed once per process and kept, and the very
same object is handed out again, so the engine prepares each plan once (it caches by identity).
"""

import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy import bindparam, select

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


class PlanLoader:
    """Return the newest plan of a depot-day, or None until one is stored."""

    def __init__(self, keep: int = KEEP_PLANS):
        self._plans: OrderedDict[int, RoutePlan] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def __call__(self, session, depot_id: int, day: date) -> RoutePlan | None:
        plan_id = session.scalar(_NEWEST_PLAN, {"plan_depot_id": depot_id, "plan_day": day})
        if plan_id is None:
            return None
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
