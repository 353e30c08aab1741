"""Pure slot pricing engine: route density, carbon, shopper choice and an LP over a price ladder.

Standard library and PuLP (HiGHS via highspy, CBC as fallback), and PyVRP for route plans
(``pricing.routing``, imported only when a plan is made); plain frozen dataclasses in, plain
dataclasses out, money in integer minor units.
"""

from pricing.engine import price_windows
from pricing.model import BookedStop, GeoPoint, PricingRequest, VehicleGroup, WindowSpec
from pricing.results import Incentive, PricingResult, WindowPrice
from pricing.rules import ChoiceParameters, PricingRules

__all__ = [
    "BookedStop",
    "ChoiceParameters",
    "GeoPoint",
    "Incentive",
    "PricingRequest",
    "PricingResult",
    "PricingRules",
    "VehicleGroup",
    "WindowPrice",
    "WindowSpec",
    "price_windows",
]
