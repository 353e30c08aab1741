"""The shopper's manage link: a token derived from the booking id, stored only as a digest.

The Booking answer must carry ``manage_url`` on every GET, so the token cannot be a random
value kept only as a digest. It is an HMAC-SHA256 of the booking id under a key derived from
SECRET_KEY: the service can always say it again, nobody without the key can make one, and the
database holds only its SHA-256 digest, so a leaked table opens no booking. A link stops
working once its delivery day has passed (``expires_at``). docs/security.md has the design.
"""

import base64
import hashlib
import hmac
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

_PURPOSE = b"slotbooking manage links v1"


def token_digest(token: str) -> str:
    """Return the digest a manage token is stored as (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def expires_at(service_date, timezone: str) -> datetime:
    """Return when a manage link for a delivery on this day stops working: the next local midnight."""
    return datetime.combine(service_date + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))


class ManageLinks:
    """Make a booking's manage token and URL; handed to the services and presenters that need them."""

    def __init__(self, secret_key: str, base_url: str):
        # A key of its own, derived from SECRET_KEY, so that a token never doubles as a session signature.
        self._key = hmac.new(secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
        self._base_url = base_url.rstrip("/")

    def token(self, booking_id: str) -> str:
        """Return the booking's manage token (43 URL-safe characters)."""
        mac = hmac.new(self._key, booking_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def digest(self, booking_id: str) -> str:
        """Return what the booking row stores for its manage token."""
        return token_digest(self.token(booking_id))

    def url(self, booking_id: str) -> str:
        """Return the booking's absolute manage URL."""
        return f"{self._base_url}/manage/{self.token(booking_id)}"
