"""The dashboards in a real browser on PostgreSQL: each figure's numbers against the database.

A viewer logs in, opens the dashboards for the days around the bookings made through the API
(tests/support/dashboards.py), reads each figure's table and CSV, filters to one zone, and
opens the daily capacity report. Screenshots at 1280x800 and 820x1180 go to /tmp/dash-shots/.
"""

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.extensions import db
from slotbooking.routes.models import RoutePlanVersion
from tests.conftest import empty_tables, make_app
from tests.e2e.conftest import DESKTOP, LiveServer, RunningClock
from tests.support.api import MONDAY_MORNING
from tests.support.console import PASSWORD, add_staff
from tests.support.dashboards import make_bookings
from tests.support.services import fresh_redis_url

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}
SHOTS = Path("/tmp/dash-shots")
FIGURE_NAMES = ("capacity", "widths", "green", "routes", "discount", "revenue", "conversion", "failures")


@pytest.fixture
def console(pg_database):
    clock = RunningClock(MONDAY_MORNING)
    server = LiveServer()
    app = make_app(
        pg_database, clock, redis_url=fresh_redis_url(), OFFER_LOG_BATCH=1, PUBLIC_BASE_URL=server.url
    )
    empty_tables(app)
    made = make_bookings(app, clock)
    add_staff(app, "viewer@example.com", "demo-grocer", "viewer")
    server.start(app)
    yield server, app, made
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _log_in(page, url: str) -> None:
    page.goto(f"{url}/ops/login")
    page.fill("#email", "viewer@example.com")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Your retailers")


def _table(page, name: str) -> list[dict]:
    """Read a figure's table as a list of {column key: cell text}."""
    rows = page.locator(f"tr[data-figure-row={name}]")
    return [
        {
            cell.get_attribute("data-key"): (cell.text_content() or "").strip()
            for cell in row.locator("td").all()
        }
        for row in rows.all()
    ]


def _stored(app):
    with app.app_context():
        bookings = db.session.scalars(select(Booking).where(Booking.status.in_(OCCUPYING_STATUSES))).all()
        facts = {
            "bookings": len(bookings),
            "revenue": sum(b.price for b in bookings),
            "discount": sum(max(0, b.base_price - b.price) for b in bookings),
            "widths": Counter(str(b.slot.width_minutes) for b in bookings),
            "green": sum(any(i["kind"] == "green" for i in b.incentives) for b in bookings),
            "held": db.session.scalar(
                select(db.func.count()).select_from(Hold).where(Hold.status == "active")
            ),
            "stops": sum(p.stops for p in db.session.scalars(select(RoutePlanVersion))),
        }
        return facts


def test_each_dashboard_shows_the_databases_figures(browser, console):
    server, app, made = console
    stored = _stored(app)
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    _log_in(page, server.url)
    page.goto(f"{server.url}/ops/r/demo-grocer/")
    page.locator("nav.tabs").get_by_role("link", name="Dashboards").click()
    expect(page.locator("h1")).to_have_text("Dashboards")
    for name in FIGURE_NAMES:
        section = page.locator(f"#fig-{name}")
        expect(section.locator("svg desc")).to_have_count(len(section.locator("svg").all()))
        assert section.locator("svg").count() >= 1, name

    capacity = _table(page, "capacity")
    assert sum(int(r["booked"]) for r in capacity) == stored["bookings"] == len(made.booked)
    assert sum(int(r["held"]) for r in capacity) == stored["held"] == 1
    widths = Counter()
    for r in _table(page, "widths"):
        widths[r["width_minutes"]] += int(r["bookings"])
    assert widths == stored["widths"]
    assert sum(int(r["green"]) for r in _table(page, "green")) == stored["green"] >= 1
    assert sum(int(r["stops"]) for r in _table(page, "routes")) == stored["stops"] == 5
    [conversion] = _table(page, "conversion")
    assert (conversion["offers"], conversion["booked"]) == (str(made.offers_shown), str(made.offers_booked))

    with page.expect_download() as download:
        page.locator("#fig-revenue a", has_text="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert sum(int(r["revenue_minor"]) for r in rows) == stored["revenue"]
    href = page.locator("#fig-discount a", has_text="Download CSV").get_attribute("href")
    response = page.request.get(server.url + href)
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert sum(int(r["discount_minor"]) for r in rows) == stored["discount"] > 0

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboards-1280x800.png"), full_page=True)
    page.set_viewport_size(TABLET)
    page.screenshot(path=str(SHOTS / "dashboards-820x1180.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], "nothing scrolls sideways on a tablet"

    page.select_option("#zone", "E8")
    page.click("form.dash-filters button[type=submit]")
    page.wait_for_url("**zone=E8**")
    assert sum(int(r["booked"]) for r in _table(page, "capacity")) == 1
    page.set_viewport_size(DESKTOP)

    page.goto(f"{server.url}/ops/r/demo-grocer/dashboards")
    page.click("text=Daily capacity report (printable)")
    expect(page.locator("h1")).to_contain_text("Daily capacity report")
    assert sum(int(r["booked"]) for r in _table(page, "capacity")) == stored["bookings"]
    page.emulate_media(media="print")
    expect(page.locator("header.top")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "capacity-report-print-1280x800.png"), full_page=True)
    page.emulate_media(media="screen")
    page.screenshot(path=str(SHOTS / "capacity-report-1280x800.png"), full_page=True)
    page.set_viewport_size(TABLET)
    page.screenshot(path=str(SHOTS / "capacity-report-820x1180.png"), full_page=True)
    context.close()
