"""A one-step booking's rows, written by Core statements without a flush (bookings/new_booking.py).

What a retailer's systems read afterwards must be what the ORM's flush wrote: the booking row
with every column, its booking.created event in the outbox, no hold, and the answer's times
equal to the stored ones. On PostgreSQL the two rows are one statement.
"""

from datetime import datetime

import pytest
from sqlalchemy import event, select

from slotbooking.bookings.manage_links import token_digest
from slotbooking.bookings.models import Booking, BookingEvent, Hold
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import fresh_pg_app, import_document
from tests.support.api import ApiClient

pytestmark = pytest.mark.services

ADDRESS = {"postcode": "N1 2AB", "line1": "1 Upper Street", "lat": 51.5362, "lon": -0.1033}


def _book(shop, slot_id) -> dict:
    body = {"slot_id": slot_id, "address": ADDRESS, "order_ref": "ORDER-7", "customer_ref": "C-7"}
    answer = shop.post("/bookings", body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_the_booking_row_and_its_created_event_are_stored_as_a_flush_stored_them(app, shop, clock):
    _, slot = shop.first_available()
    answer = _book(shop, slot["id"])

    with app.app_context():
        booking = db.session.get(Booking, answer["id"])
        events = db.session.scalars(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).all()
        holds = db.session.scalars(select(Hold)).all()
        assert (booking.slot_id, booking.status, booking.hold_id) == (slot["id"], "confirmed", None)
        assert (booking.zone_id, booking.depot_id) == (booking.slot.zone_id, booking.slot.depot_id)
        assert booking.service_date == booking.slot.service_date
        assert (booking.order_ref, booking.customer_ref, booking.currency) == ("ORDER-7", "C-7", "GBP")
        assert (booking.postcode, booking.line1, booking.lat, booking.lon) == (
            "N1 2AB",
            "1 Upper Street",
            51.5362,
            -0.1033,
        )
        assert booking.price == answer["price"]["amount"]
        assert booking.base_price == answer["base_price"]["amount"]
        assert booking.incentives == answer["incentives"]
        assert booking.manage_token_digest == token_digest(answer["manage_url"].rsplit("/", 1)[1])
        assert booking.legacy_token_digest is None
        assert booking.created_at == booking.updated_at == clock()
        assert datetime.fromisoformat(answer["created_at"]) == booking.created_at
        assert [(e.kind, e.details, e.retailer_id, e.created_at) for e in events] == [
            ("booking.created", {"slot_id": slot["id"], "price": booking.price}, booking.retailer_id, clock())
        ]
        assert holds == []  # a one-step booking keeps no hold


@pytest.fixture
def keyed_pg_app(pg_database, clock):
    """The PostgreSQL app remembering resolved API keys, as deployed (tests turn that off)."""
    with fresh_pg_app(pg_database, clock, AUTH_CACHE_SECONDS=60) as app:
        yield app


def test_on_postgresql_the_booking_and_its_event_go_in_one_statement(keyed_pg_app, clock):
    keys = import_document(keyed_pg_app, demo_document(), clock)
    shop = ApiClient(keyed_pg_app.test_client(), keys["secret_key"])
    _, slot = shop.first_available()
    _book(shop, slot["id"])  # the API key is read once, then remembered
    with keyed_pg_app.app_context():
        engine = db.engine
    sent = []

    def note(_conn, _cursor, statement, *_args):
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", note)
    try:
        _book(shop, slot["id"])
    finally:
        event.remove(engine, "before_cursor_execute", note)

    # the slot's row, its lock with its depot day's, the room count, then both rows at once
    assert len(sent) == 4, sent
    assert sent[3].startswith("WITH new_booking AS (INSERT INTO bookings")
    assert "INSERT INTO booking_events" in sent[3] and "FROM new_booking" in sent[3]
