"""Operator rules and choice-model assumptions; every field is documented where it is declared.

Money is integer minor units (pence for GBP). The setup document's ``pricing`` object maps
onto ``PricingRules`` by field name.
"""

from __future__ import annotations

from dataclasses import dataclass

MODES = ("dynamic", "flat", "static")
SOLVERS = ("highs", "cbc")


@dataclass(frozen=True)
class ChoiceParameters:
    """Multinomial logit utilities the engine assumes for an average shopper.

    These are assumptions, not estimates: the signs and rough relative sizes follow
    what Yang, Strauss, Currie & Eglese (2016), Agatz, Fan & Stam (2021) and Strauss,
    Gulpinar & Zheng (2021) report (shoppers are price sensitive, prefer narrow windows
    and evenings, and respond to green labels), but the numbers are ours. Calibrate them
    on your own booking logs.
    """

    # Utility per pound (100 minor units) of fee: about £1.25 of fee is worth one unit.
    price_per_pound: float = -0.8
    # Utility per hour of window width beyond one hour: a 4-hour window feels £0.94 worse.
    width_per_hour: float = -0.25
    # Time-of-day constants by the window's midpoint: before 12:00, 12:00-17:00, 17:00 on.
    morning: float = 0.0
    afternoon: float = -0.3
    evening: float = 0.3
    # Utility of the green badge (Agatz, Fan & Stam 2021 report that green labels shift choice).
    green: float = 0.3
    # Utility of leaving without booking. Window utilities count price from base_fee, so
    # with ten one-hour morning windows at the base fee one shopper in six leaves.
    no_booking: float = 0.7


@dataclass(frozen=True)
class PricingRules:
    """The operator's pricing rules for one retailer."""

    # "dynamic" (optimised prices), "flat" (base_fee + template_fee, no incentives) or
    # "static" (flat, minus static_wide_discount on wide windows).
    mode: str = "dynamic"
    # Fee of a window before incentives; a window's template_fee is added to it.
    base_fee: int = 400
    # Bounds on any dynamic or static price (fixed_price windows are exempt: they are rules too).
    min_fee: int = 0
    max_fee: int = 900
    # Largest discount below a window's base price, and largest surcharge above it.
    max_discount: int = 300
    max_surcharge: int = 200
    # Total discount the retailer will give per day; None means no budget. The caller
    # passes what was already given that day as discount_spent. No offered discount ever
    # exceeds what is left, and the optimiser paces the expected spend over the forecast.
    daily_discount_budget: int | None = None
    discount_spent: int = 0
    # Internal price of carbon, minor units per kg CO2e, charged against each delivery.
    carbon_price_per_kg: int = 10
    # A window is green when the detour to join the vans already booked then is at most
    # this share of the zone's typical insertion distance.
    green_threshold: float = 0.5
    # Road distance / great-circle distance. 1.3 is a common assumption for urban
    # circuity; measure yours from past routes and set it here.
    road_factor: float = 1.3
    # kg CO2e per vehicle-km by vehicle type; None uses pricing.carbon.DEFAULT_EMISSION_FACTORS.
    emission_factors: dict[str, float] | None = None
    # Distance between neighbouring prices on the ladder.
    price_step: int = 50
    # "highs" (in-process via highspy) or "cbc"; the other is the fallback.
    solver: str = "highs"
    # Windows at least this long count as wide ("any time 08:00-12:00").
    wide_window_minutes: int = 120
    # Discount on wide windows in "static" mode.
    static_wide_discount: int = 100
    # Running cost per vehicle-km (energy, tyres, maintenance).
    cost_per_km: int = 30
    # Driver cost per hour, charged on the minutes a delivery adds.
    driver_cost_per_hour: int = 1500
    # Average speed between stops, and time spent at each door.
    average_speed_kmh: float = 25.0
    service_minutes: float = 4.0
    # Opportunity cost of a place: what losing a later shopper to a full window costs
    # (their fee plus the margin on their basket), weighted by the chance the window fills.
    lost_booking_cost: int = 500
    # Without a forecast, this share of all places left is expected to sell, spread over
    # the windows by their appeal under the choice model at base prices.
    forecast_fill: float = 0.6
    # Count route density per vehicle: the zone's expected stops in a window shared over the
    # vehicles its day needs (expected stops / the fleet's mean stops per vehicle). False
    # treats the whole zone's stops in a window as one route, as before.
    per_vehicle_density: bool = True
    # Road km a booking adds, beyond its own insertion, by taking a window narrower than
    # `wide_window_minutes` that lies within a wide one: it pins a van to that hour, and the
    # routes cannot be re-ordered around it. Insertion into today's routes cannot see this
    # (it is what re-planning gains), so it is measured by re-planning past days with their
    # narrow bookings widened (pricing.simulate.flexibility does this nightly); 0 leaves it out.
    flexibility_km: float = 0.0
    # Driver minutes such a narrow booking adds beyond the km above (at average_speed_kmh): the
    # waiting a van pinned to an hour does between its hours. Measured the same way, from the
    # driver time re-planning past days widened saves; 0 leaves it out.
    flexibility_minutes: float = 0.0
    # Zone radius used while there are too few bookings to measure the zone's spread.
    zone_radius_km: float = 3.0
    # Never offer a grid the choice model expects to turn away more shoppers than the flat grid
    # would (base prices, no green badges): incentives move demand between windows, they do
    # not buy it by losing it.
    protect_conversion: bool = True
