"""Local wall-clock times to UTC instants, with daylight-saving days handled."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def local_instant(day: date, clock: str, tz: ZoneInfo) -> datetime | None:
    """Return the UTC instant of a wall-clock time on a day, or None when the clock skips it.

    A time that occurs twice (clocks going back) gives its first occurrence only.
    """
    naive = datetime.combine(day, parse_hhmm(clock))
    aware = naive.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        return None
    return aware.astimezone(UTC)


def local_today(tz: ZoneInfo, now: datetime) -> date:
    """Return the date it is now in the given zone."""
    return now.astimezone(tz).date()


def days(start: date, count: int):
    """Yield count consecutive dates from start."""
    for offset in range(count):
        yield start + timedelta(days=offset)
