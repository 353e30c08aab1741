"""Capacity holds on two levels, holds expire by themselves, and releases free places at once."""

from datetime import date

from sqlalchemy import select

from slotbooking.extensions import db
from slotbooking.slots.models import DepotDay
from tests.support.db import occupied, set_slot_capacity


def test_a_full_slot_refuses_with_slot_full(app, shop):
    offer, slot = shop.first_available()
    set_slot_capacity(app, slot["id"], 2)
    assert shop.hold(slot["id"]).status_code == 201
    assert shop.hold(slot["id"]).status_code == 201
    third = shop.hold(slot["id"])
    assert third.status_code == 409
    assert third.get_json()["error"]["code"] == "slot_full"
    again = next(s for s in shop.slots()["slots"] if s["id"] == slot["id"])
    assert again["available"] is False and again["remaining"] == 0


def test_an_expired_hold_stops_counting_without_a_sweeper(app, shop, clock):
    _, slot = shop.first_available()
    set_slot_capacity(app, slot["id"], 1)
    first = shop.hold(slot["id"]).get_json()
    assert shop.hold(slot["id"]).status_code == 409
    clock.advance(minutes=16)  # demo holds last 15 minutes
    assert occupied(app, slot["id"], clock()) == 0
    assert shop.hold(slot["id"]).status_code == 201
    expired = shop.book(first["id"])
    assert expired.status_code == 410
    assert expired.get_json()["error"]["code"] == "hold_expired"


def test_releasing_a_hold_frees_the_place_at_once(app, shop):
    _, slot = shop.first_available()
    set_slot_capacity(app, slot["id"], 1)
    hold = shop.hold(slot["id"]).get_json()
    assert shop.delete(f"/holds/{hold['id']}").status_code == 204
    assert shop.delete(f"/holds/{hold['id']}").status_code == 204
    assert shop.hold(slot["id"]).status_code == 201
    assert shop.book(hold["id"]).get_json()["error"]["code"] == "hold_expired"


def test_the_depot_daily_cap_holds_across_windows(app, shop, clock):
    offer, slot = shop.first_available()
    same_day = [s for s in offer["slots"] if s["date"] == slot["date"] and s["available"]]
    with app.app_context():
        depot_day = db.session.scalar(
            select(DepotDay)
            .where(DepotDay.service_date == date.fromisoformat(slot["date"]))
            .order_by(DepotDay.depot_id)
        )
        depot_day.capacity = 2
        db.session.commit()
    assert shop.hold(same_day[0]["id"]).status_code == 201
    assert shop.hold(same_day[1]["id"]).status_code == 201
    refused = shop.hold(same_day[2]["id"])
    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["error"]["code"] == "slot_full"
    grid = {s["id"]: s for s in shop.slots(**{"from": slot["date"], "days": 1})["slots"]}
    assert not any(s["available"] for s in grid.values())


def test_a_booked_hold_cannot_be_booked_twice(shop):
    _, slot = shop.first_available()
    hold = shop.hold(slot["id"]).get_json()
    first = shop.book(hold["id"])
    second = shop.book(hold["id"])
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.get_json()["error"]["details"]["booking_id"] == first.get_json()["id"]


def test_reschedule_into_a_full_slot_changes_nothing(app, shop):
    offer = shop.slots()
    source, target = [s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60][:2]
    booking = shop.post(
        "/bookings", {"slot_id": source["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "R"}
    ).get_json()
    set_slot_capacity(app, target["id"], 0)
    refused = shop.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": target["id"]})
    assert refused.status_code == 409
    after = shop.get(f"/bookings/{booking['id']}").get_json()
    assert after["slot"]["id"] == source["id"] and after["status"] == "confirmed"


def test_quoted_price_is_honoured_by_hold_and_booking(app, shop):
    offer, slot = shop.first_available()
    with app.app_context():
        from slotbooking.retailers.models import Retailer

        retailer = db.session.scalar(select(Retailer))
        retailer.pricing = {**retailer.pricing, "base_fee": 999}
        db.session.commit()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    assert hold["price"] == slot["price"]
    booking = shop.book(hold["id"]).get_json()
    assert booking["price"] == slot["price"]
    unquoted = shop.hold(next(s for s in offer["slots"] if s["available"] and s["id"] != slot["id"])["id"])
    assert unquoted.get_json()["price"]["amount"] == 999 + 0


def test_a_full_depot_day_shows_in_every_zone_of_the_depot_at_once(app, shop):
    """N1 and NW1 share a depot: filling its day from N1 must show in NW1's (cached) grid."""
    offer, slot = shop.first_available("N1 2AB")
    sibling_before = [s for s in shop.slots("NW1 9AA")["slots"] if s["date"] == slot["date"]]
    assert any(s["available"] for s in sibling_before)
    with app.app_context():
        zone_depot = db.session.scalar(
            select(DepotDay)
            .where(DepotDay.service_date == date.fromisoformat(slot["date"]))
            .order_by(DepotDay.depot_id)
        )
        zone_depot.capacity = 1
        db.session.commit()
    assert shop.hold(slot["id"]).status_code == 201
    sibling_after = [s for s in shop.slots("NW1 9AA")["slots"] if s["date"] == slot["date"]]
    assert not any(s["available"] for s in sibling_after)


# -- nested windows: a 4-hour booking takes a place from the hour windows under it --------------


def wide_and_hours_under_it(shop) -> tuple[dict, list[dict], list[dict]]:
    """A bookable 4-hour window, the hour windows under it, and the day's other windows."""
    offer = shop.slots()
    wide = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 240)
    day = [s for s in offer["slots"] if s["date"] == wide["date"] and s["id"] != wide["id"]]
    under = [s for s in day if wide["start"] <= s["start"] and s["end"] <= wide["end"]]
    assert len(under) == 4 and all(s["width_minutes"] == 60 for s in under), under
    return wide, under, [s for s in day if s not in under]


def remaining_on(shop, day: str) -> dict[str, int]:
    return {s["id"]: s["remaining"] for s in shop.slots(**{"from": day, "days": 1})["slots"]}


def book_in(shop, slot_id: str, order_ref: str):
    return shop.post(
        "/bookings", {"slot_id": slot_id, "address": {"postcode": "N1 2AB"}, "order_ref": order_ref}
    )


def test_a_four_hour_booking_takes_a_place_from_the_hours_under_it(app, client, demo, shop):
    wide, hours, others = wide_and_hours_under_it(shop)
    for hour in hours:
        set_slot_capacity(app, hour["id"], 2)  # 8 places under the wide window, its own cap 12
    for n in range(5):
        assert book_in(shop, wide["id"], f"WIDE-{n}").status_code == 201
    left = remaining_on(shop, wide["date"])
    assert left[wide["id"]] == 3
    assert [left[h["id"]] for h in hours] == [2, 2, 2, 2]
    assert book_in(shop, hours[0]["id"], "H0-a").status_code == 201
    assert book_in(shop, hours[1]["id"], "H1-a").status_code == 201
    left = remaining_on(shop, wide["date"])
    assert left[wide["id"]] == 1  # 8 places: 5 wide and 2 narrow taken
    assert [left[h["id"]] for h in hours] == [1, 1, 1, 1]
    assert all(left[o["id"]] == o["remaining"] for o in others)  # windows outside it untouched
    embed = client.get(
        "/embed/demo-grocer/api/slots",
        query_string={"postcode": "N1 2AB", "from": wide["date"], "days": 1},
        headers={"Authorization": f"Bearer {demo['publishable_key']}"},
    )
    assert embed.status_code == 200, embed.get_json()
    assert {s["id"]: s["remaining"] for s in embed.get_json()["slots"]} == left  # the widget's grid


def test_the_last_joint_place_cannot_be_taken_twice(app, shop):
    wide, hours, _ = wide_and_hours_under_it(shop)
    for hour in hours:
        set_slot_capacity(app, hour["id"], 1)  # 4 places under the wide window
    for n in range(3):
        assert book_in(shop, wide["id"], f"WIDE-{n}").status_code == 201
    last = shop.hold(hours[2]["id"])
    assert last.status_code == 201, last.get_json()
    for slot_id in (wide["id"], hours[0]["id"], hours[3]["id"]):
        refused = shop.hold(slot_id)
        assert refused.status_code == 409, refused.get_json()
        assert refused.get_json()["error"]["code"] == "slot_full"
        assert book_in(shop, slot_id, "LATE").get_json()["error"]["code"] == "slot_full"
    grid = {s["id"]: s for s in shop.slots(**{"from": wide["date"], "days": 1})["slots"]}
    assert not any(grid[s]["available"] for s in [wide["id"], *(h["id"] for h in hours)])
    # the held place comes back to every window under the wide one when it is released
    assert shop.delete(f"/holds/{last.get_json()['id']}").status_code == 204
    left = remaining_on(shop, wide["date"])
    assert left[wide["id"]] == 1 and [left[h["id"]] for h in hours] == [1, 1, 1, 1]
    assert shop.hold(wide["id"]).status_code == 201


def test_moving_a_booking_into_the_wide_window_over_it_needs_no_spare_place(app, shop):
    """The moved booking's old place is given back as it takes the new one: no joint place is needed."""
    wide, hours, _ = wide_and_hours_under_it(shop)
    for hour in hours:
        set_slot_capacity(app, hour["id"], 1)
    booking = book_in(shop, hours[0]["id"], "MOVER").get_json()
    for n in range(3):
        assert book_in(shop, wide["id"], f"WIDE-{n}").status_code == 201
    assert remaining_on(shop, wide["date"])[wide["id"]] == 0
    moved = shop.post(f"/bookings/{booking['id']}/reschedule", {"slot_id": wide["id"]})
    assert moved.status_code == 200, moved.get_json()
    assert shop.get(f"/bookings/{booking['id']}").get_json()["slot"]["id"] == wide["id"]
    left = remaining_on(shop, wide["date"])
    assert left[wide["id"]] == 0 and [left[h["id"]] for h in hours] == [0, 0, 0, 0]
