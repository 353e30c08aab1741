"""The demo's first impression: dynamic prices over days that already have bookings and planned routes.

A new retailer's grid is all flat and nothing is green: no van goes anywhere yet. The demo
should show the product as it is meant to be seen, so ``flask demo`` loads the demo retailer
with the dynamic engine and books a realistic spread of orders for the coming days first:

- each zone has a few streets where orders cluster (one at the zone's centre, where the
  demo's booking link points, so its shopper sees green windows on the first visit);
- evenings and the wide morning window are the busiest, as in grocery delivery;
- about a third of each day's places are taken, so windows stay open but prices move.

Each seeded shopper first asks for the grid of the coming days, as a shop's checkout does
(``quoted_offer``: the offer log records what was shown), then holds and books the window it
chose at the quoted price, as the API's two steps do; about one in four shoppers only looks.
So the console's what-if and calibration have the demo's own offers and outcomes to work on.
The bookings go through the same reservation service as the API (priced, capacity-checked,
events written) and each seeded depot-day is then planned with the production planner, so
the green badges come from real planned routes. Seeding happens once per database: a
retailer that already has bookings is left as it is. Seeded orders are named ``SEED-0001``...
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from slotbooking.bookings.models import Booking
from slotbooking.common.errors import DomainError
from slotbooking.offers.service import SlotQuery, ensure_slots_generated, quoted_offer
from slotbooking.reservations.service import book_hold, place_hold
from slotbooking.retailers.models import Zone, ZonePrefix
from slotbooking.routes.inputs import PlanLimits
from slotbooking.routes.service import plan_depot_day
from slotbooking.slots.models import Slot
from slotbooking.slots.pricers import Address

SEED = 20261123
DAYS = 3
SHARE_OF_PLACES = 0.33  # of each zone-day's hourly places
STREETS_PER_ZONE = 3
STREET_RADIUS_KM = 0.15  # how far apart the doors of one street's orders are
STREET_SPREAD_KM = 1.2  # how far from the zone's centre its other streets lie
KM_PER_DEGREE_LAT = 111.0
# How popular each window start is, relative to the quietest (grocery evenings, wide mornings).
POPULARITY = {8: 3, 9: 1, 10: 1, 11: 1, 12: 2, 13: 1, 14: 1, 15: 1, 16: 2, 17: 2, 18: 3, 19: 3}
WIDE_BONUS = 2  # a wide window is chosen this much more than an hour starting at the same time
LOOKERS_PER_BOOKER = 1 / 3  # shoppers who see the grid and leave, per shopper who books


@dataclass(frozen=True)
class Seeded:
    """What seeding did: the bookings made and the depot-days planned."""

    bookings: int
    depot_days_planned: int

    def summary(self) -> str:
        if not self.bookings:
            return "Demo bookings: already there, left as they are."
        return (
            f"Demo bookings: {self.bookings} orders over the next {DAYS} delivery days, "
            f"{self.depot_days_planned} depot-days planned (green windows follow the vans)."
        )


def seed_showcase(
    session, deps, tenant, now: datetime, plan_seconds: float = 1.5, quote_minutes: int = 10
) -> Seeded:
    """Book the demo's first orders and plan their routes, unless the retailer has bookings already."""
    if session.scalar(select(func.count()).select_from(Booking).where(Booking.retailer_id == tenant.id)):
        return Seeded(0, 0)
    ensure_slots_generated(session, tenant, now)
    rng = random.Random(SEED)
    zones = session.scalars(
        select(Zone).where(Zone.retailer_id == tenant.id, Zone.active).order_by(Zone.code)
    ).all()
    open_days = _open_days(session, tenant, now)
    if not open_days:
        return Seeded(0, 0)
    made = 0
    planned_days: set[tuple[int, date]] = set()

    def shown(address: Address):
        """The grid of the open days for the address, as a checkout asks for it (recorded)."""
        query = SlotQuery(address, open_days[0], (open_days[-1] - open_days[0]).days + 1)
        offer, quote = quoted_offer(
            session, deps.cache, deps.signer, deps.finder, tenant, query, now, quote_minutes
        )
        return offer, quote

    for zone in zones:
        streets = _streets(rng, zone)
        prefix = _first_prefix(session, zone)
        for day in open_days:
            slots = _open_slots(session, zone, day, now, tenant)
            hourly_places = sum(s.capacity for s in slots if _hours(s) == 1)
            chosen = _choose(rng, slots, round(hourly_places * SHARE_OF_PLACES), tenant.tz)
            for slot in chosen:
                address = _address(rng, streets, prefix)
                offer, quote = shown(address)
                if not any(w.slot_id == slot.id and w.available for w in offer.windows):
                    continue  # full since the list was read: this shopper looked and left
                try:
                    hold = place_hold(session, deps, tenant, slot.id, address, quote.id, None, now)
                    book_hold(session, deps, tenant, hold.id, f"SEED-{made + 1:04d}", now)
                except DomainError:
                    continue  # full or closed since the grid was shown: a shopper would pick another
                made += 1
                planned_days.add((zone.depot_id, day))
            for _ in range(round(len(chosen) * LOOKERS_PER_BOOKER)):
                shown(_address(rng, streets, prefix))
    limits = PlanLimits(max_seconds=plan_seconds)
    for depot_id, day in sorted(planned_days):
        plan_depot_day(session, depot_id, day, now, limits, "bookings", 3)
    return Seeded(made, len(planned_days))


def _address(rng: random.Random, streets: list[tuple[float, float]], prefix: str) -> Address:
    lat, lon = _door(rng, rng.choice(streets))
    return Address(_postcode(rng, prefix), lat, lon)


def _open_days(session, tenant, now: datetime) -> list[date]:
    """The next DAYS service dates with a slot still to be booked."""
    days = session.scalars(
        select(Slot.service_date)
        .where(Slot.retailer_id == tenant.id, Slot.active, Slot.starts_at > _earliest(tenant, now))
        .distinct()
        .order_by(Slot.service_date)
        .limit(DAYS)
    ).all()
    return list(days)


def _earliest(tenant, now: datetime) -> datetime:
    return now + timedelta(hours=tenant.lead_time_hours)


def _open_slots(session, zone, day: date, now: datetime, tenant) -> list[Slot]:
    return session.scalars(
        select(Slot)
        .where(
            Slot.zone_id == zone.id,
            Slot.service_date == day,
            Slot.active,
            Slot.starts_at > _earliest(tenant, now),
        )
        .order_by(Slot.starts_at, Slot.ends_at)
    ).all()


def _hours(slot: Slot) -> float:
    return (slot.ends_at - slot.starts_at).total_seconds() / 3600


def _choose(rng: random.Random, slots: list[Slot], count: int, tz) -> list[Slot]:
    """Pick ``count`` windows by popularity (a window may be picked more than once)."""
    if not slots or count <= 0:
        return []
    weights = [_weight(slot, tz) for slot in slots]
    return rng.choices(slots, weights=weights, k=count)


def _weight(slot: Slot, tz) -> float:
    weight = POPULARITY.get(slot.starts_at.astimezone(tz).hour, 1)
    return weight * WIDE_BONUS if _hours(slot) > 1 else weight


def _streets(rng: random.Random, zone: Zone) -> list[tuple[float, float]]:
    """The zone's centre and a few streets around it, where its orders cluster."""
    streets = [(zone.lat, zone.lon)]
    for _ in range(STREETS_PER_ZONE - 1):
        distance = rng.uniform(0.3, 1.0) * STREET_SPREAD_KM
        streets.append(_offset(zone.lat, zone.lon, distance, rng.uniform(0, 360)))
    return streets


def _door(rng: random.Random, street: tuple[float, float]) -> tuple[float, float]:
    lat, lon = _offset(*street, rng.uniform(0, STREET_RADIUS_KM), rng.uniform(0, 360))
    return round(lat, 5), round(lon, 5)


def _offset(lat: float, lon: float, km: float, bearing_degrees: float) -> tuple[float, float]:
    bearing = math.radians(bearing_degrees)
    dlat = km * math.cos(bearing) / KM_PER_DEGREE_LAT
    dlon = km * math.sin(bearing) / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _first_prefix(session, zone: Zone) -> str:
    return session.scalar(
        select(ZonePrefix.prefix).where(ZonePrefix.zone_id == zone.id).order_by(ZonePrefix.prefix).limit(1)
    )


def _postcode(rng: random.Random, prefix: str) -> str:
    """A postcode in the zone: its prefix and a made-up inward code (digit and two letters)."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # the letters inward codes use
    return f"{prefix} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
