"""Availability and quotes: the grid of windows a shopper sees for an address."""

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cachetools import LRUCache, cachedmethod
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from slotbooking.bookings.capacity import (
    capacity_version,
    first_hold_expiry,
    usage_by_depot_day,
    usage_by_slot,
)
from slotbooking.cache import cache_namespace
from slotbooking.common.errors import AddressNotServed, ValidationFailed
from slotbooking.retailers.models import Retailer, Zone, ZonePrefix
from slotbooking.retailers.postcodes import longest_prefix, normalise_postcode
from slotbooking.slots.clock import local_today
from slotbooking.slots.generation import generate_slots
from slotbooking.slots.models import Slot
from slotbooking.slots.offer_signals import grid_built, offer_shown
from slotbooking.slots.pricing import Address, DayToPrice, SlotPrice, pricer_for
from slotbooking.slots.quotes import quote_expiry, save_sheet
from slotbooking.slots.rules import closes_at, unavailable_reason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlotQuery:
    address: Address
    from_date: date | None = None
    days: int | None = None


@dataclass(frozen=True)
class ZoneView:
    """The read-only facts of a zone that quoting needs (no database session behind it)."""

    id: int
    retailer_id: int
    depot_id: int
    code: str
    name: str
    lat: float
    lon: float
    active: bool


class ZoneFinder:
    """Longest-prefix zone lookup, with each retailer's prefixes kept until its setup changes.

    Kept per setup version (the retailer's ``updated_at``): an import makes a new entry and the
    old one is never read again, so it goes when ``kept`` newer ones have been used since.
    """

    def __init__(self, kept: int = 1024):
        self._prefixes = LRUCache(maxsize=kept)
        self._lock = threading.Lock()

    def find(self, session, tenant, postcode: str) -> ZoneView:
        """:raises AddressNotServed: no zone of the retailer covers the postcode."""
        zones = self._zones_by_prefix(session, tenant)
        match = longest_prefix(zones, normalise_postcode(postcode))
        if match is None:
            raise AddressNotServed(f'we do not deliver to "{postcode}" yet', {"postcode": postcode})
        return zones[match]

    @cachedmethod(
        lambda self: self._prefixes,
        key=lambda self, session, tenant: (tenant.id, tenant.updated_at),
        lock=lambda self: self._lock,
    )
    def _zones_by_prefix(self, session, tenant) -> dict[str, ZoneView]:
        rows = session.execute(
            select(ZonePrefix.prefix, Zone)
            .join(Zone, Zone.id == ZonePrefix.zone_id)
            .where(ZonePrefix.retailer_id == tenant.id, Zone.active.is_(True))
        )
        return {
            prefix: ZoneView(z.id, z.retailer_id, z.depot_id, z.code, z.name, z.lat, z.lon, z.active)
            for prefix, z in rows.all()
        }


def ensure_slots_generated(session, tenant, now: datetime) -> None:
    """Roll the horizon forward when a new day has begun (idempotent, safe in parallel)."""
    through = local_today(tenant.tz, now) + timedelta(days=tenant.horizon_days)
    if tenant.slots_generated_through and tenant.slots_generated_through >= through:
        return
    retailer = session.get(Retailer, tenant.id)
    if retailer.slots_generated_through and retailer.slots_generated_through >= through:
        return
    try:
        generate_slots(session, retailer, now)
        session.commit()
    except (IntegrityError, ValidationFailed) as exc:
        session.rollback()  # another process generated them, or a capacity clash to fix by import
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


@dataclass(frozen=True)
class Offer:
    """A zone's priced grid for a range of days and an address cell, as cached."""

    zone: str
    sheet_id: str
    valid_until: float
    slots_json: str  # the "slots" array, serialised once when the grid is built
    grid_id: str = ""  # digest of slots_json: names what was shown in the offer log

    def encode(self) -> str:
        header = json.dumps(
            {
                "zone": self.zone,
                "sheet_id": self.sheet_id,
                "valid_until": self.valid_until,
                "grid_id": self.grid_id,
            }
        )
        return f"{header}\n{self.slots_json}"

    @classmethod
    def decode(cls, text: str) -> "Offer":
        header, _, slots_json = text.partition("\n")
        return cls(slots_json=slots_json, **json.loads(header))


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
        # Read before the grid is built: the grid then reflects at least this version.
        version = offer_version(session, zone.depot_id, first, days)
        text = cache.lookup(key, version)
        offer = Offer.decode(text) if text else None
    if offer is None or offer.valid_until <= now.timestamp():
        ensure_slots_generated(session, tenant, now)
        offer = build_offer(session, cache, tenant, zone, first, days, query.address, cell, now)
        if version is not None:
            cache.store(key, version, offer.encode(), int(offer.valid_until - now.timestamp()))
    return offer


def offer_version(session, depot_id: int, first: date, days: int) -> int:
    """Return the database's version of what a grid of the depot's days first.. depends on."""
    # On a connection of its own in autocommit: one round trip (no BEGIN and ROLLBACK) on a
    # path that otherwise touches no database. Whatever the grid reads later sees at least what
    # this read saw (READ COMMITTED), so an entry never claims a version newer than its content.
    with session.get_bind().connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return capacity_version(connection, depot_id, first, first + timedelta(days=days - 1))


def _quote(signer, tenant, offer: Offer, now, quote_minutes: int, address: Address) -> tuple[str, str]:
    expires_at = quote_expiry(now, quote_minutes)
    quote_id = signer.issue(tenant.id, offer.sheet_id, expires_at)
    offer_shown.send(tenant, offer=offer, quote_id=quote_id, expires_at=expires_at, address=address, now=now)
    return quote_id, expires_at.astimezone(tenant.tz).isoformat()


def offer_slots(session, cache, signer, finder, tenant, query: SlotQuery, now, quote_minutes: int) -> dict:
    """Return the windows, prices and a quote for an address (the body of GET /slots)."""
    offer = current_offer(session, cache, finder, tenant, query, now)
    quote_id, expires_at = _quote(signer, tenant, offer, now, quote_minutes, query.address)
    return {
        "quote_id": quote_id,
        "expires_at": expires_at,
        "zone": offer.zone,
        "slots": json.loads(offer.slots_json),
    }


def offer_slots_json(
    session, cache, signer, finder, tenant, query: SlotQuery, now, quote_minutes: int
) -> str:
    """Return the body of GET /slots as JSON text, splicing in the cached slots unparsed."""
    offer = current_offer(session, cache, finder, tenant, query, now)
    quote_id, expires_at = _quote(signer, tenant, offer, now, quote_minutes, query.address)
    head = json.dumps({"quote_id": quote_id, "expires_at": expires_at, "zone": offer.zone})
    return f'{head[:-1]},"slots":{offer.slots_json}}}'


def build_offer(session, cache, tenant, zone, first: date, days: int, address, cell, now) -> Offer:
    """Compute the grid from the database, price it, and save its price sheet."""
    last = first + timedelta(days=days - 1)
    slots = session.scalars(
        select(Slot)
        .where(Slot.zone_id == zone.id, Slot.service_date >= first, Slot.service_date <= last)
        .order_by(Slot.starts_at, Slot.ends_at)
    ).all()
    usage = usage_by_slot(session, [s.id for s in slots], now)
    service_dates = list({s.service_date for s in slots})
    depot_usage = usage_by_depot_day(session, zone.depot_id, service_dates, now)
    pricer = pricer_for(tenant)
    address = address.or_zone_centroid(zone)
    # Good until the first of: the cache's own limit, a counted hold lapsing, a window closing.
    valid_until = now + timedelta(seconds=cache.ttl_seconds)
    lapses = first_hold_expiry(session, zone.depot_id, service_dates, now)
    if lapses is not None:
        valid_until = min(valid_until, lapses)
    rows, by_day = [], {}
    for slot in slots:
        capacity, taken = depot_usage.get(slot.service_date, (0, 0))
        remaining = max(0, min(slot.capacity - usage[slot.id], capacity - taken))
        reason = unavailable_reason(tenant, slot, now)
        if reason is None:
            valid_until = min(valid_until, closes_at(tenant, slot))
        elif not slot.active or slot.service_date.isoformat() in tenant.blackout_dates:
            continue  # windows not offered at all are left out, not shown as full
        rows.append((slot, remaining, reason))
        by_day.setdefault(slot.service_date, []).append((slot, remaining))
    prices: dict[str, SlotPrice] = {}
    for day, day_slots in by_day.items():
        prices.update(pricer.price_day(session, DayToPrice(tenant, zone, day, day_slots, address)))
    sheet = {
        "zone_id": zone.id,
        "cell": cell,
        "prices": {slot_id: price.as_dict() for slot_id, price in prices.items()},
    }
    sheet_id = save_sheet(session, cache, tenant.id, sheet)
    slots_json = json.dumps(
        [_slot_json(tenant, slot, remaining, reason, prices[slot.id]) for slot, remaining, reason in rows],
        separators=(",", ":"),
    )
    grid_id = hashlib.sha256(slots_json.encode()).hexdigest()[:40]
    grid_built.send(
        tenant, session=session, zone=zone, grid_id=grid_id, sheet_id=sheet_id, slots_json=slots_json, now=now
    )
    return Offer(
        zone=zone.code,
        sheet_id=sheet_id,
        valid_until=valid_until.timestamp(),
        slots_json=slots_json,
        grid_id=grid_id,
    )


def _slot_json(tenant, slot, remaining: int, reason: str | None, price: SlotPrice) -> dict:
    available = reason is None and remaining > 0
    body = {
        "id": slot.id,
        "date": slot.service_date.isoformat(),
        "start": slot.starts_at.astimezone(tenant.tz).isoformat(),
        "end": slot.ends_at.astimezone(tenant.tz).isoformat(),
        "width_minutes": slot.width_minutes,
        "available": available,
        "remaining": remaining if reason is None else 0,
        "unavailable_reason": None if available else (reason or "this window is full"),
    }
    body.update(price.as_dict())
    body["price"] = money(price.price, tenant.currency)
    body["base_price"] = money(price.base_price, tenant.currency)
    return body


def money(amount: int, currency: str) -> dict:
    """Return the contract's money shape."""
    return {"amount": int(amount), "currency": currency}
