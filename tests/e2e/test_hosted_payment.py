"""The hosted page's card payment step in a real browser, against the localstripe emulator.

localstripe serves a stand-in for Stripe.js at ``<emulator>/js.stripe.com/v3/``, and the page loads
it from there (STRIPE_JS_URL). The stand-in renders the card element as plain inputs, but its
``confirmCardPayment`` ignores the card: it only performs the 3-D Secure step of an intent that is
already confirmed. So the test supplies what real Stripe.js does with the card (``CARD_AT_STRIPE``):
it wraps the stand-in's ``confirmCardPayment`` to send the card typed into the element to the
emulator (a PaymentMethod, attached and confirmed, in Python through Playwright's bridge), and
hands intents that need 3-D Secure to the stand-in's own step. Everything else is the page's own
code: loading Stripe.js, ``elements()``, mounting the card, passing it and the client secret to
``confirmCardPayment``, polling our check, booking, and the manage page's cancel and refund.

Emulator limits: it declines at charge time 4000 0000 0000 0341 (not 0002, which it charges), and it
cannot confirm an intent again after a charge was declined (Stripe can), so the retry is shown after
a failed 3-D Secure step instead.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import stripe
from playwright.sync_api import expect
from sqlalchemy import func, select

from slotbooking.bookings.models import Booking, Hold
from slotbooking.payments.models import HoldPayment, Refund
from tests.e2e.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0341"  # localstripe declines this one when it is charged
CARD_3DS = "4000 0027 6000 3184"  # needs 3-D Secure
SHOTS = os.environ.get("PAYMENT_SCREENSHOTS")  # a directory: save screenshots there

# Runs before any page script. When the stand-in assigns window.Stripe, hand out a wrapper whose
# confirmCardPayment does with the card what Stripe.js does: send it to Stripe and confirm.
CARD_AT_STRIPE = """
(() => {
  let standIn;
  const wrapped = (key) => {
    const stripe = standIn(key);
    const threeDSecure = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async (clientSecret, data) => {
      const element = data && data.payment_method && data.payment_method.card;
      const card = element && element.value && element.value.card;
      if (!card) return {error: {type: "validation_error", message: "Your card number is incomplete."}};
      const answer = await window.cardAtStripe(clientSecret, card);
      if (answer.error) return {error: answer.error};
      if (answer.status === "requires_action") return threeDSecure(clientSecret);
      return {paymentIntent: answer};
    };
    return stripe;
  };
  Object.defineProperty(window, "Stripe", {
    configurable: true,
    get: () => (standIn ? wrapped : undefined),
    set: (value) => { standIn = value; },
  });
})();
"""


class CardAtStripe:
    """The Stripe side of a card payment, for the stand-in Stripe.js: records what the page sent."""

    def __init__(self, emulator):
        self.client = emulator.client()
        self.calls = []

    def __call__(self, client_secret: str, card: dict) -> dict:
        self.calls.append((client_secret, card["number"].replace(" ", "")))
        intent_id = client_secret.split("_secret_")[0]
        try:
            method = self.client.v1.payment_methods.create(
                params={
                    "type": "card",
                    "card": {
                        "number": card["number"].replace(" ", ""),
                        "exp_month": card["exp_month"],
                        "exp_year": card["exp_year"],
                        "cvc": card["cvc"],
                    },
                }
            )
            self.client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
            intent = self.client.v1.payment_intents.confirm(intent_id)
        except stripe.CardError as error:
            return {"error": {"type": "card_error", "code": error.code, "message": error.user_message}}
        except stripe.StripeError as error:
            return {"error": {"type": "api_error", "message": error.user_message or str(error)}}
        return {"id": intent.id, "status": intent.status}


@pytest.fixture
def card_at_stripe(page, stripe_emulator):
    bridge = CardAtStripe(stripe_emulator)
    page.expose_function("cardAtStripe", bridge)
    page.add_init_script(CARD_AT_STRIPE)
    return bridge


def snap(page, name: str) -> None:
    """Save the page on a phone and on a desktop screen, when PAYMENT_SCREENSHOTS names a directory."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def origins_of(page) -> set:
    seen = set()
    page.on("request", lambda request: seen.add("{0.scheme}://{0.netloc}".format(urlsplit(request.url))))
    return seen


def open_grid(page, service, order_ref):
    """Open the link the shop's backend made for the order, as the shopper does from the e-mail."""
    page.goto(service.booking_link(order_ref))
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()


def to_payment_page(page, service, order_ref) -> tuple[str, str, object]:
    """Choose the first paid window and confirm it; return its price, its time and the page's response."""
    open_grid(page, service, order_ref)
    window = page.locator('[role="tabpanel"]:not([hidden]) button.window:not([disabled])').filter(
        has_not_text="Free"
    )
    price = window.first.locator(".window__amount").inner_text()
    time = window.first.locator(".window__time").inner_text()
    window.first.click()
    expect(page.get_by_role("heading", name="Your window is held")).to_be_visible()
    with page.expect_response(re.compile(r"/book/pay$")) as response:
        page.get_by_role("button", name=re.compile("Confirm delivery")).click()
    expect(page.get_by_role("heading", name="Pay for your delivery")).to_be_visible()
    return price, time, response.value


def fill_card(page, number: str) -> None:
    field = page.locator("[data-card]")
    field.get_by_placeholder("number").fill(number)
    field.get_by_placeholder("exp_month").fill("12")
    field.get_by_placeholder("exp_year").fill("34")
    field.get_by_placeholder("cvc").fill("123")
    field.get_by_placeholder("postal_code").fill("N1 2AB")


def hold_payment(service) -> HoldPayment:
    return service.query(lambda s: s.scalar(select(HoldPayment)))


def booking_for(service, order_ref):
    return service.query(lambda s: s.scalar(select(Booking).where(Booking.order_ref == order_ref)))


def test_pay_by_card_on_a_phone_then_cancel_for_one_refund(
    page, paying_service, stripe_emulator, card_at_stripe
):
    service = paying_service
    origins = origins_of(page)
    price, time, response = to_payment_page(page, service, "E2E-PAY-1")

    # The window, the amount formatted for the shopper, the hold counting down, the card form.
    expect(page.locator(".pay-total__amount")).to_have_text(price)
    expect(page.locator(".summary")).to_contain_text(time)
    expect(page.locator("[data-clock]")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    expect(page.locator("[data-card] input")).to_have_count(5)  # mounted by the emulator's Stripe.js
    policy = response.headers["content-security-policy"]
    assert f"script-src 'self' {stripe_emulator.url}" in policy
    assert (
        f"frame-src {stripe_emulator.url}" in policy and f"connect-src 'self' {stripe_emulator.url}" in policy
    )
    payment = hold_payment(service)
    intent = stripe_emulator.client().v1.payment_intents.retrieve(payment.payment_intent_id)
    assert intent.amount == payment.amount > 0 and intent.status == "requires_payment_method"
    snap(page, "pay")

    fill_card(page, CARD_OK)
    page.get_by_role("button", name=f"Pay {price}").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert card_at_stripe.calls == [(intent.client_secret, CARD_OK.replace(" ", ""))]
    booking = booking_for(service, "E2E-PAY-1")
    assert booking.status == "confirmed" and booking.price == payment.amount
    assert page.url.endswith(f"/manage/{service.app.extensions['manage_links'].token(booking.id)}")
    assert hold_payment(service).status == "succeeded"
    assert stripe_emulator.client().v1.payment_intents.retrieve(intent.id).status == "succeeded"
    # One PaymentIntent for the hold, however often the page was shown.
    page.goto(f"{service.url}/r/demo-grocer/book/pay")
    expect(page.get_by_role("heading", name="Your delivery")).to_be_visible()
    assert service.query(lambda s: s.scalar(select(func.count()).select_from(HoldPayment))) == 1
    # Nothing but our own origin and the configured Stripe.js origin was asked for anything.
    assert origins <= {service.url, stripe_emulator.url}

    page.get_by_role("link", name="Cancel delivery").click()
    expect(page.get_by_role("status").filter(has_text=f"You paid {price} by card")).to_be_visible()
    snap(page, "cancel-paid")
    page.get_by_role("button", name="Yes, cancel delivery").click()
    expect(
        page.get_by_role("status").filter(has_text=f"The {price} you paid has been refunded")
    ).to_be_visible()
    expect(page.locator(".pill--cancelled")).to_be_visible()
    snap(page, "cancelled-refunded")

    refunds = stripe_emulator.client().v1.refunds.list(params={"payment_intent": intent.id})
    assert [r.amount for r in refunds.data] == [payment.amount]
    rows = service.query(lambda s: s.scalars(select(Refund.status)).all())
    assert rows == ["succeeded"]


def test_a_declined_card_says_so_and_leaves_the_window_held(page, paying_service, card_at_stripe):
    service = paying_service
    price, _, _ = to_payment_page(page, service, "E2E-PAY-DECLINED")
    fill_card(page, CARD_DECLINED)
    page.get_by_role("button", name=f"Pay {price}").click()

    expect(page.get_by_role("alert").filter(has_text="Your card was declined.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Pay {price}")).to_be_enabled()
    expect(page.get_by_role("heading", name="Pay for your delivery")).to_be_visible()
    assert booking_for(service, "E2E-PAY-DECLINED") is None
    assert service.query(lambda s: s.scalar(select(Hold.status))) == "active"
    assert hold_payment(service).status == "requires_payment_method"
    snap(page, "pay-declined")


def test_failed_card_authentication_then_another_card_books(page, paying_service, card_at_stripe):
    service = paying_service
    price, _, _ = to_payment_page(page, service, "E2E-PAY-RETRY")
    fill_card(page, CARD_3DS)
    page.get_by_role("button", name=f"Pay {price}").click()
    page.get_by_role("button", name="Fail authentication").click()  # the stand-in's 3-D Secure step

    expect(page.get_by_role("alert").filter(has_text="Your bank did not confirm the payment")).to_be_visible()
    assert booking_for(service, "E2E-PAY-RETRY") is None

    fill_card(page, CARD_OK)
    page.get_by_role("button", name=f"Pay {price}").click()
    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    assert [number for _, number in card_at_stripe.calls] == [
        CARD_3DS.replace(" ", ""),
        CARD_OK.replace(" ", ""),
    ]
    assert len({secret for secret, _ in card_at_stripe.calls}) == 1  # the same intent, tried twice
    assert booking_for(service, "E2E-PAY-RETRY").status == "confirmed"


def test_a_hold_that_lapsed_goes_back_to_the_grid_without_charging(page, paying_service, card_at_stripe):
    service = paying_service
    price, _, _ = to_payment_page(page, service, "E2E-PAY-LATE")
    fill_card(page, CARD_OK)
    service.clock.advance(minutes=20)  # the hold lapses on the server while the shopper types
    page.get_by_role("button", name=f"Pay {price}").click()

    expect(page.get_by_role("alert").filter(has_text="Your hold ran out")).to_be_visible()
    expect(page.get_by_role("heading", name="Choose a delivery window")).to_be_visible()
    assert card_at_stripe.calls == []
    assert booking_for(service, "E2E-PAY-LATE") is None


def test_without_javascript_the_page_says_card_payment_needs_it(browser, paying_service):
    context = browser.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        to_payment_page(page, paying_service, "E2E-PAY-NOJS")
        expect(page.get_by_text("Card payment needs JavaScript.")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("^Pay "))).to_be_hidden()
        expect(page.get_by_role("button", name="Choose a different window")).to_be_visible()
        snap(page, "pay-nojs")
    finally:
        context.close()
