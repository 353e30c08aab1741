"""Send queued events to retailers, signed, retrying with exponential backoff.

Each delivery is claimed before it is sent (its next attempt is pushed past the send's time with
a conditional UPDATE), so two senders running at once never send the same delivery together.
A retailer may still receive an event twice (we sent it, their answer was lost): every event
carries a unique ``id`` for them to ignore repeats, as Stripe's do.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from sqlalchemy import select

from slotbooking.common.retry_queue import RetryQueue
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.events.models import EventDelivery, EventDeliveryAttempt, EventEndpoint
from slotbooking.retailers.models import Retailer

SIGNATURE_HEADER = "Slotbooking-Signature"


@dataclass(frozen=True)
class RetryPolicy:
    timeout_seconds: float = 5.0
    base_seconds: int = 30
    max_seconds: int = 3600
    max_attempts: int = 10

    @property
    def queue(self) -> RetryQueue:
        """The deliveries' retry queue: a claim outlasts a send's timeout twice over, with room to spare."""
        return RetryQueue(
            base_seconds=self.base_seconds,
            max_seconds=self.max_seconds,
            max_attempts=self.max_attempts,
            claim_seconds=self.timeout_seconds * 2 + 30,
        )


@dataclass
class DeliveryRun:
    delivered: int = 0
    failed: int = 0
    given_up: int = 0


def body_of(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header: ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other non-2xx: retried later


def post_json(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str | None]:
    """POST the body; return (HTTP status, None) or (None, what went wrong)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:500]


def deliver_due(session, now, policy: RetryPolicy, send=post_json, limit: int = 100) -> DeliveryRun:
    """Send every pending delivery that is due to its retailer's current webhook URL."""
    run, queue = DeliveryRun(), policy.queue
    due = session.execute(
        select(EventDelivery, EventEndpoint, Retailer.slug)
        .join(EventEndpoint, EventEndpoint.retailer_id == EventDelivery.retailer_id)
        .join(Retailer, Retailer.id == EventDelivery.retailer_id)
        .where(queue.due(EventDelivery, now), EventEndpoint.url.is_not(None))
        .order_by(EventDelivery.id)
        .limit(limit)
    ).all()
    for delivery, endpoint, slug in due:
        url, secret = endpoint.url, endpoint.secret
        if not queue.claim(session, delivery, now):
            continue
        body = body_of(delivery.payload)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "slotbooking-webhooks/1",
            SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body),
            "Slotbooking-Event-Id": delivery.event_id,
            "Slotbooking-Event-Type": delivery.kind,
            "Slotbooking-Retailer": slug,
        }
        status, error = send(url, body, headers, policy.timeout_seconds)
        with unit_of_work(session):
            outcome = _record(delivery, status, error, now, queue, run)
            session.add(
                EventDeliveryAttempt(
                    delivery_id=delivery.id,
                    number=delivery.attempts,
                    attempted_at=now,
                    status=status,
                    error=error,
                    outcome=outcome,
                )
            )
    return run


def _record(delivery: EventDelivery, status, error, now, queue: RetryQueue, run: DeliveryRun) -> str:
    """Note the attempt's answer on the delivery; return what follows: delivered, retrying or given_up."""
    delivery.last_status, delivery.last_error = status, error
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at = "delivered", now
        run.delivered += 1
        return "delivered"
    if error is None:
        delivery.last_error = f"HTTP {status}"
    if queue.failed(delivery, now):
        run.given_up += 1
        return "given_up"
    run.failed += 1
    return "retrying"


def delivery_log(session, retailer_id: int, limit: int = 50) -> list[EventDelivery]:
    """Return the retailer's latest deliveries, newest first."""
    return session.scalars(
        select(EventDelivery)
        .where(EventDelivery.retailer_id == retailer_id)
        .order_by(EventDelivery.id.desc())
        .limit(limit)
    ).all()
