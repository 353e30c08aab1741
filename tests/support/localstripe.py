"""Run the localstripe emulator for tests, and speak to it (and to our webhook) as Stripe would.

localstripe lives in its own virtualenv (its aiohttp pins are not ours). It is found, in order,
at $LOCALSTRIPE_BIN, <repo>/.venv-localstripe/bin/localstripe, /tmp/localstripe-venv/bin/localstripe,
or on PATH. When it cannot start, tests fail under REQUIRE_SERVICES=1 (CI) and skip otherwise.
"""

import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import stripe

from tests.support.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET_KEY = "sk_test_localstripe"
CARD_OK = "4242424242424242"


def localstripe_command() -> str | None:
    candidates = (
        os.environ.get("LOCALSTRIPE_BIN"),
        str(ROOT / ".venv-localstripe" / "bin" / "localstripe"),
        "/tmp/localstripe-venv/bin/localstripe",
        shutil.which("localstripe"),
    )
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Emulator:
    url: str
    process: subprocess.Popen

    def client(self) -> stripe.StripeClient:
        """A Stripe client of the shopper's side (what Stripe.js would do in the browser)."""
        return stripe.StripeClient(TEST_SECRET_KEY, base_addresses={"api": self.url}, max_network_retries=0)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_localstripe(timeout: float = 20.0) -> Emulator:
    """Start localstripe on a free localhost port and wait until it answers.

    Fails the test (REQUIRE_SERVICES=1) or skips it when the emulator is missing or silent.
    """
    command = localstripe_command()
    if command is None:
        unavailable("localstripe", FileNotFoundError("no localstripe executable (see the docstring)"))
    port = _free_port()
    process = subprocess.Popen(
        [command, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    last_error: Exception = TimeoutError(f"no answer on {url} within {timeout:.0f} s")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            last_error = RuntimeError(f"localstripe exited with code {process.returncode}")
            break
        try:
            urllib.request.urlopen(f"{url}/v1/customers", timeout=1).close()
        except urllib.error.HTTPError:  # it answers (401 without a key): up
            return Emulator(url, process)
        except (urllib.error.URLError, OSError) as error:
            last_error = error
            time.sleep(0.1)
        else:
            return Emulator(url, process)
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)
    unavailable("localstripe", last_error)


def pay(client: stripe.StripeClient, intent_id: str, payment_method: dict | None = None):
    """Pay an intent as the shopper's browser would: attach a card and confirm; return the intent."""
    method = client.v1.payment_methods.create(
        params=payment_method
        or {"type": "card", "card": {"number": CARD_OK, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(intent_id)


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Sign as Stripe does: ``t=<ts>,v1=<hex HMAC-SHA256(secret, "<ts>.<payload>")>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def stripe_event(event_type: str, obj: dict, created: int | None = None, event_id: str | None = None):
    """Return the body of a Stripe event about ``obj`` (a PaymentIntent as a dict)."""
    return json.dumps(
        {
            "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "api_version": "2024-06-20",
            "type": event_type,
            "created": int(time.time()) if created is None else created,
            "livemode": False,
            "data": {"object": obj},
        }
    ).encode()
