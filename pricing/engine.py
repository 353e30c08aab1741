"""price_windows: the engine's entry point, from one request to a price per window."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pricing.carbon import emission_factors, window_emission_factor
from pricing.choice import (
    choice_probabilities,
    peak_time_of_day_utility,
    time_of_day_utility,
    window_utility,
)
from pricing.density import Insertion, default_forecast, insert_address, project_zone
from pricing.incentives import (
    PriceDrivers,
    cap_incentive,
    explain_move,
    explain_wide_discount,
    green_reason,
)
from pricing.ladder import anchor_price, ladder_prices
from pricing.model import PricingRequest, WindowSpec
from pricing.optimiser import LadderWindow, choose_prices
from pricing.planned import PlannedCost, planned_costs
from pricing.results import Incentive, PricingResult, WindowPrice
from pricing.rules import MODES, SOLVERS


@dataclass(frozen=True)
class WindowCost:
    """What serving the shopper in one window costs, and the facts behind it."""

    insertion: Insertion
    km: float  # marginal road km: the insertion plus the flexibility a narrow window takes away
    minutes: float
    co2_grams: int
    delivery_cost: float  # vehicle and driver, minor units
    carbon_cost: float
    opportunity_cost: float
    green: bool
    emission_factor: float
    expected_further: float  # bookings still expected in this window (the forecast)


def price_windows(request: PricingRequest) -> PricingResult:
    """Price every window of one zone and day for one address.

    :raises ValueError: when the rules name an unknown mode or solver.
    """
    rules = request.rules
    if rules.mode not in MODES:
        raise ValueError(f"unknown pricing mode {rules.mode!r}; expected one of {MODES}")
    if rules.solver not in SOLVERS:
        raise ValueError(f"unknown solver {rules.solver!r}; expected one of {SOLVERS}")
    forecast = request.forecast
    if forecast is None:
        appeal = {
            w.key: math.exp(window_utility(w, base_price(request, w), rules.base_fee, False, request.choice))
            for w in request.windows
        }
        forecast = default_forecast(request.windows, rules.forecast_fill, appeal)
    projection = project_zone(
        request.depot,
        request.windows,
        request.bookings,
        tuple(sorted(forecast.items())),
        request.zone_centroid,
        rules.road_factor,
        rules.zone_radius_km,
        request.depot_bookings,
        _stops_per_vehicle(request) if rules.per_vehicle_density else None,
    )
    planned: dict[str, PlannedCost] = {}
    if request.plan is not None:
        # The plan replaces the projection's known tours; its density (the forecast) stays.
        planned = planned_costs(request.plan, request.shopper, request.windows, projection, rules)
        insertions = {key: cost.insertion for key, cost in planned.items()}
    else:
        insertions = insert_address(projection, request.shopper, rules.road_factor)
    typical_km = projection.typical_insertion_km
    # A van nearby saves km only if the window leaves the routes free: a narrow window inside
    # a wide one also takes the flexibility it pins (flexibility_km), so that counts in its detour.
    green = {
        w.key: insertions[w.key].known_stops > 0
        and insertions[w.key].known_route_km + (rules.flexibility_km if _pins_a_van(request, w) else 0.0)
        <= rules.green_threshold * typical_km
        for w in request.windows
    }
    walk_away = _walk_away_shares(request, green)
    costs = {
        w.key: _window_cost(
            request,
            w,
            insertions[w.key],
            forecast.get(w.key, 0.0),
            green[w.key],
            walk_away[w.key],
            planned.get(w.key),
        )
        for w in request.windows
    }
    prices, solver, objective, seconds = _choose(request, costs, forecast)
    windows = {
        w.key: _window_price(request, w, prices[w.key], costs[w.key], projection.typical_insertion_km)
        for w in request.windows
    }
    booking_probability, expected = _expected_outcome(request, windows, costs)
    return PricingResult(
        windows=windows,
        solver=solver,
        objective=objective,
        booking_probability=booking_probability,
        expected_contribution=expected,
        typical_insertion_km=projection.typical_insertion_km,
        solve_seconds=seconds,
    )


def _stops_per_vehicle(request: PricingRequest) -> float | None:
    """Return the fleet's mean stops per vehicle, or None without a fleet."""
    vehicles = sum(group.count for group in request.fleet)
    if vehicles <= 0:
        return None
    return sum(group.count * group.stops_per_vehicle for group in request.fleet) / vehicles


def base_price(request: PricingRequest, window: WindowSpec) -> int:
    """Return a window's price before incentives."""
    if window.fixed_price is not None:
        return window.fixed_price
    return request.rules.base_fee + window.template_fee


def _walk_away_shares(request, green: dict[str, bool]) -> dict[str, float]:
    """Return, per window, the chance a shopper who wanted it leaves if it is full.

    Under the logit, when a window is gone its shoppers spread over the other windows and
    not booking in proportion to their weights (at the anchor prices): only the share that
    goes to not booking is a lost booking. The rest book another window.
    """
    offered = [w for w in request.windows if w.remaining > 0]
    utilities = {
        w.key: window_utility(w, _anchor(request, w), request.rules.base_fee, green[w.key], request.choice)
        for w in offered
    }
    shares, leave = choice_probabilities(utilities, request.choice.no_booking)
    return {w.key: min(1.0, leave / max(1e-12, 1.0 - shares.get(w.key, 0.0))) for w in request.windows}


def _window_cost(request, window, insertion, expected_further, green, walk_away, planned=None) -> WindowCost:
    rules = request.rules
    pinned = _pins_a_van(request, window)
    flexibility = rules.flexibility_km if pinned else 0.0
    waiting = rules.flexibility_minutes if pinned else 0.0
    km = insertion.marginal_km + flexibility
    if planned is not None and planned.minutes is not None:
        # The plan knows the van that takes the stop: its emission factor, and the driver
        # minutes its route really grows by (waiting it already had absorbs some); the
        # flexibility a narrow window takes is driven on top.
        factor = planned.emission_factor
        minutes = planned.minutes + flexibility / rules.average_speed_kmh * 60 + waiting
    else:
        factor = window_emission_factor(window, request.fleet, emission_factors(rules.emission_factors))
        minutes = km / rules.average_speed_kmh * 60 + rules.service_minutes + waiting
    kg = km * factor
    return WindowCost(
        insertion=insertion,
        km=km,
        minutes=minutes,
        co2_grams=round(kg * 1000),
        delivery_cost=km * rules.cost_per_km + minutes * rules.driver_cost_per_hour / 60,
        carbon_cost=kg * rules.carbon_price_per_kg,
        # A place sold now costs a later booking only if the window then fills and the
        # later shopper leaves rather than take another window.
        opportunity_cost=rules.lost_booking_cost
        * _chance_to_sell_out(expected_further, window.remaining)
        * walk_away,
        green=green,
        emission_factor=factor,
        expected_further=expected_further,
    )


def _pins_a_van(request: PricingRequest, window: WindowSpec) -> bool:
    """Return whether a booking pins a van to a narrow window inside a wide one (flexibility)."""
    rules = request.rules
    if (rules.flexibility_km <= 0 and rules.flexibility_minutes <= 0) or (
        window.width_minutes >= rules.wide_window_minutes
    ):
        return False
    return any(
        other.width_minutes >= rules.wide_window_minutes
        and other.start_minute <= window.start_minute
        and window.end_minute <= other.end_minute
        for other in request.windows
    )


def _chance_to_sell_out(expected_further: float, remaining: int) -> float:
    """Return P(Poisson(expected_further) >= remaining): the chance the window fills."""
    if remaining <= 0:
        return 1.0
    if expected_further <= 0:
        return 0.0
    term = math.exp(-expected_further)
    below = 0.0
    for count in range(remaining):
        below += term
        term *= expected_further / (count + 1)
    return max(0.0, 1.0 - below)


def _choose(request, costs, forecast):
    """Return (price per window, solver, objective, seconds) for the rules' mode."""
    rules = request.rules
    if rules.mode == "flat":
        return {w.key: base_price(request, w) for w in request.windows}, "none", None, 0.0
    anchors = {w.key: _anchor(request, w) for w in request.windows}
    if rules.mode == "static":
        return _static_prices(request, anchors), "none", None, 0.0
    offered = [w for w in request.windows if w.remaining > 0]
    dynamic = [w for w in offered if w.fixed_price is None]
    if not dynamic:
        return anchors, "none", None, 0.0
    ladders = [_ladder_window(request, w, anchors[w.key], costs[w.key]) for w in offered]
    guard = None
    if rules.protect_conversion:
        # Against the flat grid the engine replaces: base prices and no badges. The badges are
        # part of the engine's offer, so what they win may be spent on price like a discount's.
        at_anchor = {
            w.key: window_utility(w, anchors[w.key], rules.base_fee, False, request.choice) for w in offered
        }
        guard = choice_probabilities(at_anchor, request.choice.no_booking)[1] + 1e-9
    pace = None
    if rules.daily_discount_budget is not None:
        left = max(0, rules.daily_discount_budget - rules.discount_spent)
        pace = left / max(1.0, sum(forecast.values()))
    choice = choose_prices(ladders, rules.solver, guard, pace, {w.key: anchors[w.key] for w in offered})
    prices = dict(anchors)
    prices.update(choice.prices)
    return prices, choice.solver, choice.objective, choice.solve_seconds


def _anchor(request, window) -> int:
    if window.fixed_price is not None:
        return window.fixed_price
    return anchor_price(base_price(request, window), request.rules)


def _static_prices(request, anchors) -> dict[str, int]:
    rules = request.rules
    prices = dict(anchors)
    for window in request.windows:
        if window.fixed_price is None and window.width_minutes >= rules.wide_window_minutes:
            allowed = ladder_prices(anchors[window.key], rules)
            target = anchors[window.key] - rules.static_wide_discount
            prices[window.key] = min(allowed, key=lambda p: (abs(p - target), p))
    return prices


def _ladder_window(request, window, anchor, cost: WindowCost) -> LadderWindow:
    rules = request.rules
    fixed = window.fixed_price
    prices = (fixed,) if fixed is not None else ladder_prices(anchor, rules)
    if cost.green and fixed is None:
        # A green window is cheaper to serve and the one we nudge towards: never a surcharge.
        prices = tuple(p for p in prices if p <= anchor)
    unit_cost = cost.delivery_cost + cost.carbon_cost + cost.opportunity_cost
    return LadderWindow(
        key=window.key,
        prices=prices,
        attractions=tuple(
            math.exp(
                window_utility(window, p, rules.base_fee, cost.green, request.choice)
                - request.choice.no_booking
            )
            for p in prices
        ),
        contributions=tuple(p - unit_cost for p in prices),
        discounts=tuple(max(0, anchor - p) for p in prices),
    )


def _window_price(request, window, price, cost: WindowCost, typical_km) -> WindowPrice:
    base = base_price(request, window)
    incentives: tuple[Incentive, ...] = ()
    drivers = _drivers(request, window, cost, typical_km)
    if request.rules.mode != "flat" and window.fixed_price is None:
        anchor = _anchor(request, window)
        cap = cap_incentive(base, anchor, request.rules.min_fee)
        if request.rules.mode == "static":
            moved = explain_wide_discount(price - anchor, window)
        else:
            moved = explain_move(price - anchor, window, drivers)
        incentives = ((cap,) if cap else ()) + moved
    return WindowPrice(
        key=window.key,
        price=price,
        base_price=base,
        incentives=incentives,
        green=cost.green,
        co2_grams=cost.co2_grams,
        marginal_km=round(cost.km, 3),
        marginal_minutes=round(cost.minutes, 2),
        green_reason=green_reason(window, drivers),
    )


def _drivers(request, window, cost: WindowCost, typical_km) -> PriceDrivers:
    rules = request.rules
    per_km = (
        rules.cost_per_km
        + rules.driver_cost_per_hour / rules.average_speed_kmh
        + cost.emission_factor * rules.carbon_price_per_kg
    )
    insertion = cost.insertion
    green_km = max(0.0, typical_km - insertion.marginal_km) if cost.green else 0.0
    wide = window.width_minutes >= rules.wide_window_minutes
    # A window that is both green and wide credits the van nearby first, the width with the rest;
    # against a typical one-hour stop, which also takes away the routes' flexibility.
    wide_km = max(0.0, typical_km + rules.flexibility_km - insertion.marginal_km - green_km) if wide else 0.0
    width_dislike = -request.choice.width_per_hour * max(0.0, window.width_minutes / 60 - 1)
    price_per_utility = 100 / max(1e-9, -request.choice.price_per_pound)
    offpeak_gap = peak_time_of_day_utility(request.choice) - time_of_day_utility(window, request.choice)
    return PriceDrivers(
        is_green=cost.green,
        green_saving=green_km * per_km,
        # Wide windows also need a discount to make up for the width shoppers dislike.
        wide_saving=wide_km * per_km
        + (
            width_dislike * price_per_utility + rules.flexibility_minutes * rules.driver_cost_per_hour / 60
            if wide
            else 0.0
        ),
        offpeak_saving=max(0.0, offpeak_gap) * price_per_utility,
        green_co2_grams=round(green_km * cost.emission_factor * 1000),
        wide_co2_grams=round(wide_km * cost.emission_factor * 1000),
        nearest_stop_km=insertion.nearest_stop_km,
        marginal_km=cost.km,
        places_left=window.remaining,
        # Only a real forecast (the caller's) may claim a window will fill; the engine's own
        # default spread is an assumption, not news for the shopper.
        scarce=window.remaining > 0
        and (
            4 * window.remaining <= window.capacity
            or (request.forecast is not None and cost.expected_further >= window.remaining)
        ),
        # Busy on evidence: the most wanted time of day under the choice model, half the
        # window already booked, or the caller's forecast expecting half the places left to sell.
        busy=time_of_day_utility(window, request.choice) >= peak_time_of_day_utility(request.choice)
        or 2 * (window.capacity - window.remaining) >= window.capacity
        or (request.forecast is not None and cost.expected_further >= window.remaining / 2),
    )


def _expected_outcome(request, windows, costs) -> tuple[float | None, float | None]:
    """Return the booking chance and expected contribution per shopper at the final prices."""
    offered = [w for w in request.windows if w.remaining > 0]
    if not offered:
        return None, None
    utilities = {
        w.key: window_utility(
            w, windows[w.key].price, request.rules.base_fee, costs[w.key].green, request.choice
        )
        for w in offered
    }
    shares, leave = choice_probabilities(utilities, request.choice.no_booking)
    expected = sum(
        share
        * (
            windows[key].price
            - costs[key].delivery_cost
            - costs[key].carbon_cost
            - costs[key].opportunity_cost
        )
        for key, share in shares.items()
    )
    return 1.0 - leave, expected
