"""Km and CO2 per order from the route plans: the newest version of each depot-day's plan.

Plans are made per depot, so a zone filter narrows to the zone's depot: a van serves every zone
of its depot, and its km cannot be split between them honestly.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select

from slotbooking.dashboards.scope import Scope
from slotbooking.retailers.models import Zone
from slotbooking.routes.models import RoutePlanVersion


@dataclass(frozen=True)
class RouteDay:
    day: date
    plans: int  # depots with a plan that day
    stops: int
    km: float
    co2_grams: int

    @property
    def km_per_order(self) -> float | None:
        return self.km / self.stops if self.stops else None

    @property
    def co2_grams_per_order(self) -> float | None:
        return self.co2_grams / self.stops if self.stops else None


def routes_by_day(session, scope: Scope) -> list[RouteDay]:
    """Return per day the newest plans' stops, km and CO2, summed over the scope's depots."""
    plan = RoutePlanVersion
    conditions = [plan.retailer_id == scope.retailer_id, plan.service_date.between(scope.first, scope.last)]
    if scope.depot_id is not None:
        conditions.append(plan.depot_id == scope.depot_id)
    if scope.zone_id is not None:
        conditions.append(
            plan.depot_id == select(Zone.depot_id).where(Zone.id == scope.zone_id).scalar_subquery()
        )
    newest = (
        select(plan.depot_id, plan.service_date, func.max(plan.version).label("version"))
        .where(*conditions)
        .group_by(plan.depot_id, plan.service_date)
        .subquery()
    )
    query = (
        select(
            plan.service_date, func.count(), func.sum(plan.stops), func.sum(plan.km), func.sum(plan.co2_grams)
        )
        .join(
            newest,
            and_(
                newest.c.depot_id == plan.depot_id,
                newest.c.service_date == plan.service_date,
                newest.c.version == plan.version,
            ),
        )
        .group_by(plan.service_date)
        .order_by(plan.service_date)
    )
    return [
        RouteDay(day, int(n), int(stops or 0), float(km or 0), int(co2 or 0))
        for day, n, stops, km, co2 in session.execute(query)
    ]
