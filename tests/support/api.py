"""A small client for the retailer API in tests."""

from datetime import UTC, datetime, timedelta


class Clock:
    """A clock that tests can move; the app reads it through its CLOCK setting."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


# A Monday morning: tomorrow's windows are bookable until 22:00 tonight (demo cut-off).
MONDAY_MORNING = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


class ApiClient:
    def __init__(self, client, key: str, origin: str | None = None):
        self.client, self.key, self.origin = client, key, origin

    def _headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.key}"}
        if self.origin:
            headers["Origin"] = self.origin
        headers.update(extra or {})
        return headers

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", query_string=params, headers=self._headers())

    def post(self, path, json=None, headers=None, **kwargs):
        return self.client.post(f"/api/v1{path}", json=json, headers=self._headers(headers), **kwargs)

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", headers=self._headers())

    def slots(self, postcode="N1 2AB", **params):
        response = self.get("/slots", postcode=postcode, **params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def first_available(self, postcode="N1 2AB", width=60, **params):
        offer = self.slots(postcode, **params)
        slot = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == width)
        return offer, slot

    def hold(self, slot_id, postcode="N1 2AB", quote_id=None, **extra):
        body = {"slot_id": slot_id, "address": {"postcode": postcode}}
        body.update(extra)
        if quote_id:
            body["quote_id"] = quote_id
        return self.post("/holds", body)

    def book(self, hold_id, order_ref="ORDER-1", headers=None):
        return self.post("/bookings", {"hold_id": hold_id, "order_ref": order_ref}, headers=headers)

    def booking_session(self, order_ref="ORDER-1", postcode="N1 2AB", address=None, **extra):
        """Open a booking session for the hosted page; return the API's answer (id, url, expires_at)."""
        body = {"order_ref": order_ref, "address": {"postcode": postcode, **(address or {})}, **extra}
        response = self.post("/booking_sessions", body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()
