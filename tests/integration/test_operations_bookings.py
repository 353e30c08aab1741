"""Ops console on PostgreSQL: bookings by day, zone, window, status and search; the CSV; a booking's page."""

import csv
import io
from datetime import date

import pytest

from slotbooking.common.errors import NotFound, ValidationFailed
from slotbooking.extensions import db
from slotbooking.operations.booking_page import booking_detail
from slotbooking.operations.booking_search import BookingFilter, find_bookings, windows_of_day, zone_codes
from slotbooking.operations.route_csv import COLUMNS, route_planning_csv
from tests.support.ops_console import book, retailer, tenant_of, windows


@pytest.fixture
def booked(pg_app, clock):
    """Four bookings (two days, two zones, three windows), one cancelled; and one of another retailer."""
    shop, _ = retailer(pg_app, clock)
    first, second = windows(shop.slots("N1 2AB"), "08")[:2]
    day = first["start"][:10]
    made = {
        "a": book(shop, first, "ORD-100", "N1 2AB", line1='1 "Quoted", Road'),
        "b": book(
            shop, windows(shop.slots("N1 2AB"), "09", day)[0], "ord-101", "N1 7XY", lat=51.54, lon=-0.09
        ),
        "c": book(shop, windows(shop.slots("E8 1AA"), "10", day)[0], "=SUM(A1)", "E8 1AA"),
        "d": book(shop, second, "ORD-200", "N1 2AB"),
    }
    assert shop.post(f"/bookings/{made['d']['id']}/cancel").status_code == 200
    other, _ = retailer(pg_app, clock, slug="other-grocer")
    book(other, windows(other.slots("N1 2AB"), "08")[0], "ORD-100", "N1 2AB")
    return made, date.fromisoformat(day)


def _refs(page) -> list[str]:
    return [row.booking.order_ref for row in page.rows]


def test_bookings_are_found_by_day_zone_window_status_and_search(pg_app, booked):
    made, day = booked
    with pg_app.app_context():
        tenant = tenant_of()
        assert _refs(find_bookings(db.session, tenant, BookingFilter(day=day))) == [
            "ORD-100",
            "ord-101",
            "=SUM(A1)",
        ]
        assert _refs(find_bookings(db.session, tenant, BookingFilter(day=day, zone="E8"))) == ["=SUM(A1)"]
        by_window = BookingFilter(day=day, window="09:00-10:00")
        assert _refs(find_bookings(db.session, tenant, by_window)) == ["ord-101"]
        assert _refs(find_bookings(db.session, tenant, BookingFilter(status="cancelled"))) == ["ORD-200"]
        assert _refs(find_bookings(db.session, tenant, BookingFilter(search="ORD-1"))) == [
            "ORD-100",
            "ord-101",
        ]
        assert _refs(find_bookings(db.session, tenant, BookingFilter(search="n1 7"))) == ["ord-101"]
        assert _refs(find_bookings(db.session, tenant, BookingFilter(search="n17xy"))) == ["ord-101"]
        assert _refs(find_bookings(db.session, tenant, BookingFilter(search="%"))) == []
        assert {"08:00-09:00", "09:00-10:00", "10:00-11:00"} <= set(windows_of_day(db.session, tenant, day))
        assert "E8" in zone_codes(db.session, tenant)


def test_the_list_is_paginated_and_counts_every_match(pg_app, booked):
    with pg_app.app_context():
        tenant = tenant_of()
        first = find_bookings(db.session, tenant, BookingFilter(), page=1, per_page=3)
        second = find_bookings(db.session, tenant, BookingFilter(), page=2, per_page=3)
        assert (first.total, first.pages, len(first.rows), len(second.rows)) == (4, 2, 3, 1)
        assert set(_refs(first)) | set(_refs(second)) == {"ORD-100", "ord-101", "=SUM(A1)", "ORD-200"}


@pytest.mark.parametrize(
    ("wanted", "field"),
    [
        (BookingFilter(status="lost"), "status"),
        (BookingFilter(window="08:00-09:00"), "window"),
        (BookingFilter(day=date(2026, 11, 24), window="9 to 10"), "window"),
        (BookingFilter(day=date(2026, 11, 24), window="10:00-09:00"), "window"),
        (BookingFilter(search="x" * 101), "search"),
    ],
)
def test_a_bad_filter_is_refused_with_the_field_named(pg_app, booked, wanted, field):
    with pg_app.app_context(), pytest.raises(ValidationFailed) as refused:
        find_bookings(db.session, tenant_of(), wanted)
    assert field in refused.value.details


def test_the_route_planning_csv_has_fixed_columns_and_reads_back(pg_app, booked):
    made, day = booked
    with pg_app.app_context():
        text = route_planning_csv(db.session, tenant_of(), BookingFilter(day=day))
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert text.count("\r\n") == 4 and text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["order_ref"] for r in rows] == ["ORD-100", "ord-101", "'=SUM(A1)"]
    first = rows[0]
    assert first["address"] == '1 "Quoted", Road'
    assert first["window"] == "08:00-09:00" and first["date"] == day.isoformat()
    assert (first["zone"], first["status"], first["postcode"]) == ("N1", "confirmed", "N1 2AB")
    assert (float(rows[1]["lat"]), float(rows[1]["lon"])) == (51.54, -0.09)
    assert first["depot"]


def test_a_bookings_page_shows_its_history_holds_and_webhooks(pg_app, clock):
    shop, _ = retailer(pg_app, clock, webhook_url="http://127.0.0.1:9/hooks")  # queued, never reached
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    booking = shop.book(hold["id"], order_ref="ORD-9").get_json()
    later = next(s for s in offer["slots"] if s["available"] and s["id"] != slot["id"])
    assert shop.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": later["id"]}).status_code == 200
    assert pg_app.test_cli_runner().invoke(args=["events", "deliver"]).exit_code == 0
    with pg_app.app_context():
        detail = booking_detail(db.session, tenant_of(), booking["id"])
        assert [e.kind for e in detail.history] == ["booking.created", "booking.rescheduled"]
        assert detail.history[1].details["to_slot_id"] == later["id"]
        assert [h.id for h in detail.holds] == [hold["id"]]
        assert detail.slot.id == later["id"] and detail.zone.code == "N1"
        assert [d.kind for d in detail.deliveries] == ["booking.created", "booking.rescheduled"]
        assert {d.status for d in detail.deliveries} == {"pending"} and detail.deliveries[0].attempts == 1
        assert (detail.payments, detail.refunds) == ([], [])


def test_another_retailers_booking_has_no_page(pg_app, clock):
    other, _ = retailer(pg_app, clock, slug="other-grocer")
    retailer(pg_app, clock)
    theirs = book(other, other.first_available()[1], "THEIRS")
    with pg_app.app_context(), pytest.raises(NotFound):
        booking_detail(db.session, tenant_of(), theirs["id"])
