"""Explain a price: split the move from the base price into incentives with reasons."""

from __future__ import annotations

from dataclasses import dataclass

from pricing.model import WindowSpec
from pricing.results import Incentive

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"})
# When two reasons weigh the same, the remainder of the split goes to the earlier kind.
DISCOUNT_KIND_ORDER = ("green", "wide", "offpeak")


@dataclass(frozen=True)
class PriceDrivers:
    """Why a window is cheaper or dearer than usual, in minor units of cost per booking."""

    is_green: bool
    green_saving: float  # cheaper because a van already passes by (0 when not green)
    wide_saving: float  # cheaper because a wide window fits into denser routes (0 if narrow)
    offpeak_saving: float  # worth offering because demand is lower at that time (0 at peak)
    green_co2_grams: int  # CO2 saved against the zone's typical stop
    wide_co2_grams: int
    nearest_stop_km: float
    marginal_km: float
    places_left: int
    # Few places left: at most a quarter of the window's capacity, or no more than the
    # bookings still expected in it. Only then does a reason say "likely to fill up".
    scarce: bool
    # In demand: the most wanted time of day under the choice model, half the window booked,
    # or the caller's forecast expecting half the places left to sell. Otherwise a surcharge
    # is explained by the route: the window is harder to fit in than the others.
    busy: bool


def format_money(amount: int, currency: str, signed: bool = False) -> str:
    """Format minor units for a shopper, e.g. -£1.00, €2.50, CHF 3.00."""
    sign = ("+" if amount > 0 else "-" if amount < 0 else "") if signed else "-" * (amount < 0)
    units = abs(amount)
    number = str(units) if currency in ZERO_DECIMAL_CURRENCIES else f"{units // 100}.{units % 100:02d}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"


def window_label(window: WindowSpec) -> str:
    """Return the window as a shopper reads it, e.g. 10:00-12:00."""
    return f"{_clock(window.start_minute)}-{_clock(window.end_minute)}"


def cap_incentive(base_price: int, anchor: int, min_fee: int, currency: str) -> Incentive | None:
    """Explain a base price moved into the retailer's fee bounds, if it was."""
    move = anchor - base_price
    if move == 0:
        return None
    bound = "minimum" if anchor == min_fee and move > 0 else "maximum"
    return Incentive(
        kind="cap",
        amount=move,
        reason=f"The retailer's {bound} fee is {format_money(anchor, currency)}: "
        f"{format_money(move, currency, signed=True)}",
    )


def explain_move(
    move: int, window: WindowSpec, drivers: PriceDrivers, currency: str
) -> tuple[Incentive, ...]:
    """Split a price move into incentives whose amounts add up to it exactly.

    Every incentive has a nonzero amount: a green window that earned no discount carries
    its reason in WindowPrice.green_reason instead (see green_reason below).
    """
    label = window_label(window)
    if move == 0:
        return ()
    if move > 0:
        return (Incentive("demand", move, _surcharge_reason(move, label, drivers, currency)),)
    weights = {
        "green": drivers.green_saving,
        "wide": drivers.wide_saving,
        "offpeak": drivers.offpeak_saving,
    }
    if sum(weights.values()) <= 0:
        reason = f"Spare room on our vans {label}: {format_money(move, currency, signed=True)}"
        return (Incentive("demand", move, reason),)
    amounts = _split(move, weights)
    return tuple(
        Incentive(kind, amount, _discount_reason(kind, amount, label, drivers, currency))
        for kind, amount in amounts.items()
        if amount != 0
    )


def green_reason(window: WindowSpec, drivers: PriceDrivers) -> str | None:
    """Return why a window is green, without money, for the badge; None when it is not."""
    if not drivers.is_green:
        return None
    text = f"A van is already near you {window_label(window)} (about {drivers.nearest_stop_km:.1f} km away)"
    return text + _co2_clause(drivers.green_co2_grams)


def explain_wide_discount(move: int, window: WindowSpec, currency: str) -> tuple[Incentive, ...]:
    """Explain the fixed wide-window discount of static mode."""
    if move == 0:
        return ()
    money = format_money(move, currency, signed=True)
    return (Incentive("wide", move, f"Any time {window_label(window)}: {money} for a wider window"),)


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Share total in proportion to weights, rounding toward zero; the rest to the heaviest."""
    weight_sum = sum(weights.values())
    shares = {kind: int(total * w / weight_sum) for kind, w in weights.items()}
    heaviest = max(DISCOUNT_KIND_ORDER, key=lambda kind: (weights[kind], -DISCOUNT_KIND_ORDER.index(kind)))
    shares[heaviest] += total - sum(shares.values())
    return {kind: shares[kind] for kind in DISCOUNT_KIND_ORDER}


def _discount_reason(kind, amount, label, drivers: PriceDrivers, currency) -> str:
    money = format_money(amount, currency, signed=True)
    if kind == "green":
        text = f"A van is already near you {label} (about {drivers.nearest_stop_km:.1f} km away)"
        text += f": {money}" if amount else ""
        return text + _co2_clause(drivers.green_co2_grams)
    if kind == "wide":
        text = f"Any time {label} lets us plan a shorter route: {money}"
        return text + _co2_clause(drivers.wide_co2_grams)
    return f"Quieter time of day {label}: {money}"


def _surcharge_reason(move, label, drivers: PriceDrivers, currency) -> str:
    money = format_money(move, currency, signed=True)
    if drivers.scarce:
        left = drivers.places_left
        places = "1 place" if left == 1 else f"{left} places"
        return f"Popular window {label}, likely to fill up ({places} left): {money}"
    if drivers.busy:
        return f"Busy time of day {label}: {money}"
    return f"Harder to fit into our routes {label} (about {drivers.marginal_km:.1f} km extra): {money}"


def _co2_clause(grams: int) -> str:
    return f", saves about {grams} g CO2" if grams >= 1 else ""


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
