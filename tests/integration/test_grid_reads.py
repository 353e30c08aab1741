"""A grid's days priced from one read of the depot's bookings give the prices of each day read alone."""

import dataclasses

import pytest

from slotbooking.demo.cli import demo_document
from tests.conftest import import_document
from tests.support.api import ApiClient

NEAR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}
NEXT_DOOR = {"postcode": "NW1 9AA", "lat": 51.5396, "lon": -0.1204}


@pytest.fixture
def dynamic_shop(app, client, clock):
    document = demo_document()
    document["pricing"].update(mode="dynamic", daily_discount_budget=2_000)
    keys = import_document(app, document, clock)
    return ApiClient(client, keys["secret_key"])


class Comparing:
    """Prices each day as asked (from the grid's shared reads) and again alone; keeps both."""

    def __init__(self, engine):
        self.engine, self.pairs, self.grids, self.memos = engine, [], set(), []

    def address_cell(self, address):
        return self.engine.address_cell(address)

    def price_day(self, session, request):
        shared = self.engine.price_day(session, request)
        alone = self.engine.price_day(session, dataclasses.replace(request, grid=None))
        self.pairs.append((request.day, shared, alone))
        if request.grid is not None and id(request.grid) not in self.grids:
            self.grids.add(id(request.grid))
            self.memos.append(request.grid.memo)
        return shared


def _book_across_days(shop, offer):
    """Book a few windows on three days, in this zone and next door (stops with and without discounts)."""
    days = sorted({s["start"][:10] for s in offer["slots"] if s["available"]})[:3]
    refs = 0
    for day in days:
        for slot in [s for s in offer["slots"] if s["available"] and s["start"].startswith(day)][:3]:
            refs += 1
            body = {"slot_id": slot["id"], "address": NEAR, "order_ref": f"near-{refs}"}
            assert shop.post("/bookings", body).status_code == 201
    nw1 = shop.slots(NEXT_DOOR["postcode"], lat=NEXT_DOOR["lat"], lon=NEXT_DOOR["lon"])
    for slot in [s for s in nw1["slots"] if s["available"] and s["start"].startswith(days[1])][:2]:
        refs += 1
        body = {"slot_id": slot["id"], "address": NEXT_DOOR, "order_ref": f"next-door-{refs}"}
        assert shop.post("/bookings", body).status_code == 201
    return days


def test_a_grid_prices_every_day_as_that_day_priced_alone(dynamic_shop, monkeypatch):
    from slotbooking.slots import pricers as slot_pricing

    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    booked_days = _book_across_days(dynamic_shop, offer)
    comparing = Comparing(slot_pricing._PRICERS["dynamic"])
    monkeypatch.setitem(slot_pricing._PRICERS, "dynamic", comparing)
    shopper = {"lat": NEAR["lat"] + 0.002, "lon": NEAR["lon"] - 0.001}
    again = dynamic_shop.slots(NEAR["postcode"], **shopper)
    assert len(comparing.grids) == 1, "one grid, its days sharing one read"
    priced_days = {day.isoformat() for day, _, _ in comparing.pairs}
    assert set(booked_days) <= priced_days and len(priced_days) >= 5
    for day, shared, alone in comparing.pairs:
        assert shared == alone, day
    assert any(s["green"] for s in again["slots"]), "the bookings read for the grid count"
    assert any(i["amount"] < 0 for s in again["slots"] for i in s["incentives"])


def test_a_booking_without_a_quote_prices_its_day_but_returns_its_window_only(dynamic_shop, monkeypatch):
    from slotbooking.slots import pricers as slot_pricing

    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    _book_across_days(dynamic_shop, offer)
    engine = slot_pricing._PRICERS["dynamic"]
    seen = []

    class Recording:
        def address_cell(self, address):
            return engine.address_cell(address)

        def price_day(self, session, request):
            answer = engine.price_day(session, request)
            whole_day = engine.price_day(session, dataclasses.replace(request, wanted=None))
            seen.append((request, answer, whole_day))
            return answer

    monkeypatch.setitem(slot_pricing._PRICERS, "dynamic", Recording())
    slot = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 240)
    booked = dynamic_shop.post("/bookings", {"slot_id": slot["id"], "address": NEAR, "order_ref": "one-step"})
    assert booked.status_code == 201
    [(request, answer, whole_day)] = seen
    assert request.wanted == {slot["id"]} and set(answer) == {slot["id"]}
    assert len(whole_day) > 1 and answer[slot["id"]] == whole_day[slot["id"]]
    assert booked.get_json()["price"]["amount"] == whole_day[slot["id"]].price


def _plan(app):
    result = app.test_cli_runner().invoke(args=["routes", "plan", "demo-grocer"])
    assert result.exit_code == 0, result.output


def test_a_grid_reads_the_newest_plan_of_each_day_as_each_day_alone(app, dynamic_shop, monkeypatch):
    from slotbooking.slots import pricers as slot_pricing

    offer = dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    days = _book_across_days(dynamic_shop, offer)
    _plan(app)
    later = next(s for s in offer["slots"] if s["available"] and s["start"].startswith(days[0]))
    body = {"slot_id": later["id"], "address": {**NEAR, "lon": NEAR["lon"] + 0.01}, "order_ref": "later"}
    assert dynamic_shop.post("/bookings", body).status_code == 201
    _plan(app)  # a second version of the first day's plan: the newest must be the one priced from
    comparing = Comparing(slot_pricing._PRICERS["dynamic"])
    monkeypatch.setitem(slot_pricing._PRICERS, "dynamic", comparing)
    dynamic_shop.slots(NEAR["postcode"], lat=NEAR["lat"] + 0.001, lon=NEAR["lon"])
    planned = set()
    for memo_key, plans in comparing.memos[0].items():
        if memo_key[0] == "engine_plans":
            planned |= {day.isoformat() for day in plans}
    assert set(days) <= planned
    for day, shared, alone in comparing.pairs:
        assert shared == alone, day
