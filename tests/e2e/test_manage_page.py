"""The manage page behind a booking's link: reschedule and cancel in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from slotbooking.bookings.models import Booking
from tests.support.db import set_slot_capacity

pytestmark = pytest.mark.browser


def booked_via_api(service, order_ref="E2E-MANAGE"):
    api = service.api()
    offer, slot = api.first_available(width=60)
    hold = api.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    response = api.book(hold["id"], order_ref=order_ref)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def stored(service, booking_id):
    return service.query(lambda s: s.get(Booking, booking_id))


def test_reschedule_then_cancel_from_the_manage_page(page, service):
    booking = booked_via_api(service)
    page.goto(booking["manage_url"])
    expect(page.get_by_role("heading", name="Your delivery")).to_be_visible()
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()

    page.get_by_role("link", name="Change window").click()
    expect(page.get_by_role("heading", name="Change your delivery window")).to_be_visible()
    current = page.locator(".window--current")
    expect(current).to_be_disabled()
    expect(current).to_contain_text("Your current window")
    target = page.locator('[role="tabpanel"]:not([hidden]) button.window:not([disabled])').nth(2)
    new_time = target.locator(".window__time").inner_text()
    new_price = target.locator(".window__amount").inner_text()
    target.click()

    expect(page.get_by_role("heading", name="Change to this window?")).to_be_visible()
    expect(page.locator(".summary").first).to_contain_text(new_time)
    expect(page.locator(".summary").first).to_contain_text(new_price)
    page.get_by_role("button", name="Change window").click()
    expect(page.get_by_role("status").filter(has_text="has been changed")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text(new_time)
    moved = stored(service, booking["id"])
    assert moved.status == "rescheduled" and moved.slot_id != booking["slot"]["id"]

    page.get_by_role("link", name="Cancel delivery").click()
    expect(page.get_by_role("heading", name="Cancel this delivery?")).to_be_visible()
    page.get_by_role("link", name="Keep my delivery").click()
    assert stored(service, booking["id"]).status == "rescheduled"

    page.get_by_role("link", name="Cancel delivery").click()
    page.get_by_role("button", name="Yes, cancel delivery").click()
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Change window")).to_have_count(0)
    assert stored(service, booking["id"]).status == "cancelled"


def test_reschedule_into_a_window_that_filled_up_meanwhile(page, service):
    booking = booked_via_api(service)
    page.goto(booking["manage_url"] + "/reschedule")
    target = page.locator('[role="tabpanel"]:not([hidden]) button.window:not([disabled])').nth(1)
    slot_id = target.get_attribute("value")
    target.click()
    expect(page.get_by_role("heading", name="Change to this window?")).to_be_visible()
    set_slot_capacity(service.app, slot_id, 0)  # another shopper took the last place
    page.get_by_role("button", name="Change window").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("just filled up; your booking is unchanged"))
    expect(page.get_by_role("heading", name="Change your delivery window")).to_be_visible()
    assert stored(service, booking["id"]).slot_id == booking["slot"]["id"]
