"""A real race for one window: many shoppers released at once against gunicorn (4 processes).

How the race runs and what is checked afterwards: tests/support/race.py. The races for shared
capacity (a depot's daily cap, nested windows) are in test_race_shared_capacity.py.
"""

import time

import pytest

from tests.support.race import (
    POSTCODES,
    assert_exactly,
    assert_views_agree,
    call,
    confirmed_in_slot,
    fresh_slots,
    grid,
    live_holds_in_slot,
    live_server,
    occupied,
    race,
)

pytestmark = pytest.mark.services

live = pytest.fixture(scope="module")(live_server)


def test_a_nearly_full_slot_gives_its_last_places_to_exactly_that_many_clients(live):
    day, (slot,) = fresh_slots(live, "N1", 1)
    status, body = call(
        live,
        "POST",
        "/bookings",
        {"slot_id": slot["id"], "address": {"postcode": POSTCODES["N1"]}, "order_ref": "EARLY-BIRD"},
    )
    assert status == 201, body
    assert_views_agree(live, "N1", day, slot["id"], remaining=3)  # the cache is warm before the race

    attempts = race(live, [(slot["id"], POSTCODES["N1"])])

    assert_exactly(attempts, places=3)
    assert confirmed_in_slot(live, slot["id"]) == 4
    assert live_holds_in_slot(live, slot["id"]) == 0  # every successful hold became its booking
    assert occupied(live, slot["id"]) == 4
    assert_views_agree(live, "N1", day, slot["id"], remaining=0)


def test_a_hold_and_its_release_by_one_worker_show_in_every_workers_next_answer(live):
    """With the version watch on (the default), a worker keeps its grids' versions in memory; the
    depot's change counter, moved after each commit, is what makes the others read again at once."""
    day, (slot,) = fresh_slots(live, "N1", 1)

    def every_worker_shows(remaining: int) -> None:
        # Fresh connections land on the workers in turn; none may answer from an old version.
        for _ in range(12):
            assert grid(live, "N1", day)[slot["id"]]["remaining"] == remaining

    for _ in range(3):  # each worker has served, and kept, the grid's version
        every_worker_shows(4)
    time.sleep(0.3)  # the watches have polled: versions now come from memory
    for round_ in range(5):
        status, hold = call(
            live, "POST", "/holds", {"slot_id": slot["id"], "address": {"postcode": POSTCODES["N1"]}}
        )
        assert status == 201, hold
        every_worker_shows(3)  # no wait: the very next answers
        status, _ = call(live, "DELETE", f"/holds/{hold['id']}")
        assert status in (200, 204), round_
        every_worker_shows(4)
        time.sleep(0.3)
