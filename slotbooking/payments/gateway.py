"""Stripe, behind the few calls the payment services make; built from the app's settings."""

from dataclasses import dataclass

import stripe

from slotbooking.common.errors import PaymentsUnavailable, ValidationFailed


@dataclass(frozen=True)
class Intent:
    """What we keep of a PaymentIntent."""

    id: str
    status: str
    client_secret: str | None
    amount: int
    currency: str


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    created: int
    object: dict


class InvalidSignature(Exception):
    """The Stripe-Signature header does not match the body."""


def _intent(obj) -> Intent:
    return Intent(obj.id, obj.status, obj.client_secret, int(obj.amount), str(obj.currency).upper())


class StripeGateway:
    """The Stripe client for this deployment, or an off switch when no key is configured."""

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str = "", timeout: float = 10.0):
        self.webhook_secret = webhook_secret
        self._client = None
        if secret_key:
            options = {"max_network_retries": 2, "http_client": stripe.RequestsClient(timeout=timeout)}
            if api_base:
                options["base_addresses"] = {"api": api_base}
            self._client = stripe.StripeClient(secret_key, **options)

    @property
    def enabled(self) -> bool:
        return self._client is not None

    def _stripe(self):
        if self._client is None:
            raise PaymentsUnavailable("card payments are not configured on this service")
        return self._client

    def create_intent(self, amount: int, currency: str, metadata: dict, idempotency_key: str) -> Intent:
        """Create a PaymentIntent; Stripe answers a repeat of the key with the first intent.

        :raises PaymentsUnavailable:
        """
        params = {"amount": amount, "currency": currency.lower(), "metadata": metadata}
        return self._call(
            lambda s: s.v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})
        )

    def retrieve_intent(self, intent_id: str) -> Intent:
        """:raises PaymentsUnavailable:"""
        return self._call(lambda s: s.v1.payment_intents.retrieve(intent_id))

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        """Refund a PaymentIntent once, even when asked again; return the Stripe refund id.

        Stripe keeps idempotency keys for 24 hours, so an earlier refund carrying our key in its
        metadata is looked for first: a retry days later still refunds only once.

        :raises PaymentsUnavailable:
        """
        stripe_client = self._stripe()
        try:
            for earlier in stripe_client.v1.refunds.list(params={"payment_intent": intent_id, "limit": 100}):
                # A StripeObject is no dict (no .get); read it as one.
                metadata = earlier.metadata.to_dict() if earlier.metadata else {}
                if metadata.get("slotbooking_key") == idempotency_key:
                    return earlier.id
            created = stripe_client.v1.refunds.create(
                params={
                    "payment_intent": intent_id,
                    "amount": amount,
                    "metadata": {"slotbooking_key": idempotency_key},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise PaymentsUnavailable(f"Stripe did not refund: {error.user_message or error}") from error
        return created.id

    def _call(self, request) -> Intent:
        try:
            return _intent(request(self._stripe()))
        except stripe.StripeError as error:
            message = f"Stripe did not answer as expected: {error.user_message or error}"
            raise PaymentsUnavailable(message) from error

    def parse_event(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """Check the Stripe-Signature over the raw body and read the event.

        :raises InvalidSignature, ValidationFailed, PaymentsUnavailable:
        """
        if not self.webhook_secret:
            raise PaymentsUnavailable("Stripe webhooks are not configured on this service")
        try:
            event = stripe.Webhook.construct_event(payload, signature or "", self.webhook_secret)
        except stripe.SignatureVerificationError as error:
            raise InvalidSignature(str(error)) from error
        except ValueError as error:
            raise ValidationFailed("the webhook body is not a Stripe event") from error
        try:
            return WebhookEvent(
                str(event["id"]), str(event["type"]), int(event["created"]), event["data"]["object"].to_dict()
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValidationFailed("the webhook body is not a Stripe event") from error
