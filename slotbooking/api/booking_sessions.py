"""Booking sessions: /api/v1/booking_sessions (secret key only)."""

from datetime import timedelta

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from slotbooking.api.booking_session_schemas import BookingSessionCreated, BookingSessionIn, BookingSessionOut
from slotbooking.api.responses import WITH_A_BODY, documents_errors
from slotbooking.auth import require_key
from slotbooking.booking_sessions import service
from slotbooking.booking_sessions.presenters import created_json, session_json
from slotbooking.bookings.idempotency import IDEMPOTENCY_KEY_DOC, idempotent
from slotbooking.extensions import db
from slotbooking.request_context import now
from slotbooking.slots.pricers import Address

blp = Blueprint(
    "booking_sessions",
    __name__,
    url_prefix="/api/v1",
    description="Booking sessions: a link that opens the hosted booking page for one order",
)


@blp.route("/booking_sessions")
class BookingSessions(MethodView):
    @require_key()
    @idempotent(seal_answer=True)
    @blp.arguments(BookingSessionIn())
    @blp.response(201, BookingSessionCreated)
    @blp.doc(**IDEMPOTENCY_KEY_DOC)
    @documents_errors(
        blp,
        *WITH_A_BODY,
        409,
        s403="forbidden: publishable keys cannot open booking sessions",
        s409="idempotency_conflict or idempotency_in_progress",
        s422="validation_error (details name the fields) or address_not_served",
    )
    def post(self, data):
        """Open a booking session for an order and get the hosted page's link for the shopper."""
        made = service.create_session(
            db.session,
            current_app.extensions["zone_finder"],
            g.tenant,
            data["order_ref"],
            Address.from_dict(data["address"]),
            data["customer_ref"],
            data["return_url"],
            now(),
            timedelta(hours=current_app.config["BOOKING_SESSION_HOURS"]),
        )
        return created_json(made.booking_session, made.token, g.tenant, current_app.config["PUBLIC_BASE_URL"])


@blp.route("/booking_sessions/<session_id>")
class BookingSessionById(MethodView):
    @require_key()
    @blp.response(200, BookingSessionOut)
    @documents_errors(blp, 404)
    def get(self, session_id):
        """Show a booking session: open, booked (with its booking) or expired."""
        found = service.get_session(db.session, g.tenant, session_id)
        status, booking = service.status_of(db.session, found, now())
        return session_json(found, status, booking, g.tenant)
