"""Dynamic pricing through the API: reasons, CO2, bounds, and quotes honoured."""

import pytest

from slotbooking.demo.cli import demo_document
from tests.conftest import import_document
from tests.support.api import ApiClient
from tests.support.db import set_slot_capacity

# A flat in Islington (N1 zone) and one at the zone's far edge.
NEAR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}


@pytest.fixture
def dynamic_shop(app, client, clock):
    document = demo_document()
    document["pricing"].update(mode="dynamic", daily_discount_budget=100_000)
    keys = import_document(app, document, clock)
    return ApiClient(client, keys["secret_key"])


def test_dynamic_prices_come_with_reasons_co2_and_stay_in_bounds(dynamic_shop):
    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    slots = [s for s in offer["slots"] if s["available"]]
    assert slots
    for slot in slots:
        price, base = slot["price"]["amount"], slot["base_price"]["amount"]
        assert price == base + sum(i["amount"] for i in slot["incentives"])
        assert 0 <= price <= 900 and base - price <= 300
        assert isinstance(slot["co2_grams"], int) and slot["co2_grams"] >= 0
        for incentive in slot["incentives"]:
            assert incentive["kind"] and incentive["reason"]
    assert any(s["incentives"] for s in slots), "dynamic pricing should nudge somewhere"
    wide = [s for s in slots if s["width_minutes"] == 240]
    assert any(i["kind"] == "wide" for s in wide for i in s["incentives"])


def test_green_window_appears_next_to_a_booked_neighbour(dynamic_shop):
    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    slot = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60)
    for ref in ("n1", "n2"):
        body = {"slot_id": slot["id"], "address": {**NEAR, "lat": NEAR["lat"] + 0.0004}, "order_ref": ref}
        assert dynamic_shop.post("/bookings", body).status_code == 201
    again = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    same = next(s for s in again["slots"] if s["id"] == slot["id"])
    assert same["green"] is True
    assert "van is already near you" in same["green_reason"] and "CO2" in same["green_reason"]
    assert same["price"]["amount"] <= same["base_price"]["amount"], "a green window is never dearer"
    assert all(i["amount"] != 0 for i in same["incentives"])


def test_the_quote_is_honoured_at_hold_time(dynamic_shop):
    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    slot = next(s for s in offer["slots"] if s["available"] and s["incentives"])
    hold = dynamic_shop.hold(slot["id"], quote_id=offer["quote_id"], address=NEAR)
    assert hold.status_code == 201, hold.get_json()
    body = hold.get_json()
    assert body["price"] == slot["price"] and body["incentives"] == slot["incentives"]


def test_a_booking_next_door_in_another_zone_makes_the_window_green(dynamic_shop):
    """N1 and NW1 share the Park Royal depot: a van in NW1 at 10:00 passes the N1 border too."""
    border = {"postcode": "N1 2AB", "lat": 51.5395, "lon": -0.1200}
    neighbour = {"postcode": "NW1 9AA", "lat": 51.5396, "lon": -0.1204}
    offer = dynamic_shop.slots(border["postcode"], lat=border["lat"], lon=border["lon"])
    slot = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60 and not s["green"])
    nw1 = dynamic_shop.slots(neighbour["postcode"], lat=neighbour["lat"], lon=neighbour["lon"])
    twin = next(s for s in nw1["slots"] if s["start"] == slot["start"] and s["end"] == slot["end"])
    body = {"slot_id": twin["id"], "address": neighbour, "order_ref": "next-door"}
    assert dynamic_shop.post("/bookings", body).status_code == 201
    again = dynamic_shop.slots(border["postcode"], lat=border["lat"], lon=border["lon"])
    assert next(s for s in again["slots"] if s["id"] == slot["id"])["green"] is True


def test_a_booking_without_a_quote_pays_what_the_grid_shows_now(dynamic_shop):
    """Pricing at booking time sees the same scarcity and neighbours as the grid."""
    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    slot = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60)
    for ref in ("a", "b", "c"):  # 3 of 4 places gone: scarcity should now show
        body = {"slot_id": slot["id"], "address": {**NEAR, "lat": NEAR["lat"] + 0.01}, "order_ref": ref}
        assert dynamic_shop.post("/bookings", body).status_code == 201
    now_shown = next(
        s
        for s in dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])["slots"]
        if s["id"] == slot["id"]
    )
    booked = dynamic_shop.post("/bookings", {"slot_id": slot["id"], "address": NEAR, "order_ref": "d"})
    assert booked.status_code == 201
    assert booked.get_json()["price"] == now_shown["price"]
    assert booked.get_json()["incentives"] == now_shown["incentives"]


def test_pricing_at_booking_time_is_told_the_places_left(dynamic_shop, monkeypatch):
    """Without a quote, the day is priced with what is really left in each window."""
    from slotbooking.slots import pricers as slot_pricing

    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    slot = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60)
    for ref in ("a", "b"):
        body = {"slot_id": slot["id"], "address": NEAR, "order_ref": ref}
        assert dynamic_shop.post("/bookings", body).status_code == 201
    engine = slot_pricing._PRICERS["dynamic"]
    seen = {}

    class Recording:
        def address_cell(self, address):
            return engine.address_cell(address)

        def price_day(self, session, request):
            seen.update({s.id: remaining for s, remaining in request.slots})
            return engine.price_day(session, request)

    monkeypatch.setitem(slot_pricing._PRICERS, "dynamic", Recording())
    body = {"slot_id": slot["id"], "address": NEAR, "order_ref": "c"}
    assert dynamic_shop.post("/bookings", body).status_code == 201
    assert seen[slot["id"]] == 4 - 2  # demo windows hold 4; two were booked before this one


def test_pricing_at_booking_time_is_told_the_places_wide_bookings_left_under_them(
    app, dynamic_shop, monkeypatch
):
    """Hours of 2 places under a 4-hour window: after 7 wide bookings each hour has 1 joint place left."""
    from slotbooking.slots import pricers as slot_pricing

    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    wide = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 240)
    hours = [
        s
        for s in offer["slots"]
        if s["width_minutes"] == 60 and wide["start"] <= s["start"] and s["end"] <= wide["end"]
    ]
    assert len(hours) == 4
    for hour in hours:
        set_slot_capacity(app, hour["id"], 2)
    for ref in "abcdefg":
        body = {"slot_id": wide["id"], "address": NEAR, "order_ref": ref}
        assert dynamic_shop.post("/bookings", body).status_code == 201
    engine = slot_pricing._PRICERS["dynamic"]
    seen = {}

    class Recording:
        def address_cell(self, address):
            return engine.address_cell(address)

        def price_day(self, session, request):
            seen.update({s.id: remaining for s, remaining in request.slots})
            return engine.price_day(session, request)

    monkeypatch.setitem(slot_pricing._PRICERS, "dynamic", Recording())
    body = {"slot_id": hours[0]["id"], "address": NEAR, "order_ref": "d"}
    assert dynamic_shop.post("/bookings", body).status_code == 201
    assert [seen[h["id"]] for h in hours] == [1, 1, 1, 1]
    assert seen[wide["id"]] == 1
