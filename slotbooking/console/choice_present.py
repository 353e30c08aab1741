"""The shopper choice model the dynamic engine prices with, as the pricing rules page shows it.

Why on that page: the rules say what the engine may do, the choice model what it expects
shoppers to do about it; an operator tuning the one needs to see the other, and whether the
engine learnt it from the shop's own offers (``flask pricing calibrate``, run daily) or still
prices with the defaults. Read-only: a fit is made by the calibration, never by hand.
"""

import dataclasses

from pricing import ChoiceParameters
from slotbooking.offerlog.fits import latest_fit
from slotbooking.offers.dynamic_pricing import choice_parameters

# What each parameter means to an operator (utilities of the multinomial logit, docs/pricing.md).
MEANINGS = {
    "price_per_pound": "each 1.00 of price in the shop's currency (below zero: dearer windows sell less)",
    "width_per_hour": "each hour of window width (below zero: shoppers like narrow windows)",
    "morning": "a morning window: the reference the other times of day are measured from",
    "afternoon": "an afternoon window, against a morning one",
    "evening": "an evening window, against a morning one",
    "green": "a window marked green",
    "no_booking": "leaving without booking (higher: more shoppers walk away)",
}


@dataclasses.dataclass(frozen=True)
class ParameterRow:
    name: str
    meaning: str
    start: float  # the defaults, with the setup's pricing.choice over them
    fitted: float | None  # None: not estimated by the latest fit
    standard_error: float | None
    why_fixed: str | None
    in_use: float


@dataclasses.dataclass(frozen=True)
class ChoiceModelView:
    source: str  # "fitted" or "defaults"
    fit: object | None  # the latest ChoiceFit, used or not
    rows: list[ParameterRow]
    per_offer: tuple[float, float] | None  # held-out log-likelihood per offer: fitted, defaults


def choice_model(session, retailer) -> ChoiceModelView:
    """Return what the pricing page shows of the retailer's choice model."""
    fit = latest_fit(session, retailer.id)
    start = choice_parameters(retailer.pricing)
    fitted_in_use = fit is not None and fit.in_use
    in_use = ChoiceParameters(**fit.parameters) if fitted_in_use else start
    rows = []
    for name, meaning in MEANINGS.items():
        estimated = fit is not None and name in fit.standard_errors
        rows.append(
            ParameterRow(
                name=name,
                meaning=meaning,
                start=getattr(start, name),
                fitted=fit.parameters[name] if estimated else None,
                standard_error=fit.standard_errors[name] if estimated else None,
                why_fixed=fit.fixed.get(name) if fit is not None else None,
                in_use=getattr(in_use, name),
            )
        )
    per_offer = None
    if fit is not None and fit.held_out_offers and fit.held_out_log_likelihood is not None:
        n = fit.held_out_offers
        per_offer = (fit.held_out_log_likelihood / n, fit.held_out_log_likelihood_start / n)
    return ChoiceModelView("fitted" if fitted_in_use else "defaults", fit, rows, per_offer)
