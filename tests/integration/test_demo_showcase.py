"""The demo's first impression: dynamic prices over days with real bookings and planned routes."""

import pytest
from sqlalchemy import func, select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.demo.cli import showcase_document
from slotbooking.demo.showcase import DAYS, seed_showcase
from slotbooking.extensions import db
from slotbooking.offerlog.models import OfferShown
from slotbooking.offerlog.recorder import drain_queue
from slotbooking.request_context import collaborators
from slotbooking.retailers.models import Retailer, Zone, ZonePrefix
from slotbooking.retailers.postcodes import prefix_matches
from slotbooking.retailers.tenant import Tenant
from slotbooking.routes.models import RoutePlanVersion
from slotbooking.slots.models import Slot
from tests.conftest import import_document
from tests.support.api import ApiClient

pytestmark = pytest.mark.services


def _seed(app, clock):
    with app.test_request_context():
        tenant = Tenant.of(db.session.scalar(select(Retailer).where(Retailer.slug == "demo-grocer")))
        seeded = seed_showcase(db.session, collaborators(), tenant, clock(), plan_seconds=0.3)
        app.extensions["offer_log"].flush()  # as `flask demo` does
        drain_queue(db.session, app.extensions["slot_cache"])  # with Redis: the offers.record job
        return seeded


def test_the_demo_opens_on_booked_days_with_planned_routes_and_green_windows(app, client, clock):
    keys = import_document(app, showcase_document(), clock)
    seeded = _seed(app, clock)
    assert seeded.bookings > 100 and seeded.depot_days_planned >= DAYS
    with app.app_context():
        per_slot = db.session.execute(
            select(Slot.id, Slot.capacity, func.count(Booking.id))
            .join(Booking, Booking.slot_id == Slot.id)
            .where(Booking.status == "confirmed")
            .group_by(Slot.id, Slot.capacity)
        ).all()
        assert sum(count for _, _, count in per_slot) == seeded.bookings
        assert all(count <= capacity for _, capacity, count in per_slot)  # never oversold
        for booking in db.session.scalars(select(Booking)):
            prefixes = db.session.scalars(
                select(ZonePrefix.prefix).join(Zone).where(Zone.id == booking.slot.zone_id)
            ).all()
            assert any(prefix_matches(p, booking.postcode) for p in prefixes), booking.postcode
        plans = db.session.scalar(select(func.count()).select_from(RoutePlanVersion))
        assert plans == seeded.depot_days_planned

    offer = ApiClient(client, keys["secret_key"]).slots("N1 2AB", days=DAYS + 1)
    open_windows = [s for s in offer["slots"] if s["available"]]
    assert any(s["green"] for s in open_windows)  # a planned van passes the demo shopper's door
    assert len({s["price"]["amount"] for s in open_windows}) > 2  # the engine prices, not a flat fee
    assert any(s["remaining"] < 4 for s in open_windows if s["width_minutes"] == 60)  # of 4 places


def test_the_demo_shoppers_offers_and_their_bookings_are_in_the_offer_log(app, clock):
    """The what-if and the calibration replay the demo's own offers: each booking came from one."""
    import_document(app, showcase_document(), clock)
    seeded = _seed(app, clock)
    with app.app_context():
        shown = db.session.scalars(select(OfferShown.quote_digest)).all()
        booked = db.session.scalars(select(Hold.quote_digest).where(Hold.status == "booked")).all()
        assert len(booked) == seeded.bookings and None not in booked
        assert set(booked) <= set(shown)  # every booking was made with a quote the log recorded
        assert len(shown) > seeded.bookings * 1.2  # and some shoppers only looked
        assert (
            db.session.scalar(select(func.count()).select_from(Booking).where(Booking.hold_id.is_(None))) == 0
        )


def test_seeding_happens_once(app, clock):
    import_document(app, showcase_document(), clock)
    assert _seed(app, clock).bookings > 0
    again = _seed(app, clock)
    assert again.bookings == 0 and "already there" in again.summary()
