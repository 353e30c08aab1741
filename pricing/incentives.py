"""Explain a price: split the move from the base price into incentives with reasons.

Reasons are codes with their numbers (pricing.results.REASON_CODES); the app words them in
the shopper's language and formats the money in the retailer's currency.
"""

from __future__ import annotations

from dataclasses import dataclass

from pricing.model import WindowSpec
from pricing.results import Incentive, Reason

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


def cap_incentive(base_price: int, anchor: int, min_fee: int) -> Incentive | None:
    """Explain a base price moved into the retailer's fee bounds, if it was."""
    move = anchor - base_price
    if move == 0:
        return None
    code = "cap_minimum" if anchor == min_fee and move > 0 else "cap_maximum"
    return Incentive(kind="cap", amount=move, reason=Reason(code, {"fee": anchor, "amount": move}))


def explain_move(move: int, window: WindowSpec, drivers: PriceDrivers) -> tuple[Incentive, ...]:
    """Split a price move into incentives whose amounts add up to it exactly.

    Every incentive has a nonzero amount: a green window that earned no discount carries
    its reason in WindowPrice.green_reason instead (see green_reason below).
    """
    if move == 0:
        return ()
    if move > 0:
        return (Incentive("demand", move, _surcharge_reason(move, window, drivers)),)
    weights = {
        "green": drivers.green_saving,
        "wide": drivers.wide_saving,
        "offpeak": drivers.offpeak_saving,
    }
    if sum(weights.values()) <= 0:
        return (Incentive("demand", move, Reason("demand_spare", _window(window, amount=move))),)
    amounts = _split(move, weights)
    return tuple(
        Incentive(kind, amount, _discount_reason(kind, amount, window, drivers))
        for kind, amount in amounts.items()
        if amount != 0
    )


def green_reason(window: WindowSpec, drivers: PriceDrivers) -> Reason | None:
    """Return why a window is green, without money, for the badge; None when it is not."""
    if not drivers.is_green:
        return None
    return Reason(
        "green_window",
        _window(window, nearest_stop_km=_km(drivers.nearest_stop_km), co2_grams=drivers.green_co2_grams),
    )


def explain_wide_discount(move: int, window: WindowSpec) -> tuple[Incentive, ...]:
    """Explain the fixed wide-window discount of static mode."""
    if move == 0:
        return ()
    return (Incentive("wide", move, Reason("static_wide", _window(window, amount=move))),)


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Share total in proportion to weights, rounding toward zero; the rest to the heaviest."""
    weight_sum = sum(weights.values())
    shares = {kind: int(total * w / weight_sum) for kind, w in weights.items()}
    heaviest = max(DISCOUNT_KIND_ORDER, key=lambda kind: (weights[kind], -DISCOUNT_KIND_ORDER.index(kind)))
    shares[heaviest] += total - sum(shares.values())
    return {kind: shares[kind] for kind in DISCOUNT_KIND_ORDER}


def _discount_reason(kind: str, amount: int, window: WindowSpec, drivers: PriceDrivers) -> Reason:
    if kind == "green":
        facts = {"nearest_stop_km": _km(drivers.nearest_stop_km), "co2_grams": drivers.green_co2_grams}
        return Reason("green_discount", _window(window, **facts, amount=amount))
    if kind == "wide":
        return Reason("wide_discount", _window(window, co2_grams=drivers.wide_co2_grams, amount=amount))
    return Reason("offpeak_discount", _window(window, amount=amount))


def _surcharge_reason(move: int, window: WindowSpec, drivers: PriceDrivers) -> Reason:
    if drivers.scarce:
        return Reason("demand_scarce", _window(window, places_left=drivers.places_left, amount=move))
    if drivers.busy:
        return Reason("demand_busy", _window(window, amount=move))
    return Reason("demand_route", _window(window, extra_km=_km(drivers.marginal_km), amount=move))


def _window(window: WindowSpec, **facts: int | float) -> dict[str, int | float]:
    """Return a reason's numbers, led by the window they are about."""
    return {"start_minute": window.start_minute, "end_minute": window.end_minute, **facts}


def _km(km: float) -> float:
    """Round a distance to the 0.1 km a shopper is told."""
    return round(km, 1)
