"""The embed page's own JSON endpoints: the API's slots and holds, reached from our origin.

The same services and the same input schemas as /api/v1/slots and /api/v1/holds, so an
answer here is an answer there; only the caller check differs (see ``access.embed_caller``).
"""

from flask import Blueprint, current_app, request
from marshmallow import ValidationError

from slotbooking.api.booking_schemas import HoldIn
from slotbooking.api.slot_schemas import SlotsQuery
from slotbooking.bookings.presenters import hold_json
from slotbooking.common.errors import ValidationFailed
from slotbooking.common.fields import flatten_errors
from slotbooking.extensions import db
from slotbooking.offers.offer import slots_answer
from slotbooking.offers.service import SlotQuery, quoted_offer
from slotbooking.request_context import browser_origin, collaborators, now
from slotbooking.reservations import service
from slotbooking.slots.pricers import Address
from slotbooking.widget.access import embed_caller

bp = Blueprint("embed_api", __name__, url_prefix="/embed/<slug>/api")


def _load(schema, data):
    try:
        return schema.load(data if data is not None else {})
    except ValidationError as error:
        raise ValidationFailed("the request is not valid", flatten_errors(error.messages)) from error


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/slots")
def slots(slug):
    """The priced windows for a postcode, as GET /api/v1/slots answers them."""
    tenant = embed_caller(slug)
    args = _load(SlotsQuery(), request.args.to_dict())
    deps = collaborators()
    query = SlotQuery(Address.from_dict(args), args["from_date"], args["days"])
    minutes = current_app.config["QUOTE_MINUTES"]
    offer, quote = quoted_offer(
        db.session, deps.cache, deps.signer, deps.finder, tenant, query, now(), minutes
    )
    return current_app.response_class(slots_answer(offer, quote, tenant.tz), mimetype="application/json")


@bp.post("/holds")
def hold(slug):
    """Hold a window, as POST /api/v1/holds does."""
    tenant = embed_caller(slug)
    data = _load(HoldIn(), request.get_json(silent=True))
    held = service.place_hold(
        db.session,
        collaborators(),
        tenant,
        data["slot_id"],
        Address.from_dict(data["address"]),
        data["quote_id"],
        data["customer_ref"],
        now(),
        browser_origin(),
    )
    return hold_json(held, tenant), 201


@bp.delete("/holds/<hold_id>")
def release(slug, hold_id):
    """Release a hold, as DELETE /api/v1/holds/<id> does."""
    tenant = embed_caller(slug)
    service.release_hold(db.session, collaborators(), tenant, hold_id, now())
    return "", 204
