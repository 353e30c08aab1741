"""Holds and bookings: /api/v1/holds and /api/v1/bookings."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from slotbooking.api.booking_schemas import (
    BookingIn,
    BookingOut,
    BookingPage,
    BookingsQuery,
    HoldIn,
    HoldOut,
    RescheduleIn,
)
from slotbooking.api.responses import WITH_A_BODY, documents_errors
from slotbooking.auth import require_key
from slotbooking.bookings.idempotency import IDEMPOTENCY_KEY_DOC, idempotent
from slotbooking.bookings.presenters import booking_json, hold_json
from slotbooking.extensions import db
from slotbooking.request_context import browser_origin, collaborators, now
from slotbooking.reservations import service
from slotbooking.slots.pricers import Address

blp = Blueprint("bookings", __name__, url_prefix="/api/v1", description="Holds and bookings")


def _booking(booking) -> dict:
    return booking_json(booking, g.tenant, current_app.extensions["manage_links"])


@blp.route("/holds")
class Holds(MethodView):
    @require_key(publishable=True)
    @idempotent
    @blp.arguments(HoldIn())
    @blp.response(201, HoldOut)
    @blp.doc(**IDEMPOTENCY_KEY_DOC)
    @documents_errors(
        blp,
        *WITH_A_BODY,
        404,
        409,
        s409="slot_full, too_many_holds (publishable key: per client), idempotency_conflict "
        "or idempotency_in_progress",
    )
    def post(self, data):
        """Hold a window for a shopper while they finish checkout."""
        hold = service.place_hold(
            db.session,
            collaborators(),
            g.tenant,
            data["slot_id"],
            Address.from_dict(data["address"]),
            data["quote_id"],
            data["customer_ref"],
            now(),
            browser_origin() if g.key_kind == "publishable" else None,
        )
        return hold_json(hold, g.tenant)


@blp.route("/holds/<hold_id>")
class HoldById(MethodView):
    @require_key(publishable=True)
    @blp.response(204)
    @documents_errors(blp, 404, 409, s409="conflict: the hold has been booked")
    def delete(self, hold_id):
        """Release a hold; its place is free at once."""
        service.release_hold(db.session, collaborators(), g.tenant, hold_id, now())


@blp.route("/bookings")
class Bookings(MethodView):
    @require_key()
    @idempotent
    @blp.arguments(BookingIn())
    @blp.response(201, BookingOut)
    @blp.doc(**IDEMPOTENCY_KEY_DOC)
    @documents_errors(
        blp,
        *WITH_A_BODY,
        402,
        404,
        409,
        410,
        s409="slot_full, idempotency_conflict, idempotency_in_progress or conflict",
    )
    def post(self, data):
        """Book a held window, or hold and book a window in one step."""
        if data["hold_id"]:
            booking = service.book_hold(
                db.session, collaborators(), g.tenant, data["hold_id"], data["order_ref"], now()
            )
        else:
            booking = service.book_slot(
                db.session,
                collaborators(),
                g.tenant,
                data["slot_id"],
                Address.from_dict(data["address"]),
                data["order_ref"],
                data["customer_ref"],
                now(),
            )
        return _booking(booking)

    @require_key()
    @blp.arguments(BookingsQuery(), location="query", as_kwargs=False)
    @blp.response(200, BookingPage)
    @documents_errors(blp)
    def get(self, args):
        """List bookings, with coordinates for route planning, a page at a time."""
        rows, next_cursor = service.list_bookings(
            db.session, g.tenant, args["date"], args["zone"], args["status"], args["cursor"], args["limit"]
        )
        return {"bookings": [_booking(b) for b in rows], "next_cursor": next_cursor}


@blp.route("/bookings/<booking_id>")
class BookingById(MethodView):
    @require_key()
    @blp.response(200, BookingOut)
    @documents_errors(blp, 404)
    def get(self, booking_id):
        """Show one booking."""
        return _booking(service.get_booking(db.session, g.tenant, booking_id))


@blp.route("/bookings/<booking_id>/reschedule")
class Reschedule(MethodView):
    @require_key()
    @idempotent
    @blp.arguments(RescheduleIn())
    @blp.response(200, BookingOut)
    @documents_errors(
        blp,
        *WITH_A_BODY,
        402,
        404,
        409,
        410,
        s402="payment_required: a dearer move paid by card; details name the hold placed for it, "
        "the amount due, the payment_url to pay it, then reschedule again with the hold_id",
        s409="slot_full, conflict (the booking is cancelled or changed), idempotency_conflict "
        "or idempotency_in_progress",
        s410="hold_expired: the move's hold ran out",
    )
    def post(self, data, booking_id):
        """Move a booking to another window at that window's price, atomically."""
        move = service.reschedule(
            db.session,
            collaborators(),
            g.tenant,
            booking_id,
            data["slot_id"],
            now(),
            quote_id=data["quote_id"],
            hold_id=data["hold_id"],
        )
        return booking_json(move.booking, g.tenant, current_app.extensions["manage_links"], move.price_change)


@blp.route("/bookings/<booking_id>/cancel")
class Cancel(MethodView):
    @require_key()
    @blp.response(200, BookingOut)
    @documents_errors(blp, 404)
    def post(self, booking_id):
        """Cancel a booking; a repeat answers the same. A card payment is refunded once."""
        booking = service.cancel(db.session, collaborators(), g.tenant, booking_id, now())
        return _booking(booking)
