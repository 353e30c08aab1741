"""The tenant as services see it: a read-only snapshot of a retailer's settings, not the ORM row.

Taken once per request (auth), per job or per page, and handed to services, so that nothing a
service does can change the retailer by accident and no lazy load happens behind its back.
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from slotbooking.retailers.models import Retailer


@dataclass(frozen=True)
class Tenant:
    """A read-only snapshot of a retailer's settings, handed to services instead of the ORM row."""

    id: int
    slug: str
    name: str
    timezone: str
    currency: str
    locale: str
    allowed_origins: tuple[str, ...]
    horizon_days: int
    lead_time_hours: int
    cutoff: str | None
    hold_minutes: int
    blackout_dates: frozenset[str]
    pricing: dict
    slots_generated_through: date | None
    updated_at: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def of(cls, retailer: Retailer) -> "Tenant":
        return cls(
            id=retailer.id,
            slug=retailer.slug,
            name=retailer.name,
            timezone=retailer.timezone,
            currency=retailer.currency,
            locale=retailer.locale,
            allowed_origins=tuple(retailer.allowed_origins),
            horizon_days=retailer.horizon_days,
            lead_time_hours=retailer.lead_time_hours,
            cutoff=retailer.cutoff,
            hold_minutes=retailer.hold_minutes,
            blackout_dates=frozenset(retailer.blackout_dates),
            pricing=dict(retailer.pricing),
            slots_generated_through=retailer.slots_generated_through,
            updated_at=retailer.updated_at,
        )
