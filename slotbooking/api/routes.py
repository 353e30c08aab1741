"""GET /api/v1/routes: a depot-day's planned routes, for the retailer's planners (secret key)."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from slotbooking.api.responses import documents_errors
from slotbooking.api.route_schemas import RoutePlanOut, RoutesQuery
from slotbooking.auth import require_key
from slotbooking.extensions import db
from slotbooking.routes.presenters import route_plan_json
from slotbooking.routes.service import newest_plan

blp = Blueprint("routes", __name__, url_prefix="/api/v1", description="Planned routes")


@blp.route("/routes")
class Routes(MethodView):
    @require_key()
    @blp.arguments(RoutesQuery(), location="query", as_kwargs=False)
    @blp.response(200, RoutePlanOut)
    @documents_errors(blp, 404, s404="not_found: no such depot for this retailer, or no plan of that day yet")
    def get(self, args):
        """Show the planned routes of a depot on a day: per vehicle, its stops in order with times."""
        shown = newest_plan(db.session, g.tenant, args["date"], args["depot"])
        return route_plan_json(shown.record, shown.depot_code, g.tenant.tz, shown.bookings_now)
