"""The hosted booking page in a real browser: choose, hold, confirm; a hold that runs out."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from slotbooking.bookings.models import Booking, Hold

pytestmark = pytest.mark.browser


def booking_for(service, order_ref):
    return service.query(lambda s: s.scalar(select(Booking).where(Booking.order_ref == order_ref)))


def open_grid(page, service, order_ref):
    """Open the link the shop's backend made for the order, as the shopper does from the e-mail."""
    page.goto(service.booking_link(order_ref))
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()


def first_open_window(page):
    return page.locator('[role="tabpanel"]:not([hidden]) button.window:not([disabled])').first


def test_book_a_window_end_to_end(page, service):
    open_grid(page, service, "E2E-HOSTED-1")
    expect(page.get_by_text("Delivering to N1 2AB")).to_be_visible()
    selected = page.locator('[role="tab"][aria-selected="true"]')
    expect(selected).to_have_count(1)

    # Another day, chosen in place: its panel shows, the first one hides.
    other = page.locator('[role="tab"][aria-selected="false"]:not(.day-tab--full)').first
    day = other.get_attribute("data-day")
    other.click()
    expect(page.locator(f"#panel-{day}")).to_be_visible()
    window = first_open_window(page)
    time_label = window.locator(".window__time").inner_text()
    window.click()

    expect(page.get_by_role("heading", name="Your window is held")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text(time_label)
    expect(page.locator("[data-clock]")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    page.get_by_role("button", name=re.compile("Confirm delivery")).click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text(time_label)
    booking = booking_for(service, "E2E-HOSTED-1")
    assert booking is not None and booking.status == "confirmed"
    assert booking.service_date.isoformat() == day
    assert page.url.endswith(f"/manage/{service.app.extensions['manage_links'].token(booking.id)}")


def test_choosing_another_window_releases_the_first_hold(page, service):
    open_grid(page, service, "E2E-HOSTED-2")
    first_open_window(page).click()
    expect(page.get_by_role("heading", name="Your window is held")).to_be_visible()
    page.get_by_role("button", name="Choose a different window").click()
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()
    statuses = service.query(lambda s: s.scalars(select(Hold.status)).all())
    assert statuses == ["released"]


@pytest.mark.parametrize("hold_minutes", [1])
def test_hold_that_runs_out_while_the_shopper_waits(page, service, hold_minutes):
    page.clock.install()
    open_grid(page, service, "E2E-EXPIRE")
    first_open_window(page).click()
    expect(page.locator("[data-clock]")).to_have_text(re.compile(r"^[01]:\d\d$"))

    service.clock.advance(minutes=2)  # the server's hold lapses...
    page.clock.fast_forward("01:05")  # ...while the page's countdown reaches zero

    notice = page.get_by_role("alert").filter(has_text="Your hold ran out")
    expect(notice).to_be_visible()
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()
    expect(first_open_window(page)).to_be_visible()
    assert booking_for(service, "E2E-EXPIRE") is None


@pytest.mark.parametrize("hold_minutes", [1])
def test_confirming_a_lapsed_hold_shows_the_grid_not_an_error(page, service, hold_minutes):
    open_grid(page, service, "E2E-LATE")
    first_open_window(page).click()
    expect(page.get_by_role("heading", name="Your window is held")).to_be_visible()
    service.clock.advance(minutes=2)
    page.get_by_role("button", name=re.compile("Confirm delivery")).click()
    expect(page.get_by_role("alert").filter(has_text="Your hold ran out")).to_be_visible()
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()
    assert booking_for(service, "E2E-LATE") is None


def test_the_example_shop_sends_the_shopper_to_the_hosted_page_and_back(page, service, shop):
    page.goto(f"{shop.url}/?postcode=N1%202AB")
    page.get_by_role("button", name="Choose the delivery window on the booking page instead").click()
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()
    assert page.url == f"{service.url}/r/demo-grocer/book"  # the token left the address bar
    expect(page.get_by_text("12 Example Street, N1 2AB")).to_be_visible()
    order_ref = page.locator(".eyebrow").inner_text().removeprefix("ORDER ").removeprefix("Order ")
    first_open_window(page).click()
    page.get_by_role("button", name=re.compile("Confirm delivery")).click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    booking = service.query(lambda s: s.scalar(select(Booking).where(Booking.order_ref.like("SHOP-%"))))
    assert booking is not None and booking.line1 == "12 Example Street"
    assert order_ref.upper() == booking.order_ref

    page.get_by_role("link", name="Back to Demo Grocer").click()
    expect(
        page.get_by_role("heading", name=f"Thank you, your order {booking.order_ref} is placed")
    ).to_be_visible()
    expect(page.locator("#manage-link")).to_have_attribute(
        "href", re.compile(service.app.extensions["manage_links"].token(booking.id))
    )


def test_the_old_link_without_a_session_explains_itself(page, service):
    page.goto(f"{service.url}/r/demo-grocer/book?order_ref=FAKE-1&postcode=N1%202AB")
    expect(page.get_by_role("heading", name="Open your booking link")).to_be_visible()
    expect(page.get_by_text("Nothing has been held or booked.")).to_be_visible()
    assert service.query(lambda s: s.scalars(select(Hold)).all()) == []
