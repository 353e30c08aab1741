"""Calibration on the retailer's own log: shoppers with known tastes book through the API, the CLI
fits and stores, and the dynamic engine then prices with the fitted parameters (PostgreSQL + Redis)."""

import json
import math
import random

import pytest
from sqlalchemy import select, update

import pricing
from pricing import ChoiceParameters, WindowSpec
from pricing.choice import window_utility
from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.jobs.tasks import CALIBRATE_CHOICE, JOBS
from slotbooking.offerlog.models import ChoiceFit
from slotbooking.slots.models import DepotDay, Slot
from tests.conftest import fresh_pg_app, import_document
from tests.support.api import ApiClient

pytestmark = pytest.mark.services

# The shoppers' own tastes, far from the engine's defaults: choosier, evening people, often leaving.
SHOPPERS = ChoiceParameters(
    price_per_pound=-1.5, width_per_hour=-0.6, afternoon=-1.0, evening=1.5, green=0.3, no_booking=2.5
)
TOMORROW = "2026-11-24"


@pytest.fixture
def learn_app(pg_database, clock):
    with fresh_pg_app(pg_database, clock, CALIBRATION_MIN_OFFERS=100) as app:
        yield app


def dynamic_shop(app, clock, **pricing_settings) -> ApiClient:
    document = demo_document()
    document["pricing"].update(mode="dynamic", **pricing_settings)
    shop = ApiClient(app.test_client(), import_document(app, document, clock)["secret_key"])
    shop.slots("N1 2AB", days=2)  # the slots exist now: give them room for every shopper
    with app.app_context():
        db.session.execute(update(Slot).values(capacity=1000))
        db.session.execute(update(DepotDay).values(capacity=100_000))
        db.session.commit()
    return shop


def local_minutes(iso: str) -> int:
    return int(iso[11:13]) * 60 + int(iso[14:16])


def shoppers_book(shop, clock, count: int, seed: int = 7) -> int:
    """Each shopper at their own address sees tomorrow's grid and books by SHOPPERS' logit, or leaves."""
    rng, booked = random.Random(seed), 0
    for n in range(count):
        clock.advance(seconds=20)
        lat, lon = 51.530 + 0.02 * rng.random(), -0.120 + 0.03 * rng.random()
        answer = shop.slots("N1 2AB", lat=lat, lon=lon, days=1, **{"from": TOMORROW})
        windows = [s for s in answer["slots"] if s["available"]]
        utilities = []
        for s in windows:
            start = local_minutes(s["start"])
            spec = WindowSpec(s["id"], start, start + s["width_minutes"], 1, 1)
            utilities.append(window_utility(spec, s["price"]["amount"], 400, s["green"], SHOPPERS))
        draws = [u - math.log(-math.log(rng.random())) for u in [*utilities, SHOPPERS.no_booking]]
        pick = max(range(len(draws)), key=draws.__getitem__)
        if pick == len(windows):
            continue
        address = {"postcode": "N1 2AB", "lat": lat, "lon": lon}
        hold = shop.hold(windows[pick]["id"], quote_id=answer["quote_id"], address=address)
        assert hold.status_code == 201, hold.get_json()
        assert shop.book(hold.get_json()["id"], f"order-{n}").status_code == 201
        booked += 1
    return booked


@pytest.fixture
def choice_seen(monkeypatch):
    """The choice parameters each pricing-engine call was given."""
    seen = []
    real = pricing.price_windows

    def spy(request):
        seen.append(request.choice)
        return real(request)

    monkeypatch.setattr(pricing, "price_windows", spy)
    return seen


def run(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cli_fits_the_log_stores_the_fit_and_the_engine_prices_with_it(learn_app, clock, choice_seen):
    shop = dynamic_shop(learn_app, clock)
    booked = shoppers_book(shop, clock, 250)
    assert 60 < booked < 190
    assert set(choice_seen) == {ChoiceParameters()}, "before any fit the engine prices with its defaults"
    run(learn_app, "pricing", "record-offers")
    clock.advance(minutes=71)  # every outcome settled (quote 10 + hold 15 + payment 45 minutes)

    printed = run(learn_app, "pricing", "calibrate", "demo-grocer")
    with learn_app.app_context():
        fit = db.session.scalar(select(ChoiceFit))
    # The first grid, shown while setting up, is an offer too (nobody booked from it).
    assert (fit.offers, fit.bookings, fit.fitted_at, fit.tied_share) == (251, booked, clock(), 1.0)
    assert 30 < fit.held_out_offers < 70
    assert fit.held_out_log_likelihood > fit.held_out_log_likelihood_start
    assert fit.predicts_better and fit.in_use
    assert fit.parameters["no_booking"] > 1.5 and fit.parameters["evening"] > 0.8, fit.parameters
    assert "no_booking" in fit.standard_errors and fit.fixed["morning"].startswith("the reference")
    assert "held-out log-likelihood: fitted" in printed and "in use: fitted" in printed
    assert f"{fit.parameters['no_booking']:>8.3f} {fit.standard_errors['no_booking']:>8.3f}" in printed

    shown = json.loads(run(learn_app, "pricing", "show", "demo-grocer", "--json"))
    assert shown["in_use"] == "fitted" and shown["parameters"] == fit.parameters
    choice_seen.clear()
    shop.slots("N1 2AB", lat=51.545, lon=-0.105, days=1, **{"from": TOMORROW})
    assert choice_seen == [ChoiceParameters(**fit.parameters)]


def test_too_few_offers_keep_the_setups_parameters(learn_app, clock, choice_seen):
    shop = dynamic_shop(learn_app, clock, choice={"no_booking": 1.0})
    configured = ChoiceParameters(no_booking=1.0)
    shoppers_book(shop, clock, 30)
    run(learn_app, "pricing", "record-offers")
    clock.advance(minutes=71)
    printed = run(learn_app, "pricing", "calibrate", "demo-grocer")
    assert "too few offers to learn from: 31 offers" in printed and "in use: defaults" in printed
    with learn_app.app_context():
        assert JOBS[CALIBRATE_CHOICE]() == {"retailers": 1, "in_use": 0}  # the scheduled job: same answer
        fits = db.session.scalars(select(ChoiceFit)).all()
    assert [(f.in_use, f.start) for f in fits] == [(False, fits[0].start)] * 2
    assert fits[0].start["no_booking"] == 1.0
    shown = json.loads(run(learn_app, "pricing", "show", "demo-grocer", "--json"))
    assert shown["in_use"] == "defaults" and shown["parameters"]["no_booking"] == 1.0
    choice_seen.clear()
    shop.slots("N1 2AB", lat=51.545, lon=-0.105, days=1, **{"from": TOMORROW})
    assert choice_seen == [configured]


def test_an_empty_log_says_there_is_too_little_to_learn_from(learn_app, clock):
    """No bookings at all is not an unreadable log: the note says what is missing."""
    dynamic_shop(learn_app, clock)
    run(learn_app, "pricing", "record-offers")
    clock.advance(minutes=71)
    printed = run(learn_app, "pricing", "calibrate", "demo-grocer")
    assert "too few offers to learn from: 1 offers, 0 booked" in printed, printed
    assert "came from an offer in the log" not in printed


def test_calibrate_refuses_what_it_cannot_do(learn_app):
    runner = learn_app.test_cli_runner()
    missing = runner.invoke(args=["pricing", "calibrate", "no-such-shop"])
    assert missing.exit_code != 0 and 'no retailer "no-such-shop"' in missing.output
    days = runner.invoke(args=["pricing", "calibrate", "no-such-shop", "--days", "0"])
    assert days.exit_code != 0 and "must be at least 1" in days.output


def test_bookings_that_name_no_quote_make_the_log_unreadable(learn_app, clock):
    """One-step bookings leave offers that look like walk-aways: a fit on them is not used."""
    shop = dynamic_shop(learn_app, clock)
    tied = shoppers_book(shop, clock, 160)
    slot = next(s for s in shop.slots("N1 2AB", days=1, **{"from": TOMORROW})["slots"] if s["available"])
    for n in range(tied // 4):  # a fifth of the bookings made by phone
        body = {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": f"phone-{n}"}
        assert shop.post("/bookings", body).status_code == 201
    run(learn_app, "pricing", "record-offers")
    clock.advance(minutes=71)
    printed = run(learn_app, "pricing", "calibrate", "demo-grocer")
    assert "of the period's bookings came from an offer in the log" in printed, printed
    with learn_app.app_context():
        fit = db.session.scalar(select(ChoiceFit))
        # Not in use because of the log, whether or not this fit happened to predict its held-out
        # offers better (the split's luck; the first test shows the same shoppers' fit is used).
        assert not fit.in_use and fit.tied_share < 0.9 and "defaults kept" in fit.note
    assert json.loads(run(learn_app, "pricing", "show", "demo-grocer", "--json"))["in_use"] == "defaults"
