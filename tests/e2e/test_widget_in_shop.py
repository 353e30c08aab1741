"""The slot picker embedded in the example shop on another origin: web component and iframe."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from slotbooking.bookings.models import Booking

pytestmark = pytest.mark.browser

# The shop page records the picker's events, as a shop's checkout script would see them.
RECORD_EVENTS = """
window.pickerEvents = [];
for (const type of ["slot-held", "hold-released", "hold-expired"]) {
  document.addEventListener(type, (e) => window.pickerEvents.push({ type, detail: e.detail }));
}
window.addEventListener("message", (e) => {
  if (e.data && e.data.source === "slot-picker") {
    window.pickerEvents.push({ type: e.data.type, detail: e.data.detail, origin: e.origin });
  }
});
"""


def shop_booking(service):
    return service.query(lambda s: s.scalar(select(Booking).where(Booking.order_ref.like("SHOP-%"))))


def events(page, kind):
    return [e for e in page.evaluate("window.pickerEvents") if e["type"] == kind]


def test_widget_holds_in_the_browser_and_the_shop_books_from_its_backend(page, service, shop):
    page.add_init_script(RECORD_EVENTS)
    page.goto(f"{shop.url}/?postcode=N1%202AB")
    picker = page.locator("slot-picker")
    window = picker.locator("button.win:not([disabled])").first
    expect(window).to_be_visible()
    expect(picker.get_by_role("tab", selected=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Place order")).to_be_disabled()

    window.click()
    expect(window).to_have_attribute("aria-pressed", "true")
    expect(picker.locator(".clock")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    expect(page.get_by_role("button", name="Place order")).to_be_enabled()
    held = events(page, "slot-held")
    assert len(held) == 1
    detail = held[0]["detail"]
    assert set(detail) == {"hold_id", "slot_id", "price", "start", "end", "expires_at"}
    assert detail["price"] == {"amount": 400, "currency": "GBP"}
    assert page.locator("#hold_id").input_value() == detail["hold_id"]

    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name=re.compile("your order SHOP-"))).to_be_visible()
    booking = shop_booking(service)
    assert booking is not None
    assert (booking.hold_id, booking.slot_id) == (detail["hold_id"], detail["slot_id"])
    manage = page.locator("#manage-link").get_attribute("href")
    assert manage == f"{service.url}/manage/{service.app.extensions['manage_links'].token(booking.id)}"


def test_widget_swaps_its_hold_when_another_window_is_chosen(page, service, shop):
    page.add_init_script(RECORD_EVENTS)
    page.goto(f"{shop.url}/?postcode=N1%202AB")
    windows = page.locator("slot-picker button.win:not([disabled])")
    windows.nth(0).click()
    expect(windows.nth(0)).to_have_attribute("aria-pressed", "true")
    windows.nth(1).click()
    expect(windows.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(windows.nth(0)).to_have_attribute("aria-pressed", "false")
    first, second = (e["detail"]["hold_id"] for e in events(page, "slot-held"))
    assert [e["detail"]["hold_id"] for e in events(page, "hold-released")] == [first]
    assert page.locator("#hold_id").input_value() == second


@pytest.mark.parametrize("hold_minutes", [1])
def test_widget_hold_expires_and_the_shop_hears_of_it(page, service, shop, hold_minutes):
    page.clock.install()
    page.add_init_script(RECORD_EVENTS)
    page.goto(f"{shop.url}/?postcode=N1%202AB")
    page.locator("slot-picker button.win:not([disabled])").first.click()
    expect(page.get_by_role("button", name="Place order")).to_be_enabled()

    service.clock.advance(minutes=2)
    page.clock.fast_forward("01:05")

    expect(page.locator("slot-picker").get_by_role("alert")).to_contain_text("Your hold ran out")
    expect(page.get_by_role("button", name="Place order")).to_be_disabled()
    assert len(events(page, "hold-expired")) == 1
    expect(page.locator("slot-picker button.win:not([disabled])").first).to_be_visible()


def test_iframe_embed_posts_events_to_the_shop_and_the_shop_books(page, service, shop):
    page.add_init_script(RECORD_EVENTS)
    page.goto(f"{shop.url}/iframe?postcode=N1%202AB")
    frame = page.frame_locator("#picker-frame")
    window = frame.locator("slot-picker button.win:not([disabled])").first
    window.click()
    expect(window).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Place order")).to_be_enabled()
    held = events(page, "slot-held")
    assert len(held) == 1 and held[0]["origin"] == service.url

    page.get_by_role("button", name="Place order").click()
    expect(page.get_by_role("heading", name=re.compile("your order SHOP-"))).to_be_visible()
    assert shop_booking(service).hold_id == held[0]["detail"]["hold_id"]


def test_iframe_embed_refuses_to_be_framed_by_other_origins(page, service):
    # The service's own origin is not among the retailer's allowed origins in this test.
    key = service.keys["publishable_key"]
    response = page.request.get(f"{service.url}/embed/demo-grocer?key={key}")
    policy = response.headers["content-security-policy"]
    assert re.search(r"frame-ancestors http://127\.0\.0\.1:\d+$", policy)
    assert service.url not in policy.split("frame-ancestors")[1]
