"""Local wall-clock times to UTC instants, with daylight-saving days handled."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_hhmm(value: str) -> time:
    """Read a setup document's "HH:MM" (the schema has checked its shape)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def minute_of_day(value: str) -> int:
    """Return the minutes from midnight of an "HH:MM", as the pricing engine counts time."""
    at = parse_hhmm(value)
    return at.hour * 60 + at.minute


def local_instant(day: date, clock: str | time, tz: ZoneInfo) -> datetime | None:
    """Return the UTC instant of a wall-clock time ("HH:MM", or a time) on a day; None if the clock skips it.

    A time that occurs twice (clocks going back) gives its first occurrence only.
    """
    naive = datetime.combine(day, clock if isinstance(clock, time) else parse_hhmm(clock))
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
