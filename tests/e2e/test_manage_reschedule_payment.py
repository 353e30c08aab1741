"""A dearer move on the manage page, paid by card in a real browser (localstripe, its Stripe.js stand-in)."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.payments.models import HoldPayment
from tests.e2e import test_hosted_payment
from tests.e2e.test_hosted_payment import CARD_OK, fill_card, snap
from tests.support.localstripe import pay

pytestmark = pytest.mark.browser

# The stand-in Stripe.js taught to take the typed card, as on the hosted payment page.
card_at_stripe = test_hosted_payment.card_at_stripe

WINDOWS = '[role="tabpanel"]:not([hidden]) button.window:not([disabled])'


def paid_booking(service, emulator, hour: int) -> dict:
    """Hold, pay and book the first window at ``hour`` through the API, as the shop does."""
    api = service.api()
    offer = api.slots()
    slot = next(s for s in offer["slots"] if s["available"] and int(s["start"][11:13]) == hour)
    hold = api.hold(slot["id"], quote_id=offer["quote_id"]).get_json()
    intent_id = api.post(f"/holds/{hold['id']}/payment").get_json()["payment_intent_id"]
    pay(emulator.client(), intent_id)
    api.get(f"/holds/{hold['id']}/payment")
    booked = api.book(hold["id"], order_ref="E2E-MOVE")
    assert booked.status_code == 201, booked.get_json()
    return booked.get_json()


def test_a_dearer_move_is_paid_by_card_on_the_manage_page(
    page, paying_service, stripe_emulator, card_at_stripe
):
    service = paying_service
    booking = paid_booking(service, stripe_emulator, 9)
    assert booking["price"]["amount"] == 400
    page.goto(booking["manage_url"])
    page.get_by_role("link", name="Change window").click()
    expect(page.get_by_role("heading", name="Change your delivery window")).to_be_visible()
    expect(page.locator(".lede")).to_contain_text("£4.00")
    snap(page, "move-grid")

    evening = page.locator(WINDOWS).filter(has=page.locator(".window__time", has_text=re.compile(r"^18:00")))
    expect(evening.locator(".window__amount")).to_have_text("£5.00")
    evening.click()
    expect(page.get_by_role("heading", name="Change to this window?")).to_be_visible()
    expect(page.locator(".move-difference")).to_contain_text("This window costs £1.00 more.")
    snap(page, "move-review")
    page.get_by_role("button", name="Pay £1.00 and change window").click()

    expect(page.get_by_role("heading", name="Pay the difference")).to_be_visible()
    expect(page.locator(".pay-total__amount")).to_have_text("£1.00")
    expect(page.locator("[data-card] input")).to_have_count(5)
    moving = lambda s: s.scalar(select(Booking).where(Booking.id == booking["id"]))  # noqa: E731
    assert service.query(moving).price == 400, "unchanged until the difference is paid"
    snap(page, "move-pay")
    fill_card(page, CARD_OK)
    page.get_by_role("button", name="Pay £1.00").click()

    expect(page.get_by_role("status").filter(has_text="has been changed")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You paid the £1.00 difference by card.")
    expect(page.locator(".summary")).to_contain_text("18:00")
    expect(page.locator(".summary__price")).to_have_text("£5.00")
    snap(page, "move-done")
    moved = service.query(moving)
    assert (moved.price, moved.status) == (500, "rescheduled")
    hold = service.query(lambda s: s.scalar(select(Hold).where(Hold.moves_booking_id == booking["id"])))
    assert hold.status == "booked" and hold.slot_id == moved.slot_id
    payment = service.query(lambda s: s.scalar(select(HoldPayment).where(HoldPayment.hold_id == hold.id)))
    assert (payment.amount, payment.status) == (100, "succeeded")
    assert len(card_at_stripe.calls) == 1
    intent = stripe_emulator.client().v1.payment_intents.retrieve(payment.payment_intent_id)
    assert (intent.amount, intent.status) == (100, "succeeded")
