"""GET /api/v1/slots."""

from flask import current_app, g
from flask.views import MethodView

from slotbooking.api.query_memo import MemoisingBlueprint
from slotbooking.api.responses import documents_errors
from slotbooking.api.slot_schemas import SlotsQuery, SlotsResponse
from slotbooking.auth import require_key
from slotbooking.extensions import db
from slotbooking.offers.offer import slots_answer
from slotbooking.offers.service import SlotQuery, quoted_offer
from slotbooking.request_context import collaborators, now
from slotbooking.slots.pricers import Address

blp = MemoisingBlueprint("slots", __name__, url_prefix="/api/v1", description="Delivery windows and prices")


@blp.route("/slots")
class Slots(MethodView):
    @require_key(publishable=True)
    @blp.arguments(SlotsQuery(), location="query", as_kwargs=False)
    @blp.response(200, SlotsResponse)
    @documents_errors(blp)
    def get(self, args):
        """List the delivery windows for an address, priced, with a quote."""
        deps = collaborators()
        query = SlotQuery(
            address=Address.from_dict(args),
            from_date=args["from_date"],
            days=args["days"],
        )
        offer, quote = quoted_offer(
            db.session,
            deps.cache,
            deps.signer,
            deps.finder,
            g.tenant,
            query,
            now(),
            current_app.config["QUOTE_MINUTES"],
        )
        # Already JSON: the cached slots are spliced in as they were serialised, not re-dumped.
        return current_app.response_class(
            slots_answer(offer, quote, g.tenant.tz), mimetype="application/json"
        )
