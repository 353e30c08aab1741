"""The call centre in a real browser: an agent finds a booking by order ref and moves it for the shopper."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP
from tests.support.console import PASSWORD, add_staff

pytestmark = pytest.mark.browser


def _book(api, order_ref: str) -> tuple[dict, dict]:
    """Book the first 08:00 window through the API; return the booking and that day's 18:00 window."""
    offer = api.slots()
    windows = [s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60]
    morning = next(s for s in windows if s["start"][11:13] == "08")
    evening = next(s for s in windows if s["start"][11:13] == "18" and s["date"] == morning["date"])
    body = {"slot_id": morning["id"], "address": {"postcode": "N1 2AB"}, "order_ref": order_ref}
    answer = api.post("/bookings", body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json(), evening


def test_an_agent_reschedules_a_booking_found_by_its_order_ref(browser, service):
    api = service.api()
    booking, evening = _book(api, "CC-4711")
    _book(api, "CC-9000")  # another order, which the search must leave out
    slug = service.keys["retailer"]
    add_staff(service.app, "agent@shop.test", slug, "editor")
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{service.url}/ops/r/{slug}/bookings")
        expect(page).to_have_url(re.compile(r"/ops/login\?next="))
        page.get_by_label("E-mail").fill("agent@shop.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Bookings")).to_be_visible()

        page.get_by_label("Order ref or postcode").fill("cc-47")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("#found-count")).to_have_text("1 booking")
        page.get_by_role("link", name="CC-4711").click()
        expect(page.get_by_role("heading", name=re.compile("Booking CC-4711"))).to_be_visible()
        expect(page.locator("#booking-window")).to_contain_text("08:00–09:00")

        page.get_by_role("link", name="Reschedule").click()
        day = datetime.fromisoformat(evening["start"]).strftime("%a %d %b")
        page.get_by_role("link", name=f"Move to {day} 18:00–19:00").click()
        expect(page.locator("#move-to")).to_have_text(f"{day} 18:00–19:00")
        expect(page.locator("#move-price")).to_have_text("£5.00")
        page.get_by_role("button", name="Move the booking").click()

        expect(page.get_by_role("status").filter(has_text="Booking CC-4711 moved.")).to_be_visible()
        expect(page.locator("#booking-window")).to_have_text(f"{day} 18:00–19:00")
        expect(page.locator("#booking-status")).to_have_text("rescheduled")
        expect(page.get_by_role("cell", name="booking.rescheduled")).to_be_visible()
    finally:
        context.close()
    seen = api.get(f"/bookings/{booking['id']}").get_json()
    assert (seen["slot"]["id"], seen["status"], seen["price"]["amount"]) == (
        evening["id"],
        "rescheduled",
        500,
    )
