"""The shopper's grid for an address under live and under draft rules, side by side; nothing written.

Both grids are priced from the same slots, bookings and holds (offers/service.py ``price_grid``),
so what differs is the rules alone: the draft's pricing section, booking rules and per-template
fees. No price sheet, hold, offer-log row or cache entry is made, and the reads are rolled back.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from slotbooking.common.unit_of_work import read_only
from slotbooking.offers.offer import OfferedWindow
from slotbooking.offers.service import grid_slots, price_grid
from slotbooking.retailers.models import SlotTemplate
from slotbooking.setup.document import validate_document
from slotbooking.slots.clock import local_today
from slotbooking.slots.pricers import Address

PREVIEW_DAYS = 3


@dataclass(frozen=True)
class WindowPair:
    """One window of the grid, as live rules and as the draft's rules price it (None: not offered)."""

    live: OfferedWindow | None
    draft: OfferedWindow | None

    @property
    def window(self) -> OfferedWindow:
        return self.live or self.draft

    @property
    def changed(self) -> bool:
        if self.live is None or self.draft is None:
            return True
        a, b = self.live, self.draft
        return (a.price.price, a.available, a.price.green, a.price.incentives) != (
            b.price.price,
            b.available,
            b.price.green,
            b.price.incentives,
        )


@dataclass(frozen=True)
class PreviewDay:
    day: date
    windows: list[WindowPair]


@dataclass(frozen=True)
class Preview:
    zone: str
    days: list[PreviewDay]

    @property
    def changed(self) -> int:
        return sum(pair.changed for day in self.days for pair in day.windows)


class _DraftFeeSlot:
    """A slot as the draft prices it: its template's fee in the draft; everything else the row's."""

    def __init__(self, slot, fee: int):
        self._slot, self.fee = slot, fee

    def __getattr__(self, name):
        return getattr(self._slot, name)


def draft_tenant(tenant, document: dict):
    """Return the tenant as it would be with the document's pricing and booking rules live."""
    doc = validate_document(document)
    rules = doc["booking_rules"]
    return dataclasses.replace(
        tenant,
        pricing=doc["pricing"],
        horizon_days=rules["horizon_days"],
        lead_time_hours=rules["lead_time_hours"],
        cutoff=rules["cutoff"],
        hold_minutes=rules["hold_minutes"],
        blackout_dates=frozenset(d.isoformat() for d in rules["blackout_dates"]),
    )


def _template_key(zones, weekdays, start, end) -> tuple:
    zones = ["*"] if zones in ("*", ["*"]) else list(zones)
    return (tuple(zones), tuple(weekdays), start, end)


def draft_fees(session, retailer_id: int, document: dict) -> dict[int, int | None]:
    """Return template id -> the fee the draft gives it (None: the draft drops the template)."""
    in_draft = {
        _template_key(t["zones"], t["weekdays"], t["start"], t["end"]): t.get("fee", 0)
        for t in document.get("slot_templates", [])
    }
    templates = session.scalars(select(SlotTemplate).where(SlotTemplate.retailer_id == retailer_id))
    return {t.id: in_draft.get(_template_key(t.zones, t.weekdays, t.start, t.end)) for t in templates}


def preview_grids(
    session, finder, tenant, document: dict, address: Address, now: datetime, days: int = PREVIEW_DAYS
) -> Preview:
    """Return the coming days' grid for the address under live rules and under the document's.

    :raises AddressNotServed: no zone covers the postcode. :raises ValidationFailed: a bad draft.
    """
    draft = draft_tenant(tenant, document)
    with read_only(session):
        zone = finder.find(session, tenant, address.postcode)
        first = local_today(tenant.tz, now)
        slots = grid_slots(session, zone, first, min(days, tenant.horizon_days + 1))
        fees = draft_fees(session, tenant.id, document)
        draft_slots = [
            _DraftFeeSlot(slot, fees.get(slot.template_id) if slot.template_id in fees else slot.fee)
            for slot in slots
            if fees.get(slot.template_id, slot.fee) is not None
        ]
        live = price_grid(session, tenant, zone, slots, address, now).windows
        drafted = price_grid(session, draft, zone, draft_slots, address, now).windows
    by_id = {w.slot_id: w for w in drafted}
    pairs: dict[date, list[WindowPair]] = {}
    for window in live:
        pairs.setdefault(window.service_date, []).append(WindowPair(window, by_id.pop(window.slot_id, None)))
    for window in by_id.values():
        pairs.setdefault(window.service_date, []).append(WindowPair(None, window))
    ordered = [
        PreviewDay(day, sorted(found, key=lambda p: (p.window.starts_at, p.window.ends_at)))
        for day, found in sorted(pairs.items())
        if day < first + timedelta(days=days)
    ]
    return Preview(zone.code, ordered)
