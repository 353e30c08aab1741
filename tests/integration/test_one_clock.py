"""Rows made without an explicit time take it from the app's clock, not the machine's."""

from datetime import UTC, datetime

from sqlalchemy import select

from slotbooking.bookings.models import Booking, BookingEvent
from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer


def test_model_defaults_read_the_apps_clock(app, shop, clock):
    clock.now = datetime(2031, 3, 4, 7, 0, tzinfo=UTC)  # years away from the machine's date
    _, slot = shop.first_available()
    booking = shop.post(
        "/bookings", {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "T-1"}
    )
    assert booking.status_code == 201, booking.get_json()
    with app.app_context():
        row = db.session.get(Booking, booking.get_json()["id"])
        assert row.created_at == clock.now
        assert row.updated_at == clock.now
        event = db.session.scalar(select(BookingEvent).where(BookingEvent.booking_id == row.id))
        assert event.created_at == clock.now
        assert db.session.scalar(select(Retailer.created_at)) != clock.now  # made before the jump
