"""Every dashboard figure against the database, for bookings made through the API (PostgreSQL + Redis).

The expected numbers are counted here row by row from the stored bookings, holds, plans and
deliveries (what the dashboards' GROUP BYs must agree with), and tied to what the API made.
"""

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from slotbooking.bookings.models import OCCUPYING_STATUSES, Booking, Hold
from slotbooking.dashboards.figures import FIGURES, Inputs, figure
from slotbooking.dashboards.funnel import count_closed_days
from slotbooking.dashboards.models import ConversionCount
from slotbooking.dashboards.scope import BadScope, Scope
from slotbooking.dashboards.vocabulary import csv_text
from slotbooking.events.models import EventDelivery
from slotbooking.extensions import db
from slotbooking.offerlog.models import OfferShown
from slotbooking.payments.models import HoldPayment, Refund
from slotbooking.retailers.models import Depot, Retailer, Zone
from slotbooking.routes.models import RoutePlanVersion
from tests.conftest import fresh_pg_app
from tests.support.dashboards import DAILY_BUDGET, fail_webhooks, make_bookings


@pytest.fixture
def dash_app(pg_database, clock):
    """PostgreSQL + Redis, each offer queued at once (a batch of one), as in production."""
    with fresh_pg_app(pg_database, clock, OFFER_LOG_BATCH=1) as app:
        yield app


@pytest.fixture
def made(dash_app, clock):
    return make_bookings(dash_app, clock)


def _scope(clock, **filters) -> Scope:
    retailer = db.session.scalars(select(Retailer)).one()
    today = clock().astimezone(ZoneInfo(retailer.timezone)).date()
    return Scope(
        retailer.id, retailer.timezone, today - timedelta(days=1), today + timedelta(days=7), **filters
    )


def _view(name, clock, **filters):
    return figure(name, Inputs(db.session, _scope(clock, **filters), clock(), DAILY_BUDGET))


def _occupying(**where):
    query = select(Booking).where(Booking.status.in_(OCCUPYING_STATUSES))
    for key, value in where.items():
        query = query.where(getattr(Booking, key) == value)
    return db.session.scalars(query).all()


def _cells(view):
    return {(row[0], row[1]): row[2:] for row in view.rows}


def test_capacity_counts_bookings_and_live_holds_per_window(dash_app, made, clock):
    with dash_app.app_context():
        view = _view("capacity", clock)
        booked = Counter()
        for b in _occupying():
            booked[b.service_date, b.slot.starts_at, b.slot.ends_at] += 1
        assert sum(booked.values()) == len(made.booked) == 5
        cells = _cells(view)
        live = db.session.get(Hold, made.held["id"])
        tz = ZoneInfo("Europe/London")
        label = f"{live.slot.starts_at.astimezone(tz):%H:%M}-{live.slot.ends_at.astimezone(tz):%H:%M}"
        capacity, n_booked, n_held, used = cells[live.service_date, label]
        assert n_held == 1 and n_booked == booked[live.service_date, live.slot.starts_at, live.slot.ends_at]
        assert used == pytest.approx((n_booked + 1) / capacity)
        assert sum(c[1] for c in cells.values()) == 5 and sum(c[2] for c in cells.values()) == 1
        assert capacity == sum(z.active for z in db.session.scalars(select(Zone))) * live.slot.capacity

        east = db.session.scalars(select(Zone).where(Zone.code == "E8")).one()
        only_east = _cells(_view("capacity", clock, zone_id=east.id))
        assert sum(c[1] for c in only_east.values()) == 1 and sum(c[2] for c in only_east.values()) == 0
        park_royal = db.session.scalars(select(Depot).where(Depot.code == "PRY")).one()
        west = _cells(_view("capacity", clock, depot_id=park_royal.id))
        assert sum(c[1] for c in west.values()) == 4


def test_widths_and_green_match_the_stored_bookings(dash_app, made, clock):
    with dash_app.app_context():
        stored = _occupying()
        widths = Counter((b.service_date, b.slot.width_minutes) for b in stored)
        assert {(r[0], r[1]): r[2] for r in _view("widths", clock).rows} == widths
        assert widths[stored[0].service_date, 240] == 1
        greens = Counter(b.service_date for b in stored if any(i["kind"] == "green" for i in b.incentives))
        green = {r[0]: (r[1], r[2]) for r in _view("green", clock).rows}
        assert sum(g for _, g in green.values()) == sum(greens.values()) >= 1
        for day, (total, n_green) in green.items():
            assert (total, n_green) == (sum(b.service_date == day for b in stored), greens[day])


def test_money_figures_sum_the_prices_paid_and_the_discount_below_the_base_fee(dash_app, made, clock):
    with dash_app.app_context():
        stored = _occupying()
        assert sum(b["price"]["amount"] for b in made.booked) == sum(b.price for b in stored)
        revenue = {r[0]: r[2] for r in _view("revenue", clock).rows}
        assert sum(revenue.values()) == sum(b.price for b in stored)
        given = sum(max(0, b.base_price - b.price) for b in stored)
        assert given > 0, "the green and wide bookings were discounted"
        discount = _view("discount", clock)
        assert sum(r[2] for r in discount.rows) == given
        assert {r[3] for r in discount.rows} == {DAILY_BUDGET}
        assert all(r[4] == pytest.approx(r[2] / DAILY_BUDGET) for r in discount.rows)


def test_km_and_co2_per_order_come_from_each_depot_days_newest_plan(dash_app, made, clock):
    with dash_app.app_context():
        plans = db.session.scalars(select(RoutePlanVersion)).all()
        assert len(plans) == 2  # one per depot for tomorrow
        db.session.add(_replanned(plans[0]))  # a newer version replaces the first for readers
        db.session.commit()
        newest = [*plans[1:], _latest(plans[0])]
        [row] = _view("routes", clock).rows
        assert row[1:5] == (
            2,
            sum(p.stops for p in newest),
            pytest.approx(sum(p.km for p in newest)),
            sum(p.co2_grams for p in newest),
        )
        assert row[2] == 5 and row[5] == pytest.approx(row[3] / 5)


def _replanned(plan: RoutePlanVersion) -> RoutePlanVersion:
    fields = {c.key: getattr(plan, c.key) for c in RoutePlanVersion.__table__.columns if c.key != "id"}
    return RoutePlanVersion(**{**fields, "version": plan.version + 1, "km": plan.km + 10, "co2_grams": 1})


def _latest(plan):
    return db.session.scalars(
        select(RoutePlanVersion)
        .where(RoutePlanVersion.depot_id == plan.depot_id)
        .order_by(RoutePlanVersion.version.desc())
    ).first()


def test_conversion_ties_offers_to_the_holds_booked_with_their_quotes(dash_app, made, clock):
    with dash_app.app_context():
        [row] = _view("conversion", clock).rows
        assert row[1:] == (made.offers_shown, made.offers_booked, pytest.approx(2 / 3))
        east = db.session.scalars(select(Zone).where(Zone.code == "E8")).one()
        assert [r[1:3] for r in _view("conversion", clock, zone_id=east.id).rows] == [(1, 0)]


def test_closed_days_conversion_is_kept_and_outlives_the_offer_log(dash_app, made, clock):
    with dash_app.app_context():
        retailer = db.session.scalars(select(Retailer)).one()
        east = db.session.scalars(select(Zone).where(Zone.code == "E8")).one()
        [(day, *counted)] = [row[:3] for row in _view("conversion", clock).rows]
        assert count_closed_days(db.session, retailer, clock()) == 0  # today: the day is still open
        clock.advance(days=2)
        assert count_closed_days(db.session, retailer, clock()) == 1
        kept = db.session.scalars(select(ConversionCount)).all()
        assert {k.day for k in kept} == {day}
        assert (sum(k.offers for k in kept), sum(k.booked for k in kept)) == (
            made.offers_shown,
            made.offers_booked,
        )
        # The kept counts answer for the day: the log's offers may now be forgotten.
        db.session.execute(delete(OfferShown))
        db.session.commit()
        scope = Scope(retailer.id, retailer.timezone, day - timedelta(days=3), day + timedelta(days=3))
        rows = figure("conversion", Inputs(db.session, scope, clock(), DAILY_BUDGET)).rows
        assert [tuple(r[:3]) for r in rows] == [(day, *counted)]
        east_scope = replace(scope, zone_id=east.id)
        assert [
            r[1:3] for r in figure("conversion", Inputs(db.session, east_scope, clock(), DAILY_BUDGET)).rows
        ] == [(1, 0)]
        assert count_closed_days(db.session, retailer, clock()) == 0  # counted once
        clock.advance(days=1)
        assert count_closed_days(db.session, retailer, clock()) == 1  # the next day, with no offers
        assert db.session.scalars(select(ConversionCount)).all() == kept


def test_failed_webhooks_and_refunds_are_counted_by_day(dash_app, made, clock):
    fail_webhooks(dash_app, clock)
    with dash_app.app_context():
        failed = db.session.scalars(select(EventDelivery).where(EventDelivery.status == "failed")).all()
        assert len(failed) >= 6  # five bookings and a cancellation, at least
        # No Stripe failure is made through the services here (see tests/integration/test_payments.py);
        # a refund that spent its retries is stored as such.
        hold = db.session.get(Hold, made.held["id"])
        payment = HoldPayment(retailer_id=hold.retailer_id, hold_id=hold.id, amount=400, currency="GBP")
        db.session.add(payment)
        db.session.flush()
        db.session.add(
            Refund(
                retailer_id=hold.retailer_id,
                payment_id=payment.id,
                reason="hold_expired",
                amount=400,
                currency="GBP",
                idempotency_key="k",
                status="failed",
            )
        )
        db.session.commit()
        rows = _view("failures", clock).rows
        assert sum(r[1] for r in rows) == len(failed) and sum(r[2] for r in rows) == 1


def test_every_figure_has_a_csv_with_its_rows(dash_app, made, clock):
    with dash_app.app_context():
        for name in FIGURES:
            view = _view(name, clock)
            lines = csv_text(view).splitlines()
            assert lines[0].split(",") == [c.key for c in view.columns]
            assert len(lines) == len(view.rows) + 1, name
            assert "<desc>" in view.charts[0] and "<title>" in view.charts[0]


def test_a_range_that_ends_before_it_starts_is_refused(dash_app, clock):
    with pytest.raises(BadScope) as refused:
        Scope(1, "Europe/London", clock().date(), clock().date() - timedelta(days=1))
    assert refused.value.status == 400 and refused.value.code == "bad_dashboard_scope"
