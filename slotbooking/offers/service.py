"""Availability and quotes: the grid of windows a shopper sees for an address."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from slotbooking.bookings.capacity import (
    capacity_version,
    first_hold_expiry,
    places_by_slot,
    usage_by_depot_day,
    usage_by_slot,
)
from slotbooking.bookings.version_watch import change_key, watched_version
from slotbooking.cache import cache_namespace
from slotbooking.common.driver_read import engine_of
from slotbooking.common.errors import ValidationFailed
from slotbooking.offers.generation import extend_horizon
from slotbooking.offers.offer import Offer, OfferedWindow, Quote
from slotbooking.retailers.models import Retailer
from slotbooking.slots.booking_rules import closes_at, unavailable_reason
from slotbooking.slots.clock import local_today
from slotbooking.slots.models import Slot
from slotbooking.slots.offer_signals import grid_built, offer_shown
from slotbooking.slots.pricers import Address, DayToPrice, GridReads, SlotPrice, pricer_for
from slotbooking.slots.quotes import quote_expiry, save_sheet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlotQuery:
    address: Address
    from_date: date | None = None
    days: int | None = None


def ensure_slots_generated(session, tenant, now: datetime) -> None:
    """Roll the horizon forward when a new day has begun (idempotent, safe in parallel)."""
    through = local_today(tenant.tz, now) + timedelta(days=tenant.horizon_days)
    if tenant.slots_generated_through and tenant.slots_generated_through >= through:
        return
    retailer = session.get(Retailer, tenant.id)
    if retailer.slots_generated_through and retailer.slots_generated_through >= through:
        return
    try:
        extend_horizon(session, retailer, now)
    except (IntegrityError, ValidationFailed) as exc:
        # Rolled back: another process generated them, or a capacity clash to fix by import.
        log.info("slot generation skipped: %s", exc)


def resolve_range(tenant, query: SlotQuery, now: datetime) -> tuple[date, int]:
    """Return the first date and number of days asked for, within the horizon.

    :raises ValidationFailed: a date in the past or a range beyond the horizon.
    """
    today = local_today(tenant.tz, now)
    first = query.from_date or today
    days = query.days or min(7, tenant.horizon_days + 1)
    if first < today:
        raise ValidationFailed("from is in the past", {"from": [f"must be {today} or later"]})
    last_allowed = today + timedelta(days=tenant.horizon_days)
    if first > last_allowed:
        raise ValidationFailed("from is beyond the horizon", {"from": [f"must be {last_allowed} or earlier"]})
    days = min(days, (last_allowed - first).days + 1)
    return first, days


def current_offer(session, cache, finder, tenant, query: SlotQuery, now) -> Offer:
    """Return the grid for an address from the cache, or build it from the database.

    :raises AddressNotServed, ValidationFailed:
    """
    zone = finder.find(session, tenant, query.address.postcode)
    first, days = resolve_range(tenant, query, now)
    pricer = pricer_for(tenant)
    cell = pricer.address_cell(query.address.or_zone_centroid(zone))
    namespace = cache_namespace(tenant.id, zone.depot_id)
    key = f"offer:{namespace}:{zone.id}:{first}:{days}:{cell}:{tenant.updated_at.timestamp()}"
    offer = version = None
    if cache.enabled:
        # The version is read before the grid is built: the grid then reflects at least it.
        text, version = cache.lookup_current(
            key,
            change_key(zone.depot_id),
            lambda signal: offer_version(session, zone.depot_id, first, days, signal),
        )
        offer = Offer.decode(text) if text else None
    if offer is None or offer.valid_until <= now.timestamp():
        ensure_slots_generated(session, tenant, now)
        offer = build_offer(session, cache, tenant, zone, first, days, query.address, cell, now)
        if version is not None:
            cache.store(key, version, offer.encode(), int(offer.valid_until - now.timestamp()))
    return offer


def offer_version(session, depot_id: int, first: date, days: int, signal=None) -> int:
    """Return the database's version of what a grid of the depot's days first.. depends on.

    ``signal``: the depot's change counter as Redis holds it (bookings/version_watch.py).
    """
    # On a connection of its own in autocommit: one round trip (no BEGIN and ROLLBACK) on a
    # path that otherwise touches no database. Whatever the grid reads later sees at least what
    # this read saw (READ COMMITTED), so an entry never claims a version newer than its content.
    # The process's version watch answers without the read while no commit can have moved it.
    engine, last = engine_of(session), first + timedelta(days=days - 1)
    return watched_version(
        engine, depot_id, first, last, lambda: capacity_version(engine, depot_id, first, last), signal
    )


def quoted_offer(
    session, cache, signer, finder, tenant, query: SlotQuery, now, quote_minutes: int
) -> tuple[Offer, Quote]:
    """Return the windows and prices for an address, and a quote that holds those prices.

    :raises AddressNotServed, ValidationFailed:
    """
    offer = current_offer(session, cache, finder, tenant, query, now)
    expires_at = quote_expiry(now, quote_minutes)
    quote = Quote(signer.issue(tenant.id, offer.sheet_id, expires_at), expires_at)
    offer_shown.send(
        tenant, offer=offer, quote_id=quote.id, expires_at=expires_at, address=query.address, now=now
    )
    return offer, quote


def build_offer(session, cache, tenant, zone, first: date, days: int, address, cell, now) -> Offer:
    """Compute the grid from the database, price it, and save its price sheet."""
    priced = price_grid(session, tenant, zone, grid_slots(session, zone, first, days), address, now)
    valid_until = min(priced.valid_until, now + timedelta(seconds=cache.ttl_seconds))
    sheet = {
        "zone_id": zone.id,
        "cell": cell,
        "prices": {slot_id: price.as_dict() for slot_id, price in priced.prices.items()},
    }
    sheet_id = save_sheet(session, cache, tenant.id, sheet)
    offer = Offer.of_windows(zone.code, sheet_id, valid_until.timestamp(), priced.windows, tenant.tz)
    grid_built.send(
        tenant,
        session=session,
        zone=zone,
        grid_id=offer.grid_id,
        sheet_id=sheet_id,
        slots_json=offer.slots_json,
        now=now,
    )
    return offer


def grid_slots(session, zone, first: date, days: int) -> list[Slot]:
    """Return the zone's slots of the days first.., in the grid's order (start, then end)."""
    last = first + timedelta(days=days - 1)
    return list(
        session.scalars(
            select(Slot)
            .where(Slot.zone_id == zone.id, Slot.service_date >= first, Slot.service_date <= last)
            .order_by(Slot.starts_at, Slot.ends_at)
        )
    )


@dataclass(frozen=True)
class PricedGrid:
    windows: list[OfferedWindow]
    prices: dict[str, SlotPrice]
    valid_until: datetime  # a counted hold lapsing or a window closing, whichever is first


def price_grid(session, tenant, zone, slots, address, now) -> PricedGrid:
    """Price the windows of these slots for an address under the tenant's rules; write nothing.

    Reads capacity and bookings only: the caller saves a price sheet (build_offer) or not (the
    console's preview of a draft, which hands in a tenant with the draft's rules).
    """
    places = places_by_slot(slots, usage_by_slot(session, [s.id for s in slots], now))
    service_dates = list({s.service_date for s in slots})
    depot_usage = usage_by_depot_day(session, zone.depot_id, service_dates, now)
    pricer = pricer_for(tenant)
    address = address.or_zone_centroid(zone)
    valid_until = datetime.max.replace(tzinfo=now.tzinfo)
    lapses = first_hold_expiry(session, zone.depot_id, service_dates, now)
    if lapses is not None:
        valid_until = min(valid_until, lapses)
    rows, by_day = [], {}
    for slot in slots:
        capacity, taken = depot_usage.get(slot.service_date, (0, 0))
        remaining = max(0, min(places[slot.id], capacity - taken))
        reason = unavailable_reason(tenant, slot, now)
        if reason is None:
            valid_until = min(valid_until, closes_at(tenant, slot))
        elif not slot.active or slot.service_date.isoformat() in tenant.blackout_dates:
            continue  # windows not offered at all are left out, not shown as full
        rows.append((slot, remaining, reason))
        by_day.setdefault(slot.service_date, []).append((slot, remaining))
    prices: dict[str, SlotPrice] = {}
    grid = GridReads(tuple(sorted(by_day)))
    for day, day_slots in by_day.items():
        prices.update(pricer.price_day(session, DayToPrice(tenant, zone, day, day_slots, address, grid=grid)))
    windows = [_window(tenant, slot, remaining, reason, prices[slot.id]) for slot, remaining, reason in rows]
    return PricedGrid(windows, prices, valid_until)


def _window(tenant, slot, remaining: int, reason: str | None, price: SlotPrice) -> OfferedWindow:
    available = reason is None and remaining > 0
    return OfferedWindow(
        slot_id=slot.id,
        service_date=slot.service_date,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        width_minutes=slot.width_minutes,
        available=available,
        remaining=remaining if reason is None else 0,
        unavailable_reason=None if available else (reason or "this window is full"),
        price=price,
        currency=tenant.currency,
    )
