"""The hosted page inside booking sessions, as a shopper and as an attacker see it (no browser).

On SQLite and on PostgreSQL + Redis. The attack from issue 7: knowing a retailer's slug was
enough to hold and book all of a slot's places under made-up order references.
"""

import re
import threading

import pytest
from sqlalchemy import func, select

from slotbooking.booking_sessions import service as sessions
from slotbooking.booking_sessions.models import BookingSession
from slotbooking.bookings.hold_limits import HoldOrigin
from slotbooking.bookings.models import Booking, Hold
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from tests.conftest import SHOP_ORIGIN, import_document
from tests.support.api import ApiClient

BOOK = "/r/demo-grocer/book"
DOOR = {"postcode": "N5 1AA", "lat": 51.5540, "lon": -0.0980}  # Highbury, 1.7 km from the zone's centroid


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def live_holds(app, clock) -> list[Hold]:
    with app.app_context():
        return db.session.scalars(
            select(Hold).where(Hold.status == "active", Hold.expires_at > clock())
        ).all()


def form_fields(html: str) -> dict:
    fields = dict(re.findall(r'name="(csrf_token|quote_id|price)" value="([^"]*)"', html))
    fields["slots"] = re.findall(r'name="slot_id" value="([^"]+)"\s+class="window[^"]*"\s*>', html)
    return fields


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


class Shopper:
    """One browser on the hosted page (its own cookies and address)."""

    def __init__(self, app, address="203.0.113.7"):
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.grid = None

    def open(self, link: str):
        response = self.client.get(path_of(link))
        assert response.status_code == 302 and response.headers["Location"] == BOOK, response.status_code
        return self.show_grid()

    def show_grid(self, query=""):
        page = self.client.get(f"{BOOK}{query}")
        assert page.status_code == 200, page.get_data(as_text=True)
        self.grid = form_fields(page.get_data(as_text=True))
        return page.get_data(as_text=True)

    def hold(self, slot_index=0, **extra):
        data = {
            "csrf_token": self.grid["csrf_token"],
            "slot_id": self.grid["slots"][slot_index],
            "quote_id": self.grid["quote_id"],
            **extra,
        }
        return self.client.post(f"{BOOK}/hold", data=data)

    def confirm(self, **extra):
        price = form_fields(self.client.get(f"{BOOK}/checkout").get_data(as_text=True))["price"]
        data = {"csrf_token": self.grid["csrf_token"], "price": price, **extra}
        return self.client.post(f"{BOOK}/confirm", data=data)


@pytest.fixture
def shopper(app):
    return Shopper(app)


def test_the_attack_from_the_issue_books_nothing_without_a_session(app, client, demo, shop):
    """FAKE-0..FAKE-3 by slug alone: every step answers a page that explains itself, nothing is taken."""
    _, slot = shop.first_available()
    for n in range(4):
        old_link = client.get(f"{BOOK}?order_ref=FAKE-{n}&postcode=N1%202AB")
        assert old_link.status_code == 403
        page = old_link.get_data(as_text=True)
        assert "Open your booking link" in page and "order confirmation e-mail" in page
        assert old_link.mimetype == "text/html"
        # A valid token of this browser's session (any of our pages' forms carries one): CSRF is
        # not what stops this.
        csrf = re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/ops/login").get_data(as_text=True)
        )[1]
        held = client.post(
            f"{BOOK}/hold",
            data={"csrf_token": csrf, "slot_id": slot["id"], "order_ref": f"FAKE-{n}", "postcode": "N1 2AB"},
        )
        assert held.status_code == 403 and "Open your booking link" in held.get_data(as_text=True)
        confirmed = client.post(f"{BOOK}/confirm", data={"csrf_token": csrf, "price": "400"})
        assert confirmed.status_code == 403
    assert count(app, Hold) == 0 and count(app, Booking) == 0
    after = next(s for s in shop.slots()["slots"] if s["id"] == slot["id"])
    assert after["available"] and after.get("remaining", 4) == slot.get("remaining", 4)


def test_a_session_books_its_own_order_and_address_whatever_the_form_says(app, shop, shopper):
    made = shop.booking_session(
        "ORDER-A", address={"line1": "12 Example Street", "lat": 51.5391, "lon": -0.1021}, customer_ref="c-9"
    )
    page = shopper.open(made["url"])
    assert "Order ORDER-A" in page and "12 Example Street, N1 2AB" in page
    # Another order and postcode in the query string change nothing: the grid is the session's.
    page = shopper.show_grid("?order_ref=EVIL&postcode=E8%201AA")
    # (the whole postcode: a random token in the page may hold the letters "E8")
    assert "Order ORDER-A" in page and "EVIL" not in page and "E8 1AA" not in page and "E8%201AA" not in page
    held = shopper.hold(order_ref="EVIL", postcode="E8 1AA")
    assert held.headers["Location"].endswith("/book/checkout")
    done = shopper.confirm(order_ref="EVIL")
    assert done.headers["Location"].startswith("/manage/")
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert (booking.order_ref, booking.postcode, booking.line1) == (
            "ORDER-A",
            "N1 2AB",
            "12 Example Street",
        )
        assert (booking.customer_ref, booking.lat, booking.lon) == ("c-9", 51.5391, -0.1021)
    state = shop.get(f"/booking_sessions/{made['id']}").get_json()
    assert state["status"] == "booked" and state["booking_id"] == booking.id


def test_a_spent_session_leads_to_its_booking_and_takes_no_more_holds(app, shop, shopper, clock):
    made = shop.booking_session("ORDER-B")
    shopper.open(made["url"])
    shopper.hold()
    manage = shopper.confirm().headers["Location"]
    again = shopper.client.get(path_of(made["url"]))
    assert again.status_code == 302 and again.headers["Location"] == manage
    assert shopper.client.get(BOOK).headers["Location"] == manage
    refused = shopper.hold(slot_index=1)
    assert refused.headers["Location"] == manage
    # Even from another browser, straight through the service: the session is spent.
    with app.app_context():
        spent = db.session.get(BookingSession, made["id"])
        tenant = _tenant(app)
        with pytest.raises(sessions.SessionSpent):
            sessions.hold_in_session(
                db.session, _deps(app), tenant, spent, shopper.grid["slots"][1], None, HoldOrigin(), clock()
            )
    assert count(app, Booking) == 1 and live_holds(app, clock) == []


def test_an_expired_or_unknown_link_explains_itself_and_takes_nothing(app, shop, shopper, clock):
    made = shop.booking_session("ORDER-C", return_url="https://shop.example/orders/C")
    bound = Shopper(app, "198.51.100.2")
    bound.open(made["url"])
    clock.advance(hours=24, seconds=1)
    expired = shopper.client.get(path_of(made["url"]))
    assert expired.status_code == 410
    text = expired.get_data(as_text=True)
    assert "This booking link has expired" in text and 'href="https://shop.example/orders/C"' in text
    # A browser that opened it in time finds the same page once it has run out, and cannot hold.
    assert bound.client.get(BOOK).status_code == 410
    assert bound.hold().status_code == 410
    unknown = shopper.client.get("/r/demo-grocer/s/" + "A" * 43)
    assert unknown.status_code == 404 and "We do not recognise this link" in unknown.get_data(as_text=True)
    assert shopper.client.get("/r/demo-grocer/s/not%00a-token").status_code == 400  # junk: input guard
    assert count(app, Hold) == 0


def test_a_hold_taken_in_time_can_still_be_confirmed_after_the_link_expires(app, shop, shopper, clock):
    made = shop.booking_session("ORDER-D")
    shopper.open(made["url"])
    clock.advance(hours=23, minutes=55)
    shopper.grid = form_fields(shopper.client.get(BOOK).get_data(as_text=True))
    shopper.hold()
    clock.advance(minutes=10)  # the link has expired, the 15-minute hold has not
    assert shopper.confirm().headers["Location"].startswith("/manage/")
    assert count(app, Booking, order_ref="ORDER-D") == 1


def test_a_session_has_at_most_one_live_hold(app, shop, shopper, clock):
    made = shop.booking_session("ORDER-E")
    shopper.open(made["url"])
    for index in (0, 1, 2):
        assert shopper.hold(slot_index=index).headers["Location"].endswith("/book/checkout")
    holds = live_holds(app, clock)
    assert [h.slot_id for h in holds] == [shopper.grid["slots"][2]]
    # The rule is the service's, not the page's: straight calls replace the hold too.
    with app.app_context():
        found = db.session.get(BookingSession, made["id"])
        for index in (3, 4):
            sessions.hold_in_session(
                db.session,
                _deps(app),
                _tenant(app),
                found,
                shopper.grid["slots"][index],
                None,
                HoldOrigin(),
                clock(),
            )
    assert [h.slot_id for h in live_holds(app, clock)] == [shopper.grid["slots"][4]]


def test_a_window_that_cannot_be_held_keeps_the_earlier_hold(app, shop, shopper, clock):
    shopper.open(shop.booking_session("ORDER-F")["url"])
    shopper.hold(slot_index=0)
    refused = shopper.client.post(
        f"{BOOK}/hold", data={"csrf_token": shopper.grid["csrf_token"], "slot_id": "slot_nonexistent"}
    )
    assert "no longer offered" in shopper.client.get(refused.headers["Location"]).get_data(as_text=True)
    assert [h.slot_id for h in live_holds(app, clock)] == [shopper.grid["slots"][0]]


def test_one_client_holds_at_most_three_windows_across_sessions_and_keys(app, client, demo, shop, clock):
    """The cap counts the hosted page's holds and publishable-key holds from one address together."""
    here = "203.0.113.50"
    browser = ApiClient(client, demo["publishable_key"], origin=SHOP_ORIGIN)
    client.environ_base["REMOTE_ADDR"] = here
    offer = browser.slots()
    open_slots = [s["id"] for s in offer["slots"] if s["available"]]
    for slot_id in open_slots[:2]:
        assert browser.hold(slot_id, quote_id=offer["quote_id"]).status_code == 201
    first = Shopper(app, here)
    first.open(shop.booking_session("ORDER-G1")["url"])
    assert first.hold(slot_index=5).headers["Location"].endswith("/book/checkout")  # the third
    # A fourth, from another session or from the API, is refused with a clear message.
    second = Shopper(app, here)
    second.open(shop.booking_session("ORDER-G2")["url"])
    refused = second.hold(slot_index=6)
    page = second.client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "already holding as many delivery windows as it may" in page
    over = browser.hold(open_slots[7], quote_id=offer["quote_id"])
    assert over.status_code == 409
    error = over.get_json()["error"]
    assert error["code"] == "too_many_holds" and error["details"] == {"limit": 3}
    assert len(live_holds(app, clock)) == 3
    # Replacing a session's own hold is not one more; other addresses and the secret key are not capped.
    assert first.hold(slot_index=8).headers["Location"].endswith("/book/checkout")
    elsewhere = Shopper(app, "198.51.100.9")
    elsewhere.open(shop.booking_session("ORDER-G3")["url"])
    assert elsewhere.hold(slot_index=6).headers["Location"].endswith("/book/checkout")
    assert shop.hold(open_slots[9], quote_id=offer["quote_id"]).status_code == 201
    # Holds that run out stop counting.
    clock.advance(minutes=16)
    assert browser.hold(open_slots[7]).status_code == 201


def test_the_client_cap_holds_under_concurrent_requests(app, demo, clock):
    """Holds at once from one address, each on another day (no slot or depot-day lock in common): three."""
    browser = ApiClient(app.test_client(), demo["publishable_key"], origin=SHOP_ORIGIN)
    offer = browser.slots(days=14)
    first_per_day = {}
    for slot in offer["slots"]:
        if slot["available"]:
            first_per_day.setdefault(slot["date"], slot["id"])
    slot_ids = list(first_per_day.values())[:8]
    assert len(slot_ids) >= 6
    statuses, start = [], threading.Barrier(len(slot_ids))

    def attempt(slot_id):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "203.0.113.99"
        start.wait()
        statuses.append(
            ApiClient(client, demo["publishable_key"], origin=SHOP_ORIGIN).hold(slot_id).status_code
        )

    threads = [threading.Thread(target=attempt, args=(s,)) for s in slot_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] * 3 + [409] * (len(slot_ids) - 3)
    assert len(live_holds(app, clock)) == 3


@pytest.fixture
def dynamic(app, client, clock):
    document = demo_document()
    document["pricing"].update(mode="dynamic", daily_discount_budget=100_000)
    keys = import_document(app, document, clock)
    return ApiClient(client, keys["secret_key"])


def test_the_grid_is_priced_at_the_sessions_door_not_the_zone_centroid(app, dynamic):
    """Two neighbours booked at 10:00 make that window green at the door, not 1.7 km away at the centroid."""
    offer = dynamic.slots(DOOR["postcode"], lat=DOOR["lat"], lon=DOOR["lon"])
    slot = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60 and not s["green"])
    for ref in ("n1", "n2"):
        neighbour = {**DOOR, "lat": DOOR["lat"] + 0.0004}
        assert (
            dynamic.post(
                "/bookings", {"slot_id": slot["id"], "address": neighbour, "order_ref": ref}
            ).status_code
            == 201
        )
    day = f"?day={slot['start'][:10]}"
    at_door = Shopper(app)
    at_door.open(dynamic.booking_session("DOOR", address=DOOR)["url"])
    door_page = at_door.show_grid(day)
    centroid = Shopper(app, "198.51.100.3")
    centroid.open(dynamic.booking_session("CENTROID", postcode=DOOR["postcode"])["url"])
    centroid_page = centroid.show_grid(day)

    def window_classes(page):
        return re.search(rf'value="{slot["id"]}"\s+class="([^"]+)"', page).group(1)

    assert "window--green" in window_classes(door_page)
    assert "window--green" not in window_classes(centroid_page)
    # The hold (and so the booking) is priced where the grid was: at the door.
    at_door.hold(slot_index=at_door.grid["slots"].index(slot["id"]))
    with app.app_context():
        held = db.session.scalar(select(Hold).where(Hold.status == "active"))
        assert (held.lat, held.lon) == (DOOR["lat"], DOOR["lon"])
        assert any(i["kind"] == "green" for i in held.incentives)


def test_the_confirmation_offers_the_way_back_to_the_shop(app, shop):
    with_return = Shopper(app)
    with_return.open(shop.booking_session("ORDER-H", return_url="https://shop.example/thanks?o=H")["url"])
    with_return.hold()
    page = with_return.client.get(with_return.confirm().headers["Location"]).get_data(as_text=True)
    assert "You&#39;re booked" in page or "You're booked" in page
    assert 'href="https://shop.example/thanks?o=H"' in page and "Back to Demo Grocer" in page
    plain = Shopper(app, "198.51.100.4")
    plain.open(shop.booking_session("ORDER-I")["url"])
    plain.hold()
    page = plain.client.get(plain.confirm().headers["Location"]).get_data(as_text=True)
    assert "Back to" not in page


def _tenant(app):
    from slotbooking.shopper.lookup import tenant_for_slug

    return tenant_for_slug(db.session, "demo-grocer")


def _deps(app):
    from slotbooking.request_context import collaborators

    return collaborators()
