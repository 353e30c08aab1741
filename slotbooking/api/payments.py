"""POST|GET /api/v1/holds/{id}/payment, and Stripe's webhook at POST /stripe/webhook."""

from flask import Blueprint as FlaskBlueprint
from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from slotbooking.api.payment_schemas import PaymentOut
from slotbooking.api.responses import documents_errors
from slotbooking.auth import require_key
from slotbooking.common.errors import DomainError
from slotbooking.common.money import money
from slotbooking.common.retry import RetryPolicy
from slotbooking.error_responses import error_body
from slotbooking.extensions import db
from slotbooking.payments import service
from slotbooking.payments.gateway import InvalidSignature
from slotbooking.payments.state import HoldLimits
from slotbooking.payments.webhooks import handle_stripe_event
from slotbooking.request_context import now, refund_sender

blp = Blueprint("payments", __name__, url_prefix="/api/v1", description="Paying for a hold with Stripe")
webhook_blp = FlaskBlueprint("stripe_webhook", __name__)


def gateway():
    return current_app.extensions["payments"]


def hold_limits() -> HoldLimits:
    return HoldLimits.from_config(current_app.config)


def retry_policy() -> RetryPolicy:
    return RetryPolicy.from_config(current_app.config)


def _payment_json(view: service.PaymentView) -> dict:
    payment = view.payment
    return {
        "hold_id": payment.hold_id,
        "payment_intent_id": view.intent.id,
        "client_secret": view.intent.client_secret,
        "amount": money(payment.amount, payment.currency),
        "status": payment.status,
        "hold_expires_at": payment.hold.expires_at.astimezone(g.tenant.tz).isoformat(),
    }


# Starting and showing a hold's payment fail the same ways.
PAYMENT_OF_HOLD_ERRORS = documents_errors(
    blp,
    404,
    409,
    410,
    s409="conflict (booked) or payment_not_required",
    s503="payments_unavailable or unavailable",
)


@blp.route("/holds/<hold_id>/payment")
class PaymentOfHold(MethodView):
    @require_key(publishable=True)
    @blp.response(200, PaymentOut)
    @PAYMENT_OF_HOLD_ERRORS
    def post(self, hold_id):
        """Start paying for a hold (one PaymentIntent per hold; a repeat returns the same one)."""
        view = service.start_payment(
            db.session, gateway(), g.tenant, hold_id, hold_limits(), now(), retry_policy()
        )
        return _payment_json(view)

    @require_key(publishable=True)
    @blp.response(200, PaymentOut)
    @PAYMENT_OF_HOLD_ERRORS
    def get(self, hold_id):
        """Show a hold's payment, brought up to date from Stripe."""
        view = service.show_payment(
            db.session, gateway(), g.tenant, hold_id, hold_limits(), now(), retry_policy()
        )
        return _payment_json(view)


@webhook_blp.post("/stripe/webhook")
def stripe_webhook():
    """Receive Stripe's events; the signature is checked over the raw body."""
    payload = request.get_data(cache=False)
    try:
        event = gateway().parse_event(payload, request.headers.get("Stripe-Signature"))
    except InvalidSignature:
        return error_body("invalid_signature", "the Stripe-Signature header does not match the body"), 400
    except DomainError as error:
        status = 400 if error.status < 500 else error.status
        return error_body(error.code, error.message, error.details), status
    outcome = handle_stripe_event(
        db.session, event, hold_limits(), now(), retry_policy(), send_refunds=refund_sender()
    )
    return {"received": True, "outcome": outcome}
