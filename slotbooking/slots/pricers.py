"""The one small interface through which slots get their prices.

``flat`` prices here; ``dynamic`` plugs the pricing engine in behind the same interface.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class Address:
    """Where a delivery goes: the postcode finds the zone, the coordinates (if given) the price."""

    postcode: str
    lat: float | None = None
    lon: float | None = None
    line1: str | None = None

    @classmethod
    def from_dict(cls, data) -> "Address":
        """Return the address of the API's address object (as its schema loaded it)."""
        return cls(data["postcode"], data.get("lat"), data.get("lon"), data.get("line1"))

    @classmethod
    def of(cls, row) -> "Address":
        """Return the address a stored hold, booking or booking session was made for."""
        return cls(row.postcode, row.lat, row.lon, row.line1)

    def or_zone_centroid(self, zone) -> "Address":
        """Return this address placed at its own coordinates, or at its zone's centroid without any."""
        if self.lat is not None and self.lon is not None:
            return self
        return replace(self, lat=zone.lat, lon=zone.lon)


@dataclass(frozen=True)
class SlotPrice:
    price: int
    base_price: int
    incentives: tuple[dict, ...] = ()
    green: bool = False
    co2_grams: int | None = None
    green_reason: str | None = None
    # The green reason as the engine gave it (pricing.results.REASON_CODES), for rewording.
    green_reason_code: str | None = None
    green_reason_params: dict | None = None

    def as_dict(self) -> dict:
        body = {
            "price": self.price,
            "base_price": self.base_price,
            "incentives": [dict(i) for i in self.incentives],
            "green": self.green,
            "green_reason": self.green_reason,
            "co2_grams": self.co2_grams,
        }
        if self.green_reason_code:  # only beside a green reason: flat grids stay as small as before
            body["green_reason_code"] = self.green_reason_code
            body["green_reason_params"] = self.green_reason_params
        return body

    @classmethod
    def from_dict(cls, data: dict) -> "SlotPrice":
        return cls(
            price=data["price"],
            base_price=data["base_price"],
            incentives=tuple(data["incentives"]),
            green=data["green"],
            co2_grams=data["co2_grams"],
            green_reason=data.get("green_reason"),
            green_reason_code=data.get("green_reason_code"),
            green_reason_params=data.get("green_reason_params"),
        )


@dataclass(frozen=True)
class GridReads:
    """The days of one grid, and what a pricer read once for all of them.

    A cache miss prices up to seven days of one zone; a pricer that reads the depot's bookings
    can read them for every day of the grid at the first day it prices and keep them in
    ``memo`` for the others (one query instead of one per day).
    """

    days: tuple[date, ...]
    memo: dict = field(default_factory=dict)

    def once(self, key, read):
        """Return what ``read()`` answers for the grid's days, calling it only the first time per key."""
        if key not in self.memo:
            self.memo[key] = read()
        return self.memo[key]


@dataclass(frozen=True)
class DayToPrice:
    """One zone's windows on one day, for one address."""

    tenant: object
    zone: object
    day: date
    slots: list  # [(Slot, remaining places)]
    address: Address
    extra: dict = field(default_factory=dict)
    # The grid this day is priced for (None: the day alone, as a booking without a quote is).
    grid: GridReads | None = None
    # The slot ids whose prices the caller needs (None: every slot of the day). The pricer may
    # price the whole day to find them (dynamic prices depend on every window), but returns these.
    wanted: frozenset | None = None


class Pricer(Protocol):
    def address_cell(self, address: Address) -> str:
        """Return the part of the address the prices depend on (for caching)."""

    def price_day(self, session, request: DayToPrice) -> dict[str, SlotPrice]:
        """Return a price for every slot of the day, by slot id."""


class FlatPricer:
    """Every window costs the base fee plus its template's fee; no incentives."""

    prices_slots_alone = True

    def address_cell(self, address: Address) -> str:
        return "-"

    def price_day(self, session, request: DayToPrice) -> dict[str, SlotPrice]:
        base_fee = int(request.tenant.pricing.get("base_fee", 400))
        return {
            slot.id: SlotPrice(price=base_fee + slot.fee, base_price=base_fee + slot.fee)
            for slot, _remaining in request.slots
        }


_PRICERS: dict[str, Pricer] = {"flat": FlatPricer()}


def register_pricer(mode: str, pricer: Pricer) -> None:
    """Make a pricing mode available (the app factory registers the pricing engine here)."""
    _PRICERS[mode] = pricer


def pricer_for(tenant) -> Pricer:
    """Return the pricer of the retailer's pricing mode (flat when that mode is not available)."""
    return _PRICERS.get(tenant.pricing.get("mode", "flat"), _PRICERS["flat"])
