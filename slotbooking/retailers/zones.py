"""Which of a retailer's zones delivers to a postcode: the longest matching prefix.

The prefixes are read once per retailer and setup (its ``updated_at``) and kept as frozen
snapshots, so a lookup on the hot path touches no database.
"""

import threading
from dataclasses import dataclass

from cachetools import LRUCache, cachedmethod
from sqlalchemy import select

from slotbooking.common.errors import AddressNotServed
from slotbooking.retailers.models import Zone, ZonePrefix
from slotbooking.retailers.postcodes import longest_prefix, normalise_postcode


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
