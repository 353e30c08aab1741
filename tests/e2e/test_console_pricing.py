"""The ops console in a real browser: a pricing rule edited as a draft, the side-by-side grid,
publish (the API's quote changes), restore, and who is refused what."""

import copy
import re

import pytest
from playwright.sync_api import expect

from slotbooking.demo.cli import demo_document
from tests.conftest import import_document
from tests.support.console import PASSWORD, add_staff

pytestmark = pytest.mark.browser


def log_in(page, service, email: str):
    page.goto(f"{service.url}/ops/")
    expect(page).to_have_url(re.compile(r"/ops/login\?next="))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your retailers")).to_be_visible()


def api_price(service) -> int:
    return service.api().first_available(width=60)[1]["price"]["amount"]


def test_edit_preview_publish_and_restore(desk, service):
    slug = service.keys["retailer"]
    add_staff(service.app, "ann@example.com", slug, "admin")
    assert api_price(service) == 400
    log_in(desk, service, "ann@example.com")
    desk.get_by_role("link", name="Demo Grocer").first.click()
    desk.get_by_role("link", name="Pricing rules").click()
    base = desk.get_by_label("Base fee")
    expect(base).to_have_value("4.00")
    base.fill("6.00")
    desk.get_by_role("button", name="Save to draft").click()

    expect(desk.get_by_role("heading", name="Draft and preview")).to_be_visible()
    expect(desk.get_by_text("Saved in the draft")).to_be_visible()
    change = desk.get_by_role("row", name=re.compile("pricing.base_fee"))
    expect(change).to_contain_text("400")
    expect(change).to_contain_text("600")

    desk.get_by_label("Postcode").fill("N1 2AB")
    desk.get_by_role("button", name="Show the grids").click()
    first = desk.locator("table.preview tbody tr").first
    expect(first.locator('[data-side="live"] .win__price')).to_have_text("£4.00")
    expect(first.locator('[data-side="draft"] .win__price')).to_have_text("£6.00")
    expect(first.locator('[data-side="draft"]')).to_contain_text("changed")
    assert api_price(service) == 400  # nothing is live yet

    desk.get_by_label("Note for the version history").fill("dearer base fee")
    desk.get_by_role("button", name="Publish").click()
    expect(desk.get_by_text("Published version 2")).to_be_visible()
    assert api_price(service) == 600

    desk.get_by_role("button", name="Restore version 1").click()
    expect(desk.get_by_text("Restored version 1 as version 3")).to_be_visible()
    assert api_price(service) == 400


def test_a_bad_value_is_refused_beside_its_field(desk, service):
    add_staff(service.app, "ed@example.com", service.keys["retailer"], "editor")
    log_in(desk, service, "ed@example.com")
    desk.goto(f"{service.url}/ops/r/{service.keys['retailer']}/pricing")
    desk.get_by_label("Lowest price").fill("8.00")  # above the base fee
    desk.get_by_label("Running cost").fill("lots")
    desk.get_by_role("button", name="Save to draft").click()
    expect(desk.get_by_role("alert")).to_contain_text("not saved")
    expect(desk.locator("#pricing-base_fee-error")).to_contain_text("min_fee <= base_fee <= max_fee")
    expect(desk.locator("#pricing-cost_per_km-error")).to_have_text("must be a number")


def test_a_viewer_is_refused_publishing(desk, service):
    slug = service.keys["retailer"]
    add_staff(service.app, "ed@example.com", slug, "editor")
    add_staff(service.app, "vic@example.com", slug, "viewer")
    log_in(desk, service, "ed@example.com")
    desk.goto(f"{service.url}/ops/r/{slug}/pricing")
    desk.get_by_label("Base fee").fill("5.00")
    desk.get_by_role("button", name="Save to draft").click()
    expect(desk.get_by_text("An admin publishes drafts.")).to_be_visible()  # editors cannot either
    desk.get_by_role("button", name="Log out").click()

    log_in(desk, service, "vic@example.com")
    desk.goto(f"{service.url}/ops/r/{slug}/draft")
    expect(desk.get_by_role("row", name=re.compile("pricing.base_fee"))).to_be_visible()
    expect(desk.get_by_role("button", name="Publish")).to_have_count(0)
    token = desk.locator('input[name="csrf_token"]').first.get_attribute("value")
    refused = desk.request.post(f"{service.url}/ops/r/{slug}/draft/publish", form={"csrf_token": token})
    assert refused.status == 403
    assert api_price(service) == 400


def test_an_editor_of_one_retailer_never_sees_another(desk, service):
    other = copy.deepcopy(demo_document())
    other["retailer"].update(slug="other-shop", name="Other Shop")
    import_document(service.app, other, service.clock)
    add_staff(service.app, "ed@example.com", service.keys["retailer"], "editor")
    log_in(desk, service, "ed@example.com")
    expect(desk.get_by_text("Other Shop")).to_have_count(0)
    for path in ("", "pricing", "draft", "versions", "setup.json"):
        response = desk.goto(f"{service.url}/ops/r/other-shop/{path}")
        assert response.status == 404, path
    expect(desk.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(desk.get_by_text("Other Shop")).to_have_count(0)
