"""The pricing rules page shows the shopper choice model the engine prices with: the defaults
until a fit is used, then the fitted values with their standard errors and held-out test."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from pricing import ChoiceParameters
from slotbooking.extensions import db
from slotbooking.offerlog.models import ChoiceFit
from slotbooking.retailers.models import Retailer
from tests.support.console import add_staff, log_in

PAGE = "/ops/r/demo-grocer/pricing"


@pytest.fixture
def viewer(app, client, demo):
    add_staff(app, "vic@example.com", demo["retailer"], "viewer")
    assert log_in(client, "vic@example.com").status_code == 302
    return client


def store_fit(app, clock, *, in_use: bool, note: str) -> None:
    defaults = ChoiceParameters().__dict__
    with app.app_context():
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == "demo-grocer"))
        db.session.add(
            ChoiceFit(
                retailer_id=retailer.id,
                fitted_at=clock(),
                since=clock() - timedelta(days=30),
                until=clock() - timedelta(minutes=70),
                offers=412,
                bookings=230,
                held_out_offers=80,
                tied_share=1.0,
                start=defaults,
                parameters={**defaults, "evening": 1.234, "no_booking": 2.468},
                standard_errors={"evening": 0.111, "no_booking": 0.222},
                fixed={"price_per_pound": "the prices shown never changed, so nothing identifies it"},
                log_likelihood=-300.0,
                held_out_log_likelihood=-64.0,
                held_out_log_likelihood_start=-80.0,
                predicts_better=True,
                in_use=in_use,
                note=note,
            )
        )
        db.session.commit()


def page(client) -> str:
    answer = client.get(PAGE)
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_before_any_fit_the_page_says_the_defaults_are_in_use(viewer):
    shown = page(viewer)
    assert "How shoppers choose" in shown and "In use: defaults" in shown and "No fit yet" in shown
    assert "flask pricing calibrate demo-grocer" in shown
    assert "+0.300" in shown  # the default liking for the evening, in use


def test_a_fit_in_use_shows_its_values_errors_and_held_out_test(app, viewer, clock):
    store_fit(app, clock, in_use=True, note="the fit predicts the held-out offers better: in use")
    shown = page(viewer)
    assert "In use: fitted" in shown and "412 offers (230 booked)" in shown
    assert "+1.234 ± 0.111" in shown and "+2.468 ± 0.222" in shown
    assert "<strong>+1.234</strong>" in shown  # the fitted evening value is the one in use
    assert "-0.8000" in shown and "-1.0000" in shown  # held out per offer: -64/80 against -80/80
    assert "Not fitted: the prices shown never changed" in shown


def test_a_fit_not_used_says_why_and_the_defaults_stay(app, viewer, clock):
    store_fit(app, clock, in_use=False, note="the fit did not converge: defaults kept")
    shown = page(viewer)
    assert "In use: defaults" in shown and "is not used: the fit did not converge" in shown
    assert "+1.234 ± 0.111" in shown and "<strong>+0.300</strong>" in shown
