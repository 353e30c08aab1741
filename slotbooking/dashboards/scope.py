"""What a dashboard looks at: one retailer, a range of its local days, maybe one depot or zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func

from slotbooking.common.errors import DomainError


class BadScope(DomainError):
    """A dashboard asked for an empty or too long range of days."""

    status, code = 400, "bad_dashboard_scope"


MAX_DAYS = 92  # a quarter: the widest range a page draws


@dataclass(frozen=True)
class Scope:
    """The retailer, its time zone's name, the days ``first``..``last`` (inclusive), the filters."""

    retailer_id: int
    timezone: str
    first: date
    last: date
    depot_id: int | None = None
    zone_id: int | None = None

    def __post_init__(self):
        if self.last < self.first:
            raise BadScope("The range ends before it starts.")
        if (self.last - self.first).days >= MAX_DAYS:
            raise BadScope(f"Choose at most {MAX_DAYS} days.")

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """Return [start, end) in UTC: local midnight of ``first`` to local midnight after ``last``."""
        tz = ZoneInfo(self.timezone)
        start = datetime.combine(self.first, time(), tz).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz).astimezone(UTC)
        return start, end


def local_day(session, column, timezone: str):
    """Return a SQL expression for the retailer's local date of a UTC timestamp column.

    PostgreSQL converts in the database; SQLite (the embedded default, not the dashboards'
    target) keeps no zone rules, so there the day is the UTC one.
    """
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(timezone, column), Date)
    return func.date(column)


def as_date(value) -> date:
    """Read a day back from either database (SQLite's func.date answers a string)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
