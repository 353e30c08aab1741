"""Maximum likelihood for the engine's multinomial logit, whose utility is linear in its parameters.

Every alternative of an offer (each window shown, and not booking) has a feature vector x with
one entry per field of ``ChoiceParameters``, so that its utility is ``beta . x`` exactly as
``pricing.choice.window_utility`` computes it (a unit test holds the two together). The negative
log-likelihood of a linear-in-parameters logit is convex, its gradient and Hessian have closed
forms, and the Hessian at the optimum is the observed information whose inverse gives the
standard errors. numpy and scipy only; nothing here knows about shops or databases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from pricing.choice import FIVE_PM, NOON

# The order of the features, and of ChoiceParameters' fields they multiply.
PARAMETERS = ("price_per_pound", "width_per_hour", "morning", "afternoon", "evening", "green", "no_booking")
NO_BOOKING = PARAMETERS.index("no_booking")


def window_features(start_minute: int, end_minute: int, price: int, base_fee: int, green: bool) -> list:
    """Return a window's features: utility = parameters . features, as choice.window_utility."""
    midpoint = (start_minute + end_minute) / 2
    return [
        (price - base_fee) / 100,
        max(0.0, (end_minute - start_minute) / 60 - 1),
        1.0 if midpoint < NOON else 0.0,
        1.0 if NOON <= midpoint < FIVE_PM else 0.0,
        1.0 if midpoint >= FIVE_PM else 0.0,
        1.0 if green else 0.0,
        0.0,
    ]


@dataclass(frozen=True)
class Design:
    """Offers as arrays: one row per alternative, offers' rows contiguous, the outside option last."""

    features: np.ndarray  # (alternatives, parameters)
    starts: np.ndarray  # first row of each offer
    chosen_rows: np.ndarray  # the row each offer's shopper chose (the outside row for no booking)

    @property
    def offers(self) -> int:
        return len(self.starts)


def design(blocks: list[np.ndarray], chosen: list[int | None]) -> Design:
    """Build the arrays from each offer's window features (one row per window) and the chosen index.

    ``chosen`` is the index of the window booked, None for no booking. Offers may share a block.
    """
    lengths = np.array([len(b) for b in blocks], dtype=np.intp)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.intp)
    features = np.zeros((int(np.sum(lengths + 1)), len(PARAMETERS)))
    for block, start, length in zip(blocks, starts, lengths, strict=True):
        features[start : start + length] = block
    features[starts + lengths, NO_BOOKING] = 1.0
    picks = np.array([n if c is None else c for n, c in zip(lengths, chosen, strict=True)], dtype=np.intp)
    return Design(features, starts, starts + picks)


def _probabilities(d: Design, beta: np.ndarray) -> np.ndarray:
    utility = d.features @ beta
    top = np.maximum.reduceat(utility, d.starts)
    sizes = np.diff(np.append(d.starts, len(utility)))
    weights = np.exp(utility - np.repeat(top, sizes))
    return weights / np.repeat(np.add.reduceat(weights, d.starts), sizes)


def log_likelihood(d: Design, beta: np.ndarray) -> float:
    """Return the sum over offers of log P(the alternative chosen)."""
    if d.offers == 0:
        return 0.0
    return float(np.sum(np.log(_probabilities(d, beta)[d.chosen_rows])))


def information(d: Design, beta: np.ndarray) -> np.ndarray:
    """Return the Hessian of -log-likelihood (the observed information): sum of Cov_p(x) per offer."""
    p = _probabilities(d, beta)
    mean = np.add.reduceat(d.features * p[:, None], d.starts)
    return (d.features * p[:, None]).T @ d.features - mean.T @ mean


def _gradient(d: Design, beta: np.ndarray) -> np.ndarray:
    p = _probabilities(d, beta)
    return d.features[d.chosen_rows].sum(axis=0) - (d.features * p[:, None]).sum(axis=0)


def estimable(d: Design, beta: np.ndarray, candidates: list[int], tolerance: float = 1e-7) -> list[int]:
    """Return the candidates (in their order of priority) the data identify.

    A parameter is kept when its direction adds to the rank of the information matrix: its
    feature varies across the alternatives of some offer, and not only in step with parameters
    kept before it. The information is scaled to unit diagonal so the test does not depend on
    the features' units.
    """
    info = information(d, beta)
    kept: list[int] = []
    for k in candidates:
        if info[k, k] <= tolerance * max(1, d.offers):
            continue
        trial = [*kept, k]
        block = info[np.ix_(trial, trial)]
        scale = 1 / np.sqrt(np.diag(block))
        if np.linalg.eigvalsh(block * np.outer(scale, scale))[0] > tolerance:
            kept = trial
    return kept


@dataclass(frozen=True)
class Estimate:
    beta: np.ndarray
    standard_errors: np.ndarray  # of the free parameters, in their order
    log_likelihood: float
    converged: bool


def maximise(d: Design, start: np.ndarray, free: list[int]) -> Estimate:
    """Fit the free parameters by Newton's method with a trust region; the others stay at start."""
    free_index = np.asarray(free, dtype=np.intp)

    def full(theta: np.ndarray) -> np.ndarray:
        beta = start.copy()
        beta[free_index] = theta
        return beta

    # Per offer, so the tolerances do not depend on how many offers there are.
    n = max(1, d.offers)
    result = minimize(
        lambda t: -log_likelihood(d, full(t)) / n,
        start[free_index],
        jac=lambda t: -_gradient(d, full(t))[free_index] / n,
        hess=lambda t: information(d, full(t))[np.ix_(free_index, free_index)] / n,
        method="trust-exact",
        options={"gtol": 1e-7, "maxiter": 200},
    )
    beta = full(result.x)
    # trust-exact may stop on a step it cannot improve when already at the optimum (rounding).
    stationary = bool(np.max(np.abs(_gradient(d, beta)[free_index])) / n < 1e-6)
    info = information(d, beta)[np.ix_(free_index, free_index)]
    try:
        covariance = np.linalg.inv(info)
        errors = np.sqrt(np.clip(np.diag(covariance), 0, None))
        finite = bool(np.all(np.isfinite(errors)))
    except np.linalg.LinAlgError:
        errors, finite = np.full(len(free), np.inf), False
    return Estimate(beta, errors, log_likelihood(d, beta), (bool(result.success) or stationary) and finite)
