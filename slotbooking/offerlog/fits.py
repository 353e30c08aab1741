"""Calibrate a retailer's choice model from its offer log, store the fit, and say what is in use.

The engine prices with a fit only when it predicts the held-out offers better than the
retailer's starting parameters (the engine's defaults, or the setup document's
``pricing.choice``), and when the log can be read: at least ``MIN_TIED_SHARE`` of the period's
bookings came from an offer in it (else offers booked by other means look like walk-aways).
A fit that changes what is in use moves the retailer's ``updated_at``, so every process and
every cached grid takes it up as it would a setup change.
"""

import dataclasses
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import select

from pricing import ChoiceParameters
from pricing.calibration import FittedChoice, fit_choice_parameters
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.offerlog.history import History, load_history, period, settle_minutes
from slotbooking.offerlog.models import ChoiceFit
from slotbooking.offers.dynamic_pricing import choice_parameters

MIN_TIED_SHARE = 0.9


def latest_fit(session, retailer_id: int) -> ChoiceFit | None:
    return session.scalar(
        select(ChoiceFit)
        .where(ChoiceFit.retailer_id == retailer_id)
        .order_by(ChoiceFit.fitted_at.desc(), ChoiceFit.id.desc())
        .limit(1)
    )


def in_use_parameters(session, retailer_id: int, pricing: dict) -> tuple[ChoiceParameters, ChoiceFit | None]:
    """Return the parameters the engine prices with, and the fit they come from (None: not a fit)."""
    fit = latest_fit(session, retailer_id)
    if fit is not None and fit.in_use:
        return ChoiceParameters(**fit.parameters), fit
    return choice_parameters(pricing), None


def _row(retailer_id: int, fit: FittedChoice, history: History, in_use: bool, note: str, now) -> ChoiceFit:
    return ChoiceFit(
        retailer_id=retailer_id,
        fitted_at=now,
        since=history.since,
        until=history.until,
        offers=fit.offers,
        bookings=fit.bookings,
        held_out_offers=fit.held_out_offers,
        tied_share=history.tied_share,
        start=dataclasses.asdict(fit.start),
        parameters=dataclasses.asdict(fit.parameters),
        standard_errors=dict(fit.standard_errors),
        fixed=dict(fit.fixed),
        log_likelihood=fit.log_likelihood,
        held_out_log_likelihood=fit.held_out_log_likelihood,
        held_out_log_likelihood_start=fit.held_out_log_likelihood_start,
        predicts_better=fit.predicts_better,
        in_use=in_use,
        note=note,
    )


def calibrate(session, retailer, config, now, days: int | None = None) -> ChoiceFit:
    """Fit the retailer's choice model on its settled offers, store the fit and return it."""
    days = days or config["OFFER_LOG_DAYS"]
    since, until = period(now, days, settle_minutes(config, retailer))
    with unit_of_work(session):
        history = load_history(session, retailer.id, since, until, config["CALIBRATION_MAX_OFFERS"])
        before, _ = in_use_parameters(session, retailer.id, retailer.pricing)
        fit = fit_choice_parameters(
            history.offers, choice_parameters(retailer.pricing), min_offers=config["CALIBRATION_MIN_OFFERS"]
        )
        readable = history.tied_share is not None and history.tied_share >= MIN_TIED_SHARE
        note = fit.note
        if history.tied_share is not None and not readable:
            # Said whatever the fit's luck on its held-out offers: the log itself is the problem.
            note = (
                f"only {history.tied_share:.0%} of the period's bookings came from an offer in the log "
                "(holds made with the grid's quote_id); the others' offers would read as walk-aways: "
                "defaults kept"
            )
        row = _row(retailer.id, fit, history, fit.predicts_better and readable, note, now)
        session.add(row)
        after = ChoiceParameters(**row.parameters) if row.in_use else choice_parameters(retailer.pricing)
        if after != before:  # a new version of the retailer's pricing inputs: caches and processes follow
            retailer.updated_at = max(now, retailer.updated_at + timedelta(microseconds=1))
    return row


class ChoiceInUse:
    """One app's memory of the parameters in use, per retailer and version of its setup."""

    def __init__(self):
        self._known: dict[tuple, ChoiceParameters] = {}

    def __call__(self, session, tenant) -> ChoiceParameters:
        key = (tenant.id, tenant.updated_at)
        known = self._known.get(key)
        if known is None:
            if len(self._known) > 1000:
                self._known.clear()
            known = self._known[key] = in_use_parameters(session, tenant.id, tenant.pricing)[0]
        return known


def choice_for(session, tenant) -> ChoiceParameters:
    """The dynamic pricer's source of choice parameters: the app's fit in use, else the setup's."""
    known = current_app.extensions.get("choice_in_use") if has_app_context() else None
    return known(session, tenant) if known is not None else choice_parameters(tenant.pricing)
