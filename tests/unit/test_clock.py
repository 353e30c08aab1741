"""Wall-clock windows on daylight-saving days (Europe/London)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from slotbooking.slots.clock import local_instant

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
