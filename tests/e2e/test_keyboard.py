"""Booking with the keyboard alone, on the hosted page and in the widget; focus always visible."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from slotbooking.bookings.models import Booking

pytestmark = pytest.mark.browser

# The focused element, looking through shadow roots (the widget's focus lives in its own).
FOCUSED = """(() => {
  let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  return e;
})()"""


def focused(page, expression: str):
    return page.evaluate(f"(() => {{ const e = {FOCUSED}; return e && {expression}; }})()")


def tab_to(page, matches: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches the JS condition on `e`; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, matches):
            assert focused(page, "getComputedStyle(e).outlineStyle") != "none", "focus is not visible"
            return
    raise AssertionError(f"Tab never reached {matches}")


def test_hosted_booking_with_the_keyboard_only(page, service):
    page.goto(service.booking_link("E2E-KEYS"))
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()

    tab_to(page, "e.getAttribute('role') === 'tab'")
    start = focused(page, "e.dataset.day")
    page.keyboard.press("ArrowRight")
    day = focused(page, "e.dataset.day")
    assert day != start and focused(page, "e.getAttribute('aria-selected')") == "true"
    expect(page.locator(f"#panel-{day}")).to_be_visible()

    tab_to(page, "e.classList.contains('window') && !e.disabled")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your window is held")).to_be_visible()
    tab_to(page, "e.hasAttribute('data-confirm')")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    booking = service.query(lambda s: s.scalar(select(Booking).where(Booking.order_ref == "E2E-KEYS")))
    assert booking.service_date.isoformat() == day


def test_widget_with_the_keyboard_only(page, service, shop):
    page.goto(f"{shop.url}/?postcode=N1%202AB")
    expect(page.locator("slot-picker button.win").first).to_be_visible()
    tab_to(page, "e.getAttribute('role') === 'tab'")
    page.keyboard.press("End")
    assert focused(page, "e.getAttribute('aria-selected')") == "true"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    tab_to(page, "e.classList.contains('win') && !e.disabled")
    page.keyboard.press("Enter")
    expect(page.locator("slot-picker .clock")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    assert focused(page, "e.getAttribute('aria-pressed')") == "true"
    status = page.locator("slot-picker").get_by_role("status")
    expect(status).to_contain_text("minutes to finish checkout")
    tab_to(page, "e.id === 'place'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("your order SHOP-"))).to_be_visible()
