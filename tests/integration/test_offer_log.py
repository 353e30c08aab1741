"""The offer log: every grid answered is recorded cheaply, and its outcome is the hold booked with its quote.

On PostgreSQL with Redis (offers queued in Redis, moved into the database by the job), and on
SQLite without Redis (written straight to the database). Times are the app's clock.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from slotbooking.demo.cli import demo_document
from slotbooking.extensions import db
from slotbooking.jobs.tasks import CALIBRATE_CHOICE, FORGET_OFFERS, RECORD_OFFERS, beat_schedule
from slotbooking.offerlog.history import load_history, settle_minutes
from slotbooking.offerlog.models import OfferGrid, OfferShown
from slotbooking.offerlog.recorder import quote_digest
from slotbooking.retailers.models import Retailer
from tests.conftest import fresh_pg_app, import_document, make_app
from tests.integration.test_hosted_sessions import Shopper
from tests.support.api import ApiClient

NEAR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}


@pytest.fixture
def pg_log_app(pg_database, clock):
    """PostgreSQL + Redis, each offer sent at once (a batch of one) to the Redis queue."""
    with fresh_pg_app(pg_database, clock, OFFER_LOG_BATCH=1) as app:
        yield app


@pytest.fixture
def sqlite_log_app(tmp_path, clock):
    app = make_app(f"sqlite:///{tmp_path / 'log.db'}", clock, OFFER_LOG_BATCH=1)
    yield app
    with app.app_context():
        db.engine.dispose()


def shop_for(app, clock) -> ApiClient:
    return ApiClient(app.test_client(), import_document(app, demo_document(), clock)["secret_key"])


def record(app) -> None:
    """Run `flask pricing record-offers`, as the offers.record job does every 30 s."""
    result = app.test_cli_runner().invoke(args=["pricing", "record-offers"])
    assert result.exit_code == 0, result.output


def offers(app) -> list[OfferShown]:
    with app.app_context():
        return db.session.scalars(select(OfferShown).order_by(OfferShown.shown_at)).all()


def bookable_windows(answer: dict) -> list[list]:
    """What the log should keep of an answer: its bookable windows as shown."""
    rows = []
    for s in answer["slots"]:
        if s["available"]:
            start = int(s["start"][11:13]) * 60 + int(s["start"][14:16])
            wide = any(i["kind"] == "wide" for i in s["incentives"])
            rows.append(
                [
                    s["id"],
                    s["date"],
                    start,
                    start + s["width_minutes"],
                    s["price"]["amount"],
                    s["green"],
                    wide,
                ]
            )
    return rows


def test_every_grid_answered_is_recorded_with_its_windows_time_and_a_coarse_cell(pg_log_app, clock):
    shop = shop_for(pg_log_app, clock)
    first = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"], days=2)
    clock.advance(seconds=1)
    again = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"], days=2)  # from the cache
    clock.advance(seconds=1)
    postcode_only = shop.slots("N1 2AB", days=2)
    assert offers(pg_log_app) == [], "queued in Redis until the job moves them"
    record(pg_log_app)
    rows = offers(pg_log_app)
    assert [r.quote_digest for r in rows] == [
        quote_digest(a["quote_id"]) for a in (first, again, postcode_only)
    ]
    assert [r.shown_at for r in rows] == [
        clock() - timedelta(seconds=2),
        clock() - timedelta(seconds=1),
        clock(),
    ]
    assert [r.cell for r in rows] == ["51.54,-0.10", "51.54,-0.10", "N1"]
    assert rows[0].grid_id == rows[1].grid_id
    with pg_log_app.app_context():
        grid = db.session.get(OfferGrid, rows[0].grid_id)
        assert grid.windows == bookable_windows(first) and grid.windows
        assert (grid.mode, grid.base_fee) == ("flat", 400)
        # Nothing personal: no postcode, coordinates to 0.01 degree only.
        assert "N1 2AB" not in str(grid.windows) and "51.539" not in str([r.cell for r in rows])


def test_without_redis_offers_go_straight_to_the_database(sqlite_log_app, clock):
    shop = shop_for(sqlite_log_app, clock)
    answer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"], days=2)
    assert [r.quote_digest for r in offers(sqlite_log_app)] == [quote_digest(answer["quote_id"])]


def test_the_outcome_is_the_hold_booked_with_the_quote_within_its_life(pg_log_app, clock):
    shop = shop_for(pg_log_app, clock)
    shown = {}

    def show(name):
        clock.advance(seconds=1)
        shown[name] = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"], days=2)
        return next(s for s in shown[name]["slots"] if s["available"] and s["width_minutes"] == 240)

    slot = show("booked")
    hold = shop.hold(slot["id"], quote_id=shown["booked"]["quote_id"], address=NEAR).get_json()
    assert shop.book(hold["id"], "A").status_code == 201
    show("walked away")
    slot = show("released")
    hold = shop.hold(slot["id"], quote_id=shown["released"]["quote_id"], address=NEAR).get_json()
    assert shop.delete(f"/holds/{hold['id']}").status_code == 204
    slot = show("held, never booked")
    assert (
        shop.hold(slot["id"], quote_id=shown["held, never booked"]["quote_id"], address=NEAR).status_code
        == 201
    )
    slot = show("booked after the quote expired")
    clock.advance(minutes=11)
    late = shop.hold(slot["id"], quote_id=shown["booked after the quote expired"]["quote_id"], address=NEAR)
    assert shop.book(late.get_json()["id"], "B").status_code == 201
    record(pg_log_app)
    with pg_log_app.app_context():
        retailer = db.session.scalar(select(Retailer))
        until = clock() + timedelta(minutes=settle_minutes(pg_log_app.config, retailer))
        history = load_history(db.session, retailer.id, clock() - timedelta(days=1), until, 1000)
    outcome = {r.key: (r.windows[r.chosen].key if r.chosen is not None else None) for r in history.offers}
    by_name = {name: outcome[quote_digest(answer["quote_id"])] for name, answer in shown.items()}
    assert by_name == {
        "booked": next(
            s["id"] for s in shown["booked"]["slots"] if s["available"] and s["width_minutes"] == 240
        ),
        "walked away": None,
        "released": None,
        "held, never booked": None,
        "booked after the quote expired": None,
    }
    assert (history.bookings, history.tied, history.tied_share) == (2, 1, 0.5)


def test_the_hosted_page_grid_is_recorded_and_its_booking_tied_but_the_manage_page_is_not(pg_log_app, clock):
    shop = shop_for(pg_log_app, clock)
    shopper = Shopper(pg_log_app)
    shopper.open(shop.booking_session("ORDER-H", address={"lat": NEAR["lat"], "lon": NEAR["lon"]})["url"])
    quote = shopper.grid["quote_id"]
    assert shopper.hold().status_code == 302
    manage = shopper.confirm().headers["Location"]
    clock.advance(seconds=5)
    assert shopper.client.get(f"{manage}/reschedule").status_code == 200  # a grid to move the booking
    record(pg_log_app)
    assert [r.quote_digest for r in offers(pg_log_app)] == [quote_digest(quote)]
    with pg_log_app.app_context():
        history = load_history(db.session, 1, clock() - timedelta(days=1), clock() + timedelta(hours=2), 10)
    assert history.tied == 1 and history.tied_share == 1.0


def test_old_offers_and_the_grids_only_they_named_are_forgotten(pg_log_app, clock):
    shop = shop_for(pg_log_app, clock)
    shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"], days=2)
    record(pg_log_app)
    clock.advance(days=pg_log_app.config["OFFER_LOG_DAYS"] - 1)
    fresh = shop.slots("N1 2AB", days=2)
    record(pg_log_app)
    clock.advance(days=2)
    result = pg_log_app.test_cli_runner().invoke(args=["pricing", "forget-offers"])
    assert result.output.startswith("1 offers, 1 grids")
    assert [r.quote_digest for r in offers(pg_log_app)] == [quote_digest(fresh["quote_id"])]
    with pg_log_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OfferGrid)) == 1


def test_the_log_jobs_are_on_the_beat_schedule(pg_log_app):
    schedule = beat_schedule(pg_log_app.config)
    assert schedule[RECORD_OFFERS]["schedule"] == 30.0
    assert schedule[FORGET_OFFERS]["schedule"] == schedule[CALIBRATE_CHOICE]["schedule"] == 86400.0
