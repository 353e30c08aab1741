"""An offer as typed values: the windows of a zone's days for an address, each with its price.

Pages and the API read ``Offer.windows`` (``OfferedWindow``: datetimes, integers, a SlotPrice),
never JSON. The cache keeps an offer as text, and the text of its windows is the API's own
``slots`` array (``Offer.slots_json``), written once when the offer is built: a warm GET /slots
splices those bytes into its answer without parsing or re-serialising 30 KB (bench/README.md).
That wire shape is made here and read back here, so ``windows`` of an offer that came from the
cache are the same values the builder had.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from slotbooking.common.money import money
from slotbooking.slots.pricers import SlotPrice


@dataclass(frozen=True, slots=True)
class OfferedWindow:
    """One window as a shopper may choose it: when, how wide, whether it can be had, at what price."""

    slot_id: str
    service_date: date
    starts_at: datetime
    ends_at: datetime
    width_minutes: int
    available: bool
    remaining: int  # places left; 0 when the window cannot be booked
    unavailable_reason: str | None  # why it cannot be booked (full, closed, ...); None when available
    price: SlotPrice
    currency: str


@dataclass(frozen=True)
class Quote:
    """The signed promise to honour an offer's prices until ``expires_at``."""

    id: str
    expires_at: datetime


@dataclass(frozen=True)
class Offer:
    """A zone's priced windows for a range of days and an address cell, as cached."""

    zone: str
    sheet_id: str
    valid_until: float
    slots_json: str  # the windows in the API's "slots" shape, serialised once when the offer is built
    grid_id: str = ""  # digest of slots_json: names what was shown in the offer log (offerlog/)
    built_windows: tuple[OfferedWindow, ...] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of_windows(cls, zone: str, sheet_id: str, valid_until: float, windows, tz) -> "Offer":
        """Return the offer of freshly built windows, their wire text made once (times in ``tz``)."""
        windows = tuple(windows)
        slots_json = json.dumps([_wire(w, tz) for w in windows], separators=(",", ":"))
        grid_id = hashlib.sha256(slots_json.encode()).hexdigest()[:40]
        return cls(zone, sheet_id, valid_until, slots_json, grid_id, windows)

    @property
    def windows(self) -> tuple[OfferedWindow, ...]:
        """Return the windows, in the order of the grid (start, then end)."""
        if self.built_windows is not None:
            return self.built_windows
        return tuple(_from_wire(item) for item in json.loads(self.slots_json))

    def encode(self) -> str:
        header = {"zone": self.zone, "sheet_id": self.sheet_id, "valid_until": self.valid_until}
        header["grid_id"] = self.grid_id
        header = json.dumps(header)
        return f"{header}\n{self.slots_json}"

    @classmethod
    def decode(cls, text: str) -> "Offer":
        header, _, slots_json = text.partition("\n")
        return cls(slots_json=slots_json, **json.loads(header))


def slots_answer(offer: Offer, quote: Quote, tz) -> str:
    """Return the body of GET /slots as JSON text, the offer's cached windows spliced in unparsed."""
    head = json.dumps(
        {"quote_id": quote.id, "expires_at": quote.expires_at.astimezone(tz).isoformat(), "zone": offer.zone}
    )
    return f'{head[:-1]},"slots":{offer.slots_json}}}'


def _wire(window: OfferedWindow, tz) -> dict:
    """Return the contract's Slot object for a window (GET /slots), times in the retailer's zone."""
    body = {
        "id": window.slot_id,
        "date": window.service_date.isoformat(),
        "start": window.starts_at.astimezone(tz).isoformat(),
        "end": window.ends_at.astimezone(tz).isoformat(),
        "width_minutes": window.width_minutes,
        "available": window.available,
        "remaining": window.remaining,
        "unavailable_reason": window.unavailable_reason,
    }
    body.update(window.price.as_dict())
    body["price"] = money(window.price.price, window.currency)
    body["base_price"] = money(window.price.base_price, window.currency)
    return body


def _from_wire(item: dict) -> OfferedWindow:
    return OfferedWindow(
        slot_id=item["id"],
        service_date=date.fromisoformat(item["date"]),
        starts_at=datetime.fromisoformat(item["start"]),
        ends_at=datetime.fromisoformat(item["end"]),
        width_minutes=item["width_minutes"],
        available=item["available"],
        remaining=item["remaining"],
        unavailable_reason=item["unavailable_reason"],
        price=SlotPrice.from_dict(
            {**item, "price": item["price"]["amount"], "base_price": item["base_price"]["amount"]}
        ),
        currency=item["price"]["currency"],
    )
