"""Screenshots of every ops console page at desktop (1280x800) and tablet (820x1180) sizes.

    .venv/bin/python scripts/console_shots.py [/tmp/console-shots]

Serves the demo (dynamic pricing, seeded bookings) on SQLite in a temporary folder, logs in
with headless Chromium (Debian's /usr/bin/chromium) and saves one full-page PNG per page and size.
A look at these is part of changing the console's templates or CSS.
"""

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slotbooking.demo.cli import showcase_document  # noqa: E402
from slotbooking.demo.showcase import seed_showcase  # noqa: E402
from slotbooking.extensions import db  # noqa: E402
from slotbooking.request_context import collaborators  # noqa: E402
from slotbooking.retailers.models import Retailer  # noqa: E402
from slotbooking.retailers.tenant import Tenant  # noqa: E402
from tests.conftest import import_document, make_app  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, RunningClock  # noqa: E402
from tests.support.api import MONDAY_MORNING  # noqa: E402
from tests.support.console import PASSWORD, add_staff  # noqa: E402

SIZES = {"desktop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180}}


def serve(folder: Path):
    server, clock = LiveServer(), RunningClock(MONDAY_MORNING)
    app = make_app(f"sqlite:///{folder / 'shots.db'}", clock, PUBLIC_BASE_URL=server.url)
    slug = import_document(app, showcase_document(), clock)["retailer"]
    with app.app_context():
        tenant = Tenant.of(db.session.query(Retailer).filter_by(slug=slug).one())
        seed_showcase(db.session, collaborators(), tenant, clock())
    add_staff(app, "admin@demo.example", slug, "admin")
    add_staff(app, "viewer@demo.example", slug, "viewer")
    return server.start(app), slug


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/ops/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        server, slug = serve(Path(folder))
        base, tenant = server.url, f"{server.url}/ops/r/{slug}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for size, viewport in SIZES.items():
                page = browser.new_context(viewport=viewport, locale="en-GB").new_page()

                def shot(name: str, page=page, size=size) -> None:
                    page.screenshot(path=str(out / f"{size}-{name}.png"), full_page=True)

                page.goto(f"{base}/ops/login")
                shot("login")
                log_in(page, base, "admin@demo.example")
                page.goto(f"{base}/ops/")
                shot("home")
                page.goto(f"{tenant}/")
                shot("overview")
                page.goto(f"{tenant}/pricing")
                shot("pricing")
                page.get_by_label("Lowest price").fill("9.50")
                page.get_by_label("Running cost").fill("lots")
                page.get_by_role("button", name="Save to draft").click()
                shot("pricing-errors")
                page.goto(f"{tenant}/pricing")
                page.get_by_label("Base fee").fill("5.00")
                page.get_by_label("Largest discount").fill("2.50")
                page.get_by_role("button", name="Save to draft").click()
                page.goto(f"{tenant}/draft?postcode=N1+2AB")
                shot("draft-preview")
                page.get_by_label("Note for the version history").fill("screenshot run")
                page.get_by_role("button", name="Publish").click()
                shot("versions")
                for name in ("", "/rules", "/templates", "/fleet", "/places", "/connections"):
                    page.goto(f"{tenant}/setup{name}")
                    shot(f"setup{name.replace('/', '-')}")
                page.get_by_role("button", name="Add a row to allowed origins").click()
                page.get_by_label("Webhook URL (blank: none)").fill("ftp://nowhere")
                page.get_by_role("button", name="Save to draft").click()
                shot("setup-connections-errors")
                page.goto(f"{tenant}/staff")
                page.get_by_label("E-mail", exact=True).fill("new@demo.example")
                page.get_by_role("button", name="Make an invite link").click()
                shot("staff-invite")
                link = page.locator("#invite-link").inner_text()
                page.goto(f"{tenant}/audit")
                shot("audit")
                page.goto(f"{base}/ops/r/nobody/")
                shot("not-found")
                page.get_by_role("button", name="Log out").click()
                page.goto(link)
                shot("join")
                log_in(page, base, "viewer@demo.example")
                page.goto(f"{tenant}/staff")
                shot("forbidden")
                page.goto(f"{tenant}/draft")
                shot("draft-viewer")
                page.goto(f"{tenant}/setup/templates")
                shot("setup-templates-viewer")
                page.get_by_role("button", name="Log out").click()
                page.context.close()
            browser.close()
        server.stop()
    weight = {
        p.name: p.stat().st_size for p in (ROOT / "slotbooking/static/console").rglob("*") if p.is_file()
    }
    print("screenshots in", out, "| console assets (bytes):", weight)
    print(
        "pages with scripts:",
        [p.name for p in (ROOT / "templates/console").glob("*.html") if re.search("<script", p.read_text())],
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/console-shots"))
