"""The hosted booking page in two languages, in a real browser: words, 24-hour times, money.

A London retailer (en_GB) with dynamic pricing, so that windows carry reasons; the same
booking session is read by a British browser and by a German one (Accept-Language de-DE),
and by the British one again with ?lang=de. Screenshots of both land in the test's tmp_path
(and in E2E_SCREENSHOTS when set) for a person to look at.
"""

import copy
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import import_document, make_app
from tests.e2e.conftest import PHONE, LiveServer, RunningClock, Service
from tests.support.api import MONDAY_MORNING

pytestmark = pytest.mark.browser

TIME_RANGE = re.compile(r"^\d\d:\d\d–\d\d:\d\d$")  # 24-hour, en dash, in both languages
BRITISH_MONEY = re.compile(r"^(£\d+\.\d\d|Free)$")
GERMAN_MONEY = re.compile(r"^(\d+,\d\d\xa0£|Kostenlos)$")
# One sentence of each language's reasons, as the engine's codes are worded.
BRITISH_REASON = re.compile(
    r"(Quieter time|Busy time|Popular window|Any time|A van is|Harder to fit|Spare room)"
)
GERMAN_REASON = re.compile(
    r"(Ruhigere Tageszeit|Gefragte Tageszeit|Beliebtes Fenster|Flexibel|Lieferwagen|Touren)"
)
# A shopper a little way from the zone's centre, so the engine has something to say.
ADDRESS = {"lat": 51.5386, "lon": -0.1030}


@pytest.fixture
def service(tmp_path):
    """The service alone, its demo retailer pricing dynamically."""
    server, clock = LiveServer(), RunningClock(MONDAY_MORNING)
    app = make_app(f"sqlite:///{tmp_path / 'languages.db'}", clock, PUBLIC_BASE_URL=server.url)
    document = copy.deepcopy(demo_document())
    document["pricing"]["mode"] = "dynamic"
    keys = import_document(app, document, clock)
    server.start(app)
    yield Service(app, server, clock, keys)
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def shopper_page(browser, locale: str):
    context = browser.new_context(viewport=PHONE, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def visible_windows(page):
    return page.locator('[role="tabpanel"]:not([hidden]) button.window')


def read_grid(page) -> dict:
    """What the shopper sees on the open day: times, prices, the reasons, the day tabs' prices."""
    panel = page.locator('[role="tabpanel"]:not([hidden])')
    page.locator("details.window__more summary").first.click()  # open one "Why this price?"
    return {
        "times": panel.locator(".window__time").all_inner_texts(),
        # The amount itself, without the "now" said only to screen readers.
        "prices": panel.locator(".window__amount").evaluate_all(
            "els => els.map(e => [...e.childNodes].filter(n => n.nodeType === 3)"
            ".map(n => n.textContent).join('').trim())"
        ),
        "reasons": panel.locator(".window__lead, .window__more li").all_inner_texts(),
        "tabs": page.locator(".day-tab__from").all_inner_texts(),
        "groups": panel.locator(".group-title").all_inner_texts(),
    }


def assert_nothing_overflows(page):
    """No box is wider than its content allows: no sideways scrolling, no text running out of a card."""
    overflow = page.evaluate(
        """() => {
          const page = document.documentElement.scrollWidth - window.innerWidth;
          const boxes = [...document.querySelectorAll(
              '.window, .badge, .day-tab, .group-title, .window__lead, .button, summary, h1, .lede')]
            .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
            .map((el) => el.className + ': ' + el.textContent.trim().slice(0, 60));
          return { page, boxes };
        }"""
    )
    assert overflow["page"] <= 0 and overflow["boxes"] == [], overflow


def keep(page, tmp_path: Path, name: str) -> None:
    """Save the whole page and the first screenful as a phone shows it."""
    shots = [tmp_path / f"{name}.png", tmp_path / f"{name}-screen.png"]
    page.screenshot(path=str(shots[0]), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots[1]))
    wanted = os.environ.get("E2E_SCREENSHOTS")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, Path(wanted) / shot.name)


def test_the_hosted_page_in_english_and_in_german(browser, service, tmp_path):
    link = service.booking_link("E2E-LANG-1", address=ADDRESS)

    british_context, british = shopper_page(browser, "en-GB")
    british.goto(link)
    expect(british.get_by_role("heading", name="Choose a delivery window")).to_be_visible()
    expect(british.locator("html")).to_have_attribute("lang", "en")
    english = read_grid(british)
    assert english["times"] and all(TIME_RANGE.match(t) for t in english["times"]), english["times"]
    assert all(BRITISH_MONEY.match(p) for p in english["prices"]), english["prices"]
    assert any(BRITISH_REASON.search(r) for r in english["reasons"]), english["reasons"]
    # The reasons say their window the way the grid does (no "08:00-12:00" beside "08:00–12:00").
    assert all(not re.search(r"\d\d:\d\d-\d\d:\d\d", r) for r in english["reasons"])
    assert any(any(t in r for t in english["times"]) for r in english["reasons"])
    assert all(t.startswith("from £") or t in ("Full", "Closed") for t in english["tabs"])
    assert "4-hour windows" in english["groups"] or "1-hour windows" in english["groups"]
    assert_nothing_overflows(british)
    keep(british, tmp_path, "hosted-en-GB")

    german_context, german = shopper_page(browser, "de-DE")
    german.goto(link)
    expect(german.get_by_role("heading", name="Lieferfenster wählen")).to_be_visible()
    expect(german.locator("html")).to_have_attribute("lang", "de")
    deutsch = read_grid(german)
    assert deutsch["times"] == english["times"]  # the same windows, the same 24-hour times
    assert all(GERMAN_MONEY.match(p) for p in deutsch["prices"]), deutsch["prices"]
    assert any(GERMAN_REASON.search(r) for r in deutsch["reasons"]), deutsch["reasons"]
    assert not any(BRITISH_REASON.search(r) for r in deutsch["reasons"]), deutsch["reasons"]
    assert all(re.search(r"\d,\d\d\xa0£", r) for r in deutsch["reasons"] if "£" in r)
    assert all(t.startswith("ab ") or t in ("Ausgebucht", "Geschlossen") for t in deutsch["tabs"])
    assert "4-Stunden-Fenster" in deutsch["groups"] or "1-Stunden-Fenster" in deutsch["groups"]
    expect(german.get_by_text("Lieferung an")).to_be_visible()
    expect(german.locator(".site-footer")).to_contain_text("Alle Zeiten in der Zeitzone Europe/London")
    assert_nothing_overflows(german)
    keep(german, tmp_path, "hosted-de-DE")

    # Hold a window in German: the countdown and the summary speak German too.
    visible_windows(german).and_(german.locator(":not([disabled])")).first.click()
    expect(german.get_by_role("heading", name="Ihr Lieferfenster ist reserviert")).to_be_visible()
    expect(german.locator(".countdown__text")).to_contain_text("Für Sie reserviert")
    expect(german.get_by_role("button", name=re.compile(r"^Lieferung bestätigen · "))).to_be_visible()
    assert_nothing_overflows(german)
    keep(german, tmp_path, "checkout-de-DE")
    german_context.close()

    # ?lang= overrides the browser's language, and the choice stays for the next pages.
    british.goto(link + ("&" if "?" in link else "?") + "lang=de")
    expect(british.get_by_role("heading", name="Lieferfenster wählen")).to_be_visible()
    british.reload()
    expect(british.get_by_role("heading", name="Lieferfenster wählen")).to_be_visible()
    british_context.close()
