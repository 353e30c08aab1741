"""Races for capacity that windows share, against gunicorn (4 processes) on PostgreSQL + Redis:
a depot's daily cap over two zones, and a 4-hour window over the hour windows under it.

How the race runs and what is checked afterwards: tests/support/race.py.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from slotbooking.extensions import db
from slotbooking.retailers.models import Zone
from slotbooking.slots.models import DepotDay, Slot
from tests.support.race import (
    POSTCODES,
    Live,
    assert_exactly,
    assert_views_agree,
    bump_cache,
    call,
    confirmed_in_slot,
    depot_day_taken,
    first_day_far_from_cutoff,
    fresh_slots,
    grid,
    live_holds_in_slot,
    live_server,
    occupied,
    race,
)

pytestmark = pytest.mark.services

live = pytest.fixture(scope="module")(live_server)


def test_the_depot_daily_cap_gives_its_last_places_to_exactly_that_many_clients(live):
    """Two windows of two zones of one depot, 8 places between them, but 3 left in the depot's day."""
    day, (in_n1,) = fresh_slots(live, "N1", 1)
    _, (in_nw1,) = fresh_slots(live, "NW1", 1)
    assert in_nw1["date"] == in_n1["date"] == day.isoformat()
    with live.app.app_context():
        depot_id = db.session.get(Slot, in_n1["id"]).depot_id
        assert db.session.get(Slot, in_nw1["id"]).depot_id == depot_id
        depot_day = db.session.scalar(
            select(DepotDay).where(DepotDay.depot_id == depot_id, DepotDay.service_date == day)
        )
        taken_before = depot_day_taken(depot_id, day)
        depot_day.capacity = taken_before + 3
        capacity = depot_day.capacity
        other_depot_zone = db.session.scalar(select(Zone).where(Zone.code == "E8"))
        assert other_depot_zone.depot_id != depot_id
        db.session.commit()
    bump_cache(live, in_n1["id"], in_nw1["id"])  # committed here, through the app: seen at once

    assert grid(live, "N1", day)[in_n1["id"]]["remaining"] == 3
    assert grid(live, "NW1", day)[in_nw1["id"]]["remaining"] == 3

    attempts = race(live, [(in_n1["id"], POSTCODES["N1"]), (in_nw1["id"], POSTCODES["NW1"])])

    assert_exactly(attempts, places=3)
    with live.app.app_context():
        assert depot_day_taken(depot_id, day) == capacity
    assert occupied(live, in_n1["id"]) + occupied(live, in_nw1["id"]) == 3
    assert live_holds_in_slot(live, in_n1["id"]) + live_holds_in_slot(live, in_nw1["id"]) == 0
    assert_views_agree(live, "N1", day, in_n1["id"], remaining=0)
    assert_views_agree(live, "NW1", day, in_nw1["id"], remaining=0)

    # the whole depot day is full, in a zone nobody raced for too; the other depot is untouched
    assert not any(s["available"] for s in grid(live, "W2", day).values())
    assert any(s["available"] for s in grid(live, "E8", day).values())


def fresh_wide_window(live: Live, zone: str) -> tuple[date, dict, list[dict]]:
    """An untouched 4-hour window of the zone and the hour windows under it, from the day after tomorrow."""
    start = first_day_far_from_cutoff()
    for offset in range(7):
        day = start + timedelta(days=offset)
        windows = grid(live, zone, day).values()
        for wide in (s for s in windows if s["width_minutes"] == 240 and s["remaining"] == 12):
            hours = [s for s in windows if wide["start"] <= s["start"] and s["end"] <= wide["end"]]
            hours = [s for s in hours if s["id"] != wide["id"]]
            if len(hours) == 4 and all(s["width_minutes"] == 60 and s["remaining"] == 4 for s in hours):
                return day, wide, hours
    raise AssertionError(f"no untouched 4-hour window in zone {zone}")


def test_wide_and_narrow_holds_share_the_last_joint_places_without_overbooking(live):
    """A 4-hour window over four hour windows of 2 places each: 8 vans' places, 5 taken by wide bookings.

    Three joint places are left, and every one of them can go to the wide window or to any hour
    under it; shoppers race for all five windows at once, in one step or with a hold first.
    """
    day, wide, hours = fresh_wide_window(live, "E8")
    with live.app.app_context():
        for hour in hours:
            db.session.get(Slot, hour["id"]).capacity = 2
        db.session.commit()
    bump_cache(live, wide["id"])
    for n in range(5):
        status, body = call(
            live,
            "POST",
            "/bookings",
            {"slot_id": wide["id"], "address": {"postcode": POSTCODES["E8"]}, "order_ref": f"WIDE-{n}"},
        )
        assert status == 201, body
    assert_views_agree(live, "E8", day, wide["id"], remaining=3)
    for hour in hours:
        assert_views_agree(live, "E8", day, hour["id"], remaining=2)
    family = [wide["id"], *(h["id"] for h in hours)]

    # seven entries, so the wide window and every hour get one-step and two-step clients alike
    order = [wide, hours[0], hours[1], wide, hours[2], hours[3], wide]
    attempts = race(live, [(s["id"], POSTCODES["E8"]) for s in order])

    assert_exactly(attempts, places=3)
    assert sum(occupied(live, slot_id) for slot_id in family) == 8  # every place of the four hours
    assert all(occupied(live, h["id"]) <= 2 for h in hours)
    assert sum(live_holds_in_slot(live, slot_id) for slot_id in family) == 0
    assert sum(confirmed_in_slot(live, slot_id) for slot_id in family) == 8
    for slot_id in family:
        assert_views_agree(live, "E8", day, slot_id, remaining=0)
