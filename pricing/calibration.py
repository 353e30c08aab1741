"""Fit the engine's choice model to a retailer's own offers: what was shown, and what was chosen.

``fit_choice_parameters(offers, start)`` estimates the multinomial logit of ``pricing.choice``
(the same utility, not booking included) by maximum likelihood on most of the offers, measures
the log-likelihood of the rest (held out by a fixed hash of each offer's key, so the same log
always splits the same way) under the fitted and the starting parameters, and says whether the
fit predicts better. Only what the data identify is estimated; the rest stays at ``start``:

- ``morning`` always: adding one amount to morning, afternoon, evening and not booking changes
  no choice probability, so one of the four must be fixed, and the engine's defaults fix it.
- any parameter whose feature never differed among the alternatives of an offer (no green
  badge ever shown, every window at the base fee, every window one hour wide, no evening
  window), and any whose feature moved only in step with parameters kept before it (flat
  prices whose only differences are the wide windows' template fee cannot be told apart
  from the dislike of width). ``ESTIMATION_ORDER`` says which is kept first.

The engine relies on two signs: shoppers pay to avoid a dearer window (``price_per_pound`` < 0:
a fit without it is not used) and do not prefer wider ones (``width_per_hour`` <= 0: an estimate
above zero is held at zero, the constrained maximum, and the rest refitted).

The standard errors are from the inverse of the observed information (the Hessian of the
negative log-likelihood at the optimum). Pure: numpy and scipy, dataclasses in and out.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pricing import logit_mle
from pricing.rules import ChoiceParameters

# Which parameter is kept when the data cannot tell two apart: the walk-away level first,
# then times of day, width, price and the green badge.
ESTIMATION_ORDER = ("no_booking", "afternoon", "evening", "width_per_hour", "price_per_pound", "green")
NEVER_VARIED = {
    "no_booking": "every offer was booked (or none was)",
    "afternoon": "no afternoon window (midpoint 12:00-17:00) was shown",
    "evening": "no evening window (midpoint from 17:00) was shown",
    "width_per_hour": "no window wider than an hour was shown",
    "price_per_pound": "every window was shown at the base fee",
    "green": "no green badge was shown",
}
DEFAULT_CHOICE = ChoiceParameters()
# Signs the engine relies on: its wide and off-peak discounts are worth 1/-price_per_pound pounds
# per unit of utility, so a fit without price sensitivity is not used (width is held at zero
# at most, see fit_choice_parameters).
ENGINE_SIGNS = {"price_per_pound": lambda v: v < 0, "width_per_hour": lambda v: v <= 0}
REFERENCE = (
    "the reference: one amount added to morning, afternoon, evening and no booking changes no "
    "choice, so one is fixed"
)


@dataclass(frozen=True, slots=True)  # slots: a log holds millions of these
class OfferedWindow:
    """One window a shopper could book, as shown: local minutes of its day, price in minor units."""

    start_minute: int
    end_minute: int
    price: int
    green: bool = False  # shown with the green badge
    wide: bool = False  # shown with a wide-window discount (recorded; width itself is in the utility)
    key: str = ""


@dataclass(frozen=True, slots=True)
class OfferRecord:
    """One grid a shopper was shown, and what they did: the index of the window booked, or None."""

    windows: tuple[OfferedWindow, ...]
    chosen: int | None
    base_fee: int = 400  # the retailer's base fee then: the utility counts price from it
    key: str = ""  # stable identity for the held-out split (the app's offer id)


@dataclass(frozen=True)
class FittedChoice:
    """The fit, how well it predicts held-out offers against ``start``, and which to use."""

    start: ChoiceParameters
    parameters: ChoiceParameters  # estimated where identified, start's elsewhere
    standard_errors: Mapping[str, float]  # of the estimated parameters only
    fixed: Mapping[str, str]  # parameter -> why it was not estimated
    offers: int
    bookings: int
    held_out_offers: int
    log_likelihood: float  # on the offers fitted
    held_out_log_likelihood: float | None  # under the fitted parameters
    held_out_log_likelihood_start: float | None  # under start
    converged: bool
    predicts_better: bool
    note: str

    @property
    def estimated(self) -> tuple[str, ...]:
        return tuple(self.standard_errors)

    @property
    def in_use(self) -> ChoiceParameters:
        """The parameters the engine should price with: the fit only where it predicts better."""
        return self.parameters if self.predicts_better else self.start


def held_out(offer: OfferRecord, position: int, share: float) -> bool:
    """Return whether an offer is held out: a fixed hash of its key (or position), not a random draw."""
    digest = hashlib.blake2b((offer.key or f"#{position}").encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % 10_000 < share * 10_000


def _design(offers: Sequence[OfferRecord]) -> logit_mle.Design:
    # Offers that share a grid (the app's log: one grid shown to many) share its feature block.
    blocks: dict[tuple[int, int], np.ndarray] = {}

    def block(offer: OfferRecord) -> np.ndarray:
        key = (id(offer.windows), offer.base_fee)
        if key not in blocks:
            rows = [
                logit_mle.window_features(w.start_minute, w.end_minute, w.price, offer.base_fee, w.green)
                for w in offer.windows
            ]
            blocks[key] = np.array(rows, dtype=float).reshape(-1, len(logit_mle.PARAMETERS))
        return blocks[key]

    return logit_mle.design([block(o) for o in offers], [o.chosen for o in offers])


def _vector(params: ChoiceParameters) -> np.ndarray:
    return np.array([getattr(params, name) for name in logit_mle.PARAMETERS], dtype=float)


def _why_fixed(design, start_beta, free: list[int]) -> dict[str, str]:
    info = logit_mle.information(design, start_beta)
    kept = [logit_mle.PARAMETERS[k] for k in free]
    fixed = {"morning": REFERENCE}
    for name in ESTIMATION_ORDER:
        k = logit_mle.PARAMETERS.index(name)
        if name in kept:
            continue
        if info[k, k] <= 1e-7 * max(1, design.offers):
            fixed[name] = NEVER_VARIED[name]
        else:
            fixed[name] = "moved only in step with " + ", ".join(kept) + ": the offers cannot tell them apart"
    return fixed


def fit_choice_parameters(
    offers: Sequence[OfferRecord],
    start: ChoiceParameters = DEFAULT_CHOICE,
    *,
    holdout_share: float = 0.2,
    min_offers: int = 200,
    min_each_outcome: int = 20,
) -> FittedChoice:
    """Fit the logit to the offers; keep ``start`` when they are too few or the fit predicts worse.

    Offers with no window to book say nothing about choice and are left out. At least
    ``min_offers`` offers are needed, with at least ``min_each_outcome`` booked and as many not.
    """
    usable = [o for o in offers if o.windows]
    bookings = sum(o.chosen is not None for o in usable)
    kept = _kept(start, len(usable), bookings, "")
    if len(usable) < min_offers or min(bookings, len(usable) - bookings) < min_each_outcome:
        note = (
            f"too few offers to learn from: {len(usable)} offers, {bookings} booked "
            f"(at least {min_offers}, and {min_each_outcome} booked and {min_each_outcome} not, are needed)"
        )
        return dataclasses.replace(kept, note=note)
    split = [held_out(o, i, holdout_share) for i, o in enumerate(usable)]
    train = _design([o for o, out in zip(usable, split, strict=True) if not out])
    test = _design([o for o, out in zip(usable, split, strict=True) if out])
    start_beta = _vector(start)
    candidates = [logit_mle.PARAMETERS.index(name) for name in ESTIMATION_ORDER]
    free = logit_mle.estimable(train, start_beta, candidates)
    fixed = _why_fixed(train, start_beta, free)
    if not free:
        return dataclasses.replace(kept, fixed=fixed, note="nothing in the offers identifies a parameter")
    estimate = logit_mle.maximise(train, start_beta, free)
    width = logit_mle.PARAMETERS.index("width_per_hour")
    if width in free and estimate.beta[width] > 0 and len(free) > 1:
        # The engine allows no liking for width: with a concave likelihood whose peak lies beyond
        # zero, the best fit that keeps width_per_hour <= 0 has it at zero.
        fixed["width_per_hour"] = (
            f"came out {estimate.beta[width]:+.3f} (shoppers liking wider windows): held at 0, "
            "the most the engine allows"
        )
        free = [k for k in free if k != width]
        at_zero = start_beta.copy()
        at_zero[width] = 0.0
        estimate = logit_mle.maximise(train, at_zero, free)
    fitted_ll = logit_mle.log_likelihood(test, estimate.beta)
    start_ll = logit_mle.log_likelihood(test, start_beta)
    values = dict(zip(logit_mle.PARAMETERS, (float(b) for b in estimate.beta), strict=True))
    wrong_signs = [name for name, allowed in ENGINE_SIGNS.items() if not allowed(values[name])]
    better = estimate.converged and not wrong_signs and test.offers > 0 and fitted_ll > start_ll
    if not estimate.converged:
        note = "the fit did not converge: defaults kept"
    elif wrong_signs:
        note = (
            f"{', '.join(f'{n} came out {values[n]:+.3f}' for n in wrong_signs)}: the engine prices for "
            "shoppers who prefer cheaper and narrower windows (a wrong sign says more about how prices "
            "were set than about shoppers): defaults kept"
        )
    elif better:
        note = "the fit predicts the held-out offers better than the defaults: in use"
    else:
        note = "the fit predicts the held-out offers no better than the defaults: defaults kept"
    return FittedChoice(
        start=start,
        parameters=ChoiceParameters(**values),
        standard_errors={
            logit_mle.PARAMETERS[k]: float(e) for k, e in zip(free, estimate.standard_errors, strict=True)
        },
        fixed=fixed,
        offers=len(usable),
        bookings=bookings,
        held_out_offers=test.offers,
        log_likelihood=estimate.log_likelihood,
        held_out_log_likelihood=fitted_ll,
        held_out_log_likelihood_start=start_ll,
        converged=estimate.converged,
        predicts_better=better,
        note=note,
    )


def _kept(start: ChoiceParameters, offers: int, bookings: int, note: str) -> FittedChoice:
    """A result that changes nothing: the starting parameters, nothing estimated."""
    return FittedChoice(
        start=start,
        parameters=start,
        standard_errors={},
        fixed={},
        offers=offers,
        bookings=bookings,
        held_out_offers=0,
        log_likelihood=0.0,
        held_out_log_likelihood=None,
        held_out_log_likelihood_start=None,
        converged=False,
        predicts_better=False,
        note=note,
    )
