"""Drafts of the setup: saved with the setup document's validation, previewed without writing
anything, published as numbered versions (quotes already given keep their price), restored."""

import pytest
from sqlalchemy import func, select, text

from slotbooking.common.errors import ValidationFailed
from slotbooking.drafts.models import SetupVersion
from slotbooking.drafts.preview import preview_grids
from slotbooking.drafts.service import (
    draft_of,
    live_document,
    publish_draft,
    restore_version,
    save_draft,
)
from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer
from slotbooking.retailers.tenant import Tenant
from slotbooking.slots.pricers import Address
from slotbooking.staff.accounts import find_staff
from slotbooking.staff.models import StaffAuditEntry
from tests.support.console import add_staff

WRITTEN_TABLES = ("price_sheets", "offer_grids", "offers_shown", "holds", "slots", "setup_drafts")


@pytest.fixture
def analyst(app, demo):
    add_staff(app, "ann@example.com", demo["retailer"], "admin")
    return "ann@example.com"


def retailer_and_staff(app, slug="demo-grocer"):
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug))
    return retailer, find_staff(db.session, "ann@example.com")


def with_base_fee(document: dict, fee: int) -> dict:
    return {**document, "pricing": {**document["pricing"], "base_fee": fee, "max_fee": max(fee, 900)}}


def counts(app) -> dict:
    with app.app_context():
        found = {t: db.session.scalar(text(f"SELECT count(*) FROM {t}")) for t in WRITTEN_TABLES}
        db.session.rollback()
        return found


def test_a_draft_is_checked_like_a_setup_document(app, analyst):
    with app.app_context():
        retailer, staff = retailer_and_staff(app)
        document = live_document(retailer)
        bad = {**document, "pricing": {**document["pricing"], "min_fee": 500, "base_fee": 400}}
        with pytest.raises(ValidationFailed) as refused:
            save_draft(db.session, staff, retailer, bad, "draft.pricing_saved")
        assert "pricing.base_fee" in refused.value.details
        other = {**document, "retailer": {**document["retailer"], "slug": "someone-else"}}
        with pytest.raises(ValidationFailed) as refused:
            save_draft(db.session, staff, retailer, other, "draft.pricing_saved")
        assert "retailer.slug" in refused.value.details
        assert draft_of(db.session, retailer.id) is None


def test_the_preview_prices_both_grids_and_writes_nothing(app, analyst, shop, clock):
    shop.slots()  # the live grid has been shown once: its sheet and cache entry exist
    with app.app_context():
        retailer, staff = retailer_and_staff(app)
        save_draft(
            db.session, staff, retailer, with_base_fee(live_document(retailer), 650), "draft.pricing_saved"
        )
        app.extensions["offer_log"].flush()
    before = counts(app)
    cache = app.extensions["slot_cache"]
    keys_before = sorted(cache.client.keys("*")) if cache.enabled else None
    with app.app_context():
        retailer, _ = retailer_and_staff(app)
        tenant = Tenant.of(retailer)
        document = draft_of(db.session, retailer.id).document
        preview = preview_grids(
            db.session, app.extensions["zone_finder"], tenant, document, Address("N1 2AB"), clock()
        )
        assert app.extensions["offer_log"].flush() == 0  # no offer was logged
    pairs = [pair for day in preview.days for pair in day.windows]
    assert pairs and preview.changed == len(pairs)
    assert {p.draft.price.price - p.live.price.price for p in pairs} == {250}
    assert counts(app) == before
    if cache.enabled:
        assert sorted(cache.client.keys("*")) == keys_before


def test_publish_makes_the_draft_live_and_old_quotes_keep_their_price(app, analyst, shop, clock):
    offer, slot = shop.first_available()
    old_quote, old_price = offer["quote_id"], slot["price"]["amount"]
    with app.app_context():
        retailer, staff = retailer_and_staff(app)
        save_draft(
            db.session, staff, retailer, with_base_fee(live_document(retailer), 700), "draft.pricing_saved"
        )
        published = publish_draft(db.session, staff, retailer, "dearer", clock())
        assert published.version.number == 2  # 1 keeps the setup as it was
        assert draft_of(db.session, retailer.id) is None
    _, fresh = shop.first_available()
    assert fresh["price"]["amount"] == old_price + 300
    held = shop.hold(slot["id"], quote_id=old_quote)
    assert held.status_code == 201, held.get_json()
    assert held.get_json()["price"]["amount"] == old_price


def test_restore_publishes_an_old_version_again(app, analyst, shop, clock):
    price = shop.first_available()[1]["price"]["amount"]
    with app.app_context():
        retailer, staff = retailer_and_staff(app)
        save_draft(
            db.session, staff, retailer, with_base_fee(live_document(retailer), 800), "draft.pricing_saved"
        )
        publish_draft(db.session, staff, retailer, "", clock())
    assert shop.first_available()[1]["price"]["amount"] == price + 400
    clock.advance(seconds=1)
    with app.app_context():
        retailer, staff = retailer_and_staff(app)
        restored = restore_version(db.session, staff, retailer, 1, "", clock())
        assert (restored.version.number, restored.version.restored_from) == (3, 1)
        numbers = db.session.scalars(select(SetupVersion.number).order_by(SetupVersion.number)).all()
        assert numbers == [1, 2, 3]
        actions = db.session.scalars(select(StaffAuditEntry.action).order_by(StaffAuditEntry.id)).all()
        assert actions[-3:] == ["draft.pricing_saved", "setup.published", "setup.restored"]
    assert shop.first_available()[1]["price"]["amount"] == price


def test_a_draft_lowering_capacity_below_bookings_is_refused_at_publish(app, analyst, shop, clock):
    _, slot = shop.first_available()
    hold = shop.hold(slot["id"]).get_json()
    assert shop.book(hold["id"]).status_code == 201
    with app.app_context():
        retailer, staff = retailer_and_staff(app)
        document = live_document(retailer)
        document["slot_templates"] = [{**t, "capacity": 0} for t in document["slot_templates"]]
        save_draft(db.session, staff, retailer, document, "draft.setup_saved")
        with pytest.raises(ValidationFailed):
            publish_draft(db.session, staff, retailer, "", clock())
        assert draft_of(db.session, retailer.id) is not None
        assert db.session.scalar(select(func.count()).select_from(SetupVersion)) == 0
