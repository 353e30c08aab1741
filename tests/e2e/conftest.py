"""Real HTTP servers (the service and the example shop, on two origins) and headless Chromium.

Everything runs on SQLite in a temporary directory: these tests need no PostgreSQL. Without
Chromium the browser tests skip on a laptop and fail where REQUIRE_SERVICES=1 (CI).
"""

import copy
import importlib.util
import os
import threading
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import import_document, make_app
from tests.support.api import MONDAY_MORNING
from tests.support.redis_server import service_environment
from tests.support.services import unavailable

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOP_APP = Path(__file__).resolve().parents[2] / "examples" / "shop" / "app.py"


class RunningClock:
    """A clock that runs in real time from a pinned instant and that tests can move forward."""

    def __init__(self, start: datetime):
        self._start, self._real_start, self._offset = start, datetime.now(UTC), timedelta()

    def __call__(self) -> datetime:
        return self._start + (datetime.now(UTC) - self._real_start) + self._offset

    def advance(self, **delta) -> None:
        self._offset += timedelta(**delta)


class LiveServer:
    """A WSGI app served over HTTP on a free localhost port, in a thread."""

    def __init__(self):
        self.app = None
        self._server = make_server("127.0.0.1", 0, self._dispatch, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def start(self, app) -> "LiveServer":
        self.app = app
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class Service:
    """The booking service under test, its demo retailer's keys and a way into its database."""

    def __init__(self, app, server: LiveServer, clock: RunningClock, keys: dict):
        self.app, self.server, self.clock, self.keys = app, server, clock, keys
        self.url = server.url

    def query(self, func):
        """Run func(session) in the app's context and return what it returns."""
        with self.app.app_context():
            return func(db.session)

    def api(self):
        from tests.support.api import ApiClient

        return ApiClient(self.app.test_client(), self.keys["secret_key"])

    def booking_link(self, order_ref: str, postcode: str = "N1 2AB", **extra) -> str:
        """Open a booking session as the shop's backend would; return the link for the shopper."""
        return self.api().booking_session(order_ref, postcode, **extra)["url"]


def load_shop_module():
    spec = importlib.util.spec_from_file_location("example_shop", SHOP_APP)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hold_minutes():
    """The demo retailer's hold length; a test may override this fixture."""
    return 15


@pytest.fixture
def servers(tmp_path, hold_minutes):
    """The service and the example shop, each on its own origin."""
    service_server, shop_server = LiveServer(), LiveServer()
    clock = RunningClock(MONDAY_MORNING)
    app = make_app(
        f"sqlite:///{tmp_path / 'e2e.db'}", clock, PUBLIC_BASE_URL=service_server.url, QUOTE_MINUTES=10
    )
    document = copy.deepcopy(demo_document())
    document["retailer"]["allowed_origins"] = [shop_server.url]
    document["booking_rules"]["hold_minutes"] = hold_minutes
    keys = import_document(app, document, clock)
    service_server.start(app)
    shop = load_shop_module().create_app(
        {
            "TESTING": True,
            "SLOTBOOKING_URL": service_server.url,
            "PUBLISHABLE_KEY": keys["publishable_key"],
            "SLOTBOOKING_SECRET_KEY": keys["secret_key"],
            "RETAILER_SLUG": keys["retailer"],
        }
    )
    shop_server.start(shop)
    yield Service(app, service_server, clock, keys), shop_server
    shop_server.stop()
    service_server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def service(servers):
    return servers[0]


@pytest.fixture
def shop(servers):
    return servers[1]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        unavailable("Chromium", FileNotFoundError(str(CHROMIUM)))
    from playwright.sync_api import Error, sync_playwright

    playwright = sync_playwright().start()
    try:
        # The browser is the shopper's, not the app: it keeps the machine's real clock when the
        # suite runs with the date moved (faketime), as redis-server does (service_environment).
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=service_environment()
        )
    except Error as error:
        playwright.stop()
        unavailable("Chromium", error)
    yield browser
    browser.close()
    playwright.stop()


# expect() waits 5 s by default; this shared machine runs several-fold slower at times, and a
# wait that ends as soon as the page is right costs nothing when it is fast.
expect.set_options(timeout=15_000)


@pytest.fixture
def page(browser):
    """A fresh phone-sized page: phone first."""
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desk(browser):
    """A fresh desktop-sized page: what ops staff use."""
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# Card payments on the hosted page: Stripe is the localstripe emulator, Stripe.js its stand-in.
E2E_WEBHOOK_SECRET = "whsec_e2e_hosted_payment"
E2E_PUBLISHABLE_KEY = "pk_test_localstripe"


@pytest.fixture(scope="module")
def stripe_emulator():
    """localstripe on a free port; fails under REQUIRE_SERVICES=1 (skips otherwise) when missing."""
    from tests.support.localstripe import start_localstripe

    running = start_localstripe()
    yield running
    running.stop()


@pytest.fixture
def paying_service(tmp_path, hold_minutes, stripe_emulator):
    """The service for a retailer whose delivery fees are paid by card through us, Stripe being the emulator.

    Stripe.js is the emulator's (``<emulator>/js.stripe.com/v3/``), and the emulator sends its
    webhooks to the service, as Stripe would.
    """
    from tests.support.localstripe import TEST_SECRET_KEY

    server = LiveServer()
    clock = RunningClock(MONDAY_MORNING)
    app = make_app(
        f"sqlite:///{tmp_path / 'e2e-pay.db'}",
        clock,
        PUBLIC_BASE_URL=server.url,
        QUOTE_MINUTES=10,
        STRIPE_SECRET_KEY=TEST_SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=E2E_PUBLISHABLE_KEY,
        STRIPE_API_BASE=stripe_emulator.url,
        STRIPE_JS_URL=f"{stripe_emulator.url}/js.stripe.com/v3/",
        STRIPE_WEBHOOK_SECRET=E2E_WEBHOOK_SECRET,
    )
    document = copy.deepcopy(demo_document())
    document["booking_rules"]["hold_minutes"] = hold_minutes
    document["payments"] = {"collect": "stripe"}
    keys = import_document(app, document, clock)
    server.start(app)
    hook = urllib.parse.urlencode({"url": f"{server.url}/stripe/webhook", "secret": E2E_WEBHOOK_SECRET})
    with urllib.request.urlopen(f"{stripe_emulator.url}/_config/webhooks/e2e", hook.encode(), timeout=5):
        pass
    yield Service(app, server, clock, keys)
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
