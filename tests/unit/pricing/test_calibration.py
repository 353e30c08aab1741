"""Fitting the choice model to offers: recovery, standard errors, identification, the held-out test."""

import dataclasses
import math

import numpy as np
import pytest

from pricing import ChoiceParameters, WindowSpec
from pricing.calibration import OfferedWindow, OfferRecord, fit_choice_parameters, held_out
from pricing.choice import window_utility
from pricing.logit_mle import PARAMETERS, window_features

# Shoppers unlike the engine's defaults: more price sensitive, keener on evenings and green.
TRUTH = ChoiceParameters(
    price_per_pound=-1.2,
    width_per_hour=-0.4,
    morning=0.0,
    afternoon=-0.1,
    evening=0.6,
    green=0.7,
    no_booking=1.4,
)
HOURLY = [(h * 60, h * 60 + 60) for h in range(8, 20)]
WIDE = [(8 * 60, 12 * 60), (12 * 60, 16 * 60), (16 * 60, 20 * 60)]


def simulate(n, params=TRUTH, seed=1, prices=True, green=True, wide_fee=0):
    """Return n offers of 6-15 windows at ladder prices, each chosen by the logit with params."""
    rng = np.random.default_rng(seed)
    offers = []
    for i in range(n):
        shown = [HOURLY[j] for j in sorted(rng.choice(len(HOURLY), rng.integers(4, 13), replace=False))]
        shown += [w for w in WIDE if rng.random() < 0.7]
        windows = []
        for start, end in shown:
            wide = end - start > 60
            price = 400 + (int(rng.integers(-6, 5)) * 50 if prices else 0) + (wide_fee if wide else 0)
            badge = bool(green and rng.random() < 0.3)
            windows.append(OfferedWindow(start, end, price, green=badge, wide=wide))
        utilities = [
            window_utility(WindowSpec("w", w.start_minute, w.end_minute, 1, 1), w.price, 400, w.green, params)
            for w in windows
        ] + [params.no_booking]
        draw = int(np.argmax(np.array(utilities) + rng.gumbel(size=len(utilities))))
        offers.append(OfferRecord(tuple(windows), None if draw == len(windows) else draw, 400, f"offer-{i}"))
    return offers


@pytest.fixture(scope="module")
def large_fit():
    return fit_choice_parameters(simulate(6000), ChoiceParameters())


def test_features_give_the_engines_own_utility():
    rng = np.random.default_rng(5)
    for _ in range(200):
        values = dict(zip(PARAMETERS, rng.normal(size=len(PARAMETERS)), strict=True))
        params = ChoiceParameters(**values)
        start = int(rng.integers(6 * 60, 20 * 60))
        end = start + int(rng.integers(30, 300))
        price, base, green = int(rng.integers(0, 900)), int(rng.integers(0, 600)), bool(rng.random() < 0.5)
        features = window_features(start, end, price, base, green)
        ours = sum(getattr(params, name) * x for name, x in zip(PARAMETERS, features, strict=True))
        engine = window_utility(WindowSpec("w", start, end, 1, 1), price, base, green, params)
        assert ours == pytest.approx(engine)


def test_known_parameters_are_recovered_within_a_few_standard_errors(large_fit):
    assert large_fit.converged
    assert set(large_fit.estimated) == set(PARAMETERS) - {"morning"}
    for name, error in large_fit.standard_errors.items():
        estimate, true = getattr(large_fit.parameters, name), getattr(TRUTH, name)
        assert 0 < error < 0.2, name
        assert abs(estimate - true) < 3.5 * error, f"{name}: {estimate:.3f} vs {true} (se {error:.3f})"
    assert large_fit.parameters.morning == 0.0  # the reference, fixed at start's value


def test_the_fit_predicts_held_out_offers_better_than_wrong_defaults(large_fit):
    assert large_fit.held_out_log_likelihood > large_fit.held_out_log_likelihood_start
    assert large_fit.predicts_better and large_fit.in_use == large_fit.parameters
    assert 0.15 < large_fit.held_out_offers / large_fit.offers < 0.25
    assert large_fit.bookings == sum(o.chosen is not None for o in simulate(6000))


def test_standard_errors_shrink_as_the_square_root_of_the_offers():
    small = fit_choice_parameters(simulate(1500, seed=2))
    large = fit_choice_parameters(simulate(6000, seed=3))
    for name, error in large.standard_errors.items():
        assert 0.38 < error / small.standard_errors[name] < 0.62, name


def test_too_few_offers_keep_the_defaults():
    start = ChoiceParameters()
    fit = fit_choice_parameters(simulate(150), start)
    assert not fit.predicts_better and fit.in_use == start and fit.parameters == start
    assert fit.standard_errors == {} and "too few offers" in fit.note
    assert fit.offers == 150


def test_all_booked_offers_keep_the_defaults():
    offers = [dataclasses.replace(o, chosen=0) for o in simulate(400)]
    fit = fit_choice_parameters(offers)
    assert not fit.predicts_better and "too few" in fit.note


def test_what_the_offers_never_vary_is_fixed_and_said_why():
    """Flat prices and no badges: price sensitivity and green cannot be learnt."""
    fit = fit_choice_parameters(simulate(3000, prices=False, green=False))
    assert set(fit.estimated) == {"no_booking", "afternoon", "evening", "width_per_hour"}
    assert fit.parameters.price_per_pound == ChoiceParameters().price_per_pound
    assert fit.parameters.green == ChoiceParameters().green
    assert fit.fixed["green"] == "no green badge was shown"
    assert fit.fixed["price_per_pound"] == "every window was shown at the base fee"
    assert "reference" in fit.fixed["morning"]


def test_a_price_that_moves_only_with_width_is_not_told_apart_from_width():
    """Flat prices with £1 off wide windows: the fee and the width move together."""
    fit = fit_choice_parameters(simulate(3000, prices=False, green=False, wide_fee=-100))
    assert "width_per_hour" in fit.estimated and "price_per_pound" not in fit.estimated
    assert fit.fixed["price_per_pound"].startswith("moved only in step with")


def test_the_split_is_fixed_by_the_offers_keys():
    offers = simulate(50)
    assert [held_out(o, i, 0.2) for i, o in enumerate(offers)] == [
        held_out(o, i + 7, 0.2) for i, o in enumerate(offers)
    ]
    first, again = fit_choice_parameters(simulate(800)), fit_choice_parameters(simulate(800))
    assert first == again


def test_offers_with_nothing_to_book_are_left_out():
    offers = simulate(300) + [OfferRecord((), None, 400, f"empty-{i}") for i in range(100)]
    assert fit_choice_parameters(offers).offers == 300


def test_a_fit_from_the_true_parameters_is_close_to_them():
    fit = fit_choice_parameters(simulate(3000, seed=9), TRUTH)
    for name in fit.estimated:
        estimate, error = getattr(fit.parameters, name), fit.standard_errors[name]
        assert math.isclose(estimate, getattr(TRUTH, name), abs_tol=4 * error)


def test_a_fit_with_a_sign_the_engine_cannot_price_with_is_not_used():
    """Shoppers drawn to dearer windows (as prices that follow popularity would make them look)."""
    drawn_to_dear = dataclasses.replace(TRUTH, price_per_pound=0.6)
    fit = fit_choice_parameters(simulate(3000, params=drawn_to_dear, seed=4))
    assert (
        fit.parameters.price_per_pound > 0 and fit.held_out_log_likelihood > fit.held_out_log_likelihood_start
    )
    assert not fit.predicts_better and fit.in_use == fit.start
    assert fit.note.startswith("price_per_pound came out +0.")


def test_a_liking_for_wide_windows_is_held_at_zero():
    likes_wide = dataclasses.replace(TRUTH, width_per_hour=0.3)
    fit = fit_choice_parameters(simulate(3000, params=likes_wide, seed=6))
    assert fit.parameters.width_per_hour == 0.0 and "width_per_hour" not in fit.estimated
    assert fit.fixed["width_per_hour"].startswith("came out +0.") and fit.converged
    assert fit.parameters.price_per_pound < 0 and fit.predicts_better
