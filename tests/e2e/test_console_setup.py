"""The setup pages in a real browser: a slot template's capacity edited in the draft, published,
and seen in the API's grid (GET /api/v1/slots)."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.console import PASSWORD, add_staff

pytestmark = pytest.mark.browser


def places_at_eight(service) -> set[int]:
    """Return the places left in every hour-long 08:00 window of the coming week, as the API shows them."""
    offer = service.api().slots(days=7)
    return {
        s["remaining"]
        for s in offer["slots"]
        if re.search(r"T08:00", s["start"]) and s["width_minutes"] == 60 and s["available"]
    }


def test_a_capacity_edited_in_the_draft_reaches_the_api_after_publish(desk, service):
    slug = service.keys["retailer"]
    add_staff(service.app, "ann@example.com", slug, "admin")
    assert max(places_at_eight(service)) == 4
    desk.goto(f"{service.url}/ops/login")
    desk.get_by_label("E-mail").fill("ann@example.com")
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Log in").click()
    desk.goto(f"{service.url}/ops/r/{slug}/")
    desk.get_by_role("link", name="Setup", exact=True).click()
    desk.get_by_role("link", name="Slot templates and capacities").click()
    expect(desk.get_by_label("Start, row 1", exact=True)).to_have_value("08:00")
    capacity = desk.get_by_label("Capacity, row 1", exact=True)
    expect(capacity).to_have_value("4")
    capacity.fill("-2")
    capacity.press("Enter")  # the form's default button saves
    expect(desk.get_by_role("alert")).to_contain_text("not saved")
    expect(desk.locator("#slot_templates-0-capacity-error")).to_be_visible()
    desk.get_by_label("Capacity, row 1", exact=True).fill("9")
    desk.get_by_role("button", name="Save to draft").click()

    expect(desk.get_by_role("heading", name="Draft and preview")).to_be_visible()
    change = desk.get_by_role("row", name=re.compile(r"slot_templates\[0\]\.capacity"))
    expect(change).to_contain_text("9")
    assert max(places_at_eight(service)) == 4  # nothing is live yet

    desk.get_by_label("Note for the version history").fill("more room at eight")
    desk.get_by_role("button", name="Publish").click()
    expect(desk.get_by_text("Published version 2")).to_be_visible()
    assert max(places_at_eight(service)) == 9
