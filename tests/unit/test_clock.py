"""Wall-clock windows on daylight-saving days (Europe/London)."""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from slotbooking.slots.booking_rules import closes_at
from slotbooking.slots.clock import local_instant, minute_of_day, parse_hhmm

LONDON = ZoneInfo("Europe/London")


def test_ordinary_day_converts_to_utc():
    assert local_instant(date(2026, 7, 1), "08:00", LONDON) == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert local_instant(date(2026, 12, 1), "08:00", LONDON) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_does_not_exist():
    # 2027-03-28: clocks go from 01:00 to 02:00 GMT->BST.
    assert local_instant(date(2027, 3, 28), "01:30", LONDON) is None
    assert local_instant(date(2027, 3, 28), "02:00", LONDON) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_a_time_that_occurs_twice_gives_its_first_occurrence():
    # 2026-10-25: 01:00-02:00 happens twice (BST then GMT).
    assert local_instant(date(2026, 10, 25), "01:30", LONDON) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_setup_clock_time_is_read_once_for_every_use():
    assert parse_hhmm("07:05") == time(7, 5)
    assert minute_of_day("00:00") == 0
    assert minute_of_day("07:05") == 7 * 60 + 5
    assert minute_of_day("23:59") == 1439
    assert local_instant(date(2026, 7, 1), time(8, 0), LONDON) == local_instant(
        date(2026, 7, 1), "08:00", LONDON
    )


def test_a_cut_off_the_clocks_skip_closes_an_hour_later():
    # 2027-03-28: clocks go from 01:00 to 02:00; a 01:30 cut-off the evening before closes at 02:30 BST.
    tenant = SimpleNamespace(lead_time_hours=0, cutoff="01:30", tz=LONDON)
    slot = SimpleNamespace(starts_at=datetime(2027, 3, 29, 12, 0, tzinfo=UTC), service_date=date(2027, 3, 29))
    assert closes_at(tenant, slot) == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    slot_after_an_ordinary_eve = SimpleNamespace(
        starts_at=datetime(2027, 3, 30, 12, 0, tzinfo=UTC), service_date=date(2027, 3, 30)
    )
    assert closes_at(tenant, slot_after_an_ordinary_eve) == datetime(2027, 3, 29, 0, 30, tzinfo=UTC)
