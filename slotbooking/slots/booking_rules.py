"""Booking rules: when a window can still be booked (lead time, cut-off, blackout, horizon)."""

import functools
from datetime import date, datetime, timedelta

from slotbooking.slots.clock import local_instant, local_today, parse_hhmm


def closes_at(tenant, slot) -> datetime:
    """Return the last instant at which the slot can be held or booked."""
    closing = slot.starts_at - timedelta(hours=tenant.lead_time_hours)
    if tenant.cutoff:
        closing = min(closing, cutoff_before(slot.service_date, tenant.cutoff, tenant.tz))
    return closing


@functools.lru_cache(maxsize=4096)
def cutoff_before(day: date, cutoff: str, tz) -> datetime:
    """Return the instant of the cut-off ("HH:MM" on the eve) for deliveries on day.

    The same for every window of a day, and a grid asks for it once per window (computed each
    time it was about a twelfth of a cache miss), so it is kept: a pure function of its inputs.
    """
    eve = day - timedelta(days=1)
    at = parse_hhmm(cutoff)
    instant = local_instant(eve, at, tz)
    if instant is None:  # the clocks skip the cut-off time that day: close an hour later
        instant = local_instant(eve, at.replace(hour=at.hour + 1), tz)
    return instant


def unavailable_reason(tenant, slot, now: datetime) -> str | None:
    """Return why the slot cannot be booked now, or None when it can (capacity aside)."""
    if not slot.active:
        return "this window is no longer offered"
    if slot.service_date.isoformat() in tenant.blackout_dates:
        return "no deliveries on this date"
    if slot.starts_at <= now:
        return "this window is in the past"
    if (slot.service_date - local_today(tenant.tz, now)).days > tenant.horizon_days:
        return "this date is beyond the booking horizon"
    if now >= closes_at(tenant, slot):
        return "booking for this window has closed"
    return None
