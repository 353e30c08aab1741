"""Every bad input gets the contract's 4xx code, and nothing changes."""

import pytest

from tests.support.db import row_counts


@pytest.fixture
def unchanged(app, shop):
    """Assert after the test that no booking, hold, slot or idempotency record appeared."""
    shop.slots()  # let the slots exist before counting
    before = row_counts(app)
    yield
    assert row_counts(app) == before


def error_of(response, status, code):
    body = response.get_json()
    assert response.status_code == status, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.usefixtures("unchanged")
class TestSlotsQuery:
    @pytest.mark.parametrize(
        "params, field",
        [
            ({"days": "-1"}, "days"),
            ({"days": "99999999999999999999"}, "days"),
            ({"days": "abc"}, "days"),
            ({"lat": "1e308", "lon": "0"}, "lat"),
            ({"lat": "nan", "lon": "0"}, "lat"),
            ({"lat": "51.5"}, "lat"),
            ({"from": "2026-13-45"}, "from"),
            ({"from": "2026-11-24T08:00:00"}, "from"),
            ({"from": "24/11/2026"}, "from"),
            ({"from": "2020-01-01"}, "from"),
            ({"from": "2030-01-01"}, "from"),
            ({"postcode": "N1\x00 2AB"}, "postcode"),
            ({"postcode": "☃☃☃"}, "postcode"),
            ({"postcode": "N" * 40}, "postcode"),
        ],
    )
    def test_bad_query_is_a_validation_error_naming_the_field(self, shop, params, field):
        params = {"postcode": "N1 2AB", **params}
        error = error_of(shop.get("/slots", **params), 422, "validation_error")
        assert any(field in key for key in error["details"]), error

    def test_unknown_postcode_is_not_served(self, shop):
        error_of(shop.get("/slots", postcode="ZZ9 9ZZ"), 422, "address_not_served")

    def test_missing_or_wrong_key_is_unauthorized(self, client):
        assert client.get("/api/v1/slots?postcode=N1").status_code == 401
        response = client.get("/api/v1/slots?postcode=N1", headers={"Authorization": "Bearer sk_nope"})
        error_of(response, 401, "unauthorized")


@pytest.mark.usefixtures("unchanged")
class TestWrites:
    @pytest.mark.parametrize(
        "body, field",
        [
            ({}, "slot_id"),
            ({"slot_id": "slot_x"}, "address"),
            ({"slot_id": "slot_x", "address": {"postcode": "N1\x00"}}, "postcode"),
            ({"slot_id": "slot\x00x", "address": {"postcode": "N1 2AB"}}, "slot_id"),
            ({"slot_id": "s" * 5000, "address": {"postcode": "N1 2AB"}}, "slot_id"),
            ({"slot_id": 12, "address": {"postcode": "N1 2AB"}}, "slot_id"),
            ({"slot_id": "slot_x", "address": {"postcode": "N1 2AB", "lat": 95, "lon": 0}}, "lat"),
            ({"slot_id": "slot_x", "address": {"postcode": "N1 2AB"}, "extra": 1}, "extra"),
        ],
    )
    def test_bad_hold_bodies(self, shop, body, field):
        error = error_of(shop.post("/holds", body), 422, "validation_error")
        assert any(field in key for key in error["details"]), error

    def test_malformed_json_and_wrong_types(self, shop):
        response = shop.client.post(
            "/api/v1/holds",
            data=b"{not json",
            headers={**shop._headers(), "Content-Type": "application/json"},
        )
        error_of(response, 400, "validation_error")
        error_of(shop.post("/holds", json=[1, 2]), 422, "validation_error")
        error_of(shop.post("/bookings", json={"order_ref": "x"}), 422, "validation_error")

    def test_unicode_junk_and_nul_bytes(self, shop):
        junk = "\u202e\ufeff𝔘𝔫𝔦𝔠𝔬𝔡𝔢\x00"
        error_of(
            shop.post("/holds", {"slot_id": junk, "address": {"postcode": junk}}), 422, "validation_error"
        )
        raw = b'{"slot_id": "\xff\xfe", "address": {"postcode": "N1"}}'
        response = shop.client.post(
            "/api/v1/holds", data=raw, headers={**shop._headers(), "Content-Type": "application/json"}
        )
        assert response.status_code in (400, 422)
        assert response.get_json()["error"]["code"] == "validation_error"

    def test_a_ten_megabyte_body_is_too_large(self, shop):
        big = b'{"slot_id": "' + b"a" * (10 * 1024 * 1024) + b'"}'
        response = shop.client.post(
            "/api/v1/holds", data=big, headers={**shop._headers(), "Content-Type": "application/json"}
        )
        error_of(response, 413, "payload_too_large")

    def test_unknown_ids_are_not_found(self, shop):
        error_of(shop.hold("slot_doesnotexist"), 404, "not_found")
        error_of(shop.book("hold_doesnotexist"), 404, "not_found")
        error_of(shop.get("/bookings/bkg_nope"), 404, "not_found")
        error_of(shop.post("/bookings/bkg_nope/cancel"), 404, "not_found")
        error_of(shop.post("/bookings/bkg_nope/reschedule", {"slot_id": "slot_nope"}), 404, "not_found")
        error_of(shop.delete("/holds/hold_nope"), 404, "not_found")

    def test_address_outside_the_slot_zone(self, shop):
        _, slot = shop.first_available("N1 2AB")
        error_of(shop.hold(slot["id"], postcode="E8 1AA"), 422, "address_not_served")
        error_of(shop.hold(slot["id"], postcode="ZZ9 9ZZ"), 422, "address_not_served")

    def test_past_and_closed_windows_are_unavailable(self, shop):
        offer = shop.slots("N1 2AB")
        closed = next(s for s in offer["slots"] if not s["available"] and s["remaining"] == 0)
        error_of(shop.hold(closed["id"]), 422, "slot_unavailable")

    def test_bad_idempotency_key_header(self, shop):
        _, slot = shop.first_available()
        body = {"slot_id": slot["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "A"}
        error_of(
            shop.post("/bookings", body, headers={"Idempotency-Key": "x" * 300}), 422, "validation_error"
        )


def test_blackout_dates_offer_nothing_and_refuse_holds(app, shop, clock):
    from slotbooking.demo.cli import demo_document
    from tests.conftest import import_document

    _, slot = shop.first_available()
    document = demo_document()
    document["booking_rules"]["blackout_dates"] = [slot["date"]]
    import_document(app, document, clock)
    offer = shop.slots(**{"from": slot["date"], "days": 1})
    assert offer["slots"] == []
    before = row_counts(app)
    error_of(shop.hold(slot["id"]), 422, "slot_unavailable")
    assert row_counts(app) == before


def test_replayed_idempotency_key_with_another_body_conflicts(app, shop):
    offer = shop.slots()
    first, second = [s for s in offer["slots"] if s["available"]][:2]
    key = {"Idempotency-Key": "order-42"}
    body = {"slot_id": first["id"], "address": {"postcode": "N1 2AB"}, "order_ref": "42"}
    created = shop.post("/bookings", body, headers=key)
    assert created.status_code == 201
    replay = shop.post("/bookings", body, headers=key)
    assert replay.status_code == 201 and replay.get_json() == created.get_json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    before = row_counts(app)
    other = {**body, "slot_id": second["id"]}
    error_of(shop.post("/bookings", other, headers=key), 409, "idempotency_conflict")
    assert row_counts(app) == before
