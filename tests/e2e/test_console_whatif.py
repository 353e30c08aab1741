"""A what-if in a real browser: a rule changed in the draft, the run started, its progress page
refreshing itself until done, the side-by-side table read, the draft published, and the result
shown again in the version history. Jobs run in-process (no broker), as in the demo.

Set SCREENSHOTS_DIR to keep the pages at 1280x800 and 820x1180 (docs/whatif.md shows them).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from slotbooking.jobs import start_in_process_jobs
from tests.e2e.test_console_pricing import log_in
from tests.support.console import add_staff
from tests.support.whatif import seed_offer_log

pytestmark = pytest.mark.browser
SIZES = {"desk": (1280, 800), "tablet": (820, 1180)}


def shoot(page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if not folder:
        return
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(folder) / f"whatif-{name}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_what_if_runs_to_done_and_is_kept_with_the_published_version(desk, service):
    slug = service.keys["retailer"]
    # Enough routing search that the run is seen in progress, still a few seconds in all.
    service.app.config.update(WHATIF_ROUTING_ITERATIONS=1500, WHATIF_ROUTING_SECONDS=None)
    seed_offer_log(service.app, service.clock, slug, offers=24)
    add_staff(service.app, "ann@example.com", slug, "admin")
    log_in(desk, service, "ann@example.com")
    desk.get_by_role("link", name="Demo Grocer").first.click()
    desk.get_by_role("link", name="Pricing rules").click()
    desk.get_by_label("Base fee").fill("5.00")
    desk.get_by_role("button", name="Save to draft").click()
    expect(desk.get_by_text("No what-if was run on this draft yet")).to_be_visible()
    shoot(desk, "draft-form")

    runner = start_in_process_jobs(service.app)
    try:
        desk.get_by_label("Offers shown").select_option("7")
        desk.get_by_label("Draws of shoppers").fill("3")
        desk.get_by_role("button", name="Run the what-if").click()
        expect(desk.get_by_role("heading", name=re.compile(r"What-if \d+"))).to_be_visible()
        if desk.locator("progress").count():  # caught in progress: the page refreshes itself
            assert desk.locator('meta[http-equiv="refresh"]').count() == 1
            shoot(desk, "progress")
        # The page reloads itself every few seconds; no script runs on it.
        expect(desk.get_by_role("heading", name="Live against draft")).to_be_visible(timeout=120_000)
    finally:
        runner.stop()
    assert desk.locator('meta[http-equiv="refresh"]').count() == 0
    expect(desk.locator('[data-whatif="offers"]')).to_have_text("24")
    expect(desk.locator('[data-whatif="draws"]')).to_have_text("3")
    fee = desk.locator('[data-whatif-row="fee_per_order"]')
    # Flat: base fee plus the templates' fees (the evening's); every window £1 dearer in the draft.
    expect(fee.locator('[data-side="live"] .whatif-mean')).to_have_text(re.compile(r"^£4\.\d\d$"))
    expect(fee.locator('[data-side="draft"] .whatif-mean')).to_have_text(re.compile(r"^£5\.\d\d$"))
    expect(fee.locator('[data-side="change"] .whatif-mean')).to_have_text(re.compile(r"^\+£(0\.9\d|1\.0\d)$"))
    acceptance = desk.locator('[data-whatif-row="acceptance"] [data-side="change"] .whatif-mean')
    expect(acceptance).to_have_text(re.compile(r"^−\d+\.\d pts$"))  # dearer: fewer book
    expect(
        desk.locator('[data-whatif-row="km_per_order"] [data-side="live"] .whatif-interval')
    ).to_contain_text(" to ")
    shoot(desk, "result")

    desk.get_by_role("link", name="Draft and preview").first.click()
    expect(desk.locator("#whatif + p")).to_contain_text("Latest what-if of this draft")
    draft_fee = desk.locator('[data-whatif-row="fee_per_order"] [data-side="draft"] .whatif-mean')
    expect(draft_fee).to_have_text(re.compile(r"^£5\.\d\d$"))
    shoot(desk, "publish")
    desk.get_by_label("Note for the version history").fill("base fee £5")
    desk.get_by_role("button", name="Publish").click()
    expect(desk.get_by_text("Published version 2")).to_be_visible()
    kept = desk.locator('[data-whatif-version="2"]')
    expect(kept.get_by_role("link", name=re.compile(r"what-if \d+"))).to_be_visible()
    expect(kept).to_contain_text("Acceptance −")
    expect(desk.locator('[data-whatif-version="1"]')).to_contain_text("–")
    shoot(desk, "versions")
