"""A real race for one window: many shoppers released at once against gunicorn (4 processes).

How the race runs and what is checked afterwards: tests/support/race.py. The races for shared
capacity (a depot's daily cap, nested windows) are in test_race_shared_capacity.py.
"""

import pytest

from tests.support.race import (
    POSTCODES,
    assert_exactly,
    assert_views_agree,
    call,
    confirmed_in_slot,
    fresh_slots,
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
