"""A shopper's checkout through the API: windows, hold, book, reschedule, cancel."""


def test_slots_for_an_address_are_priced_and_quoted(shop):
    offer = shop.slots("n1 2ab")
    assert offer["zone"] == "N1"
    assert offer["quote_id"] and offer["expires_at"].endswith("+00:00")
    available = [s for s in offer["slots"] if s["available"]]
    assert available, "tomorrow's windows should be bookable on Monday morning"
    slot = available[0]
    assert slot["price"] == {"amount": 400, "currency": "GBP"}
    assert slot["price"]["amount"] == slot["base_price"]["amount"] + sum(
        i["amount"] for i in slot["incentives"]
    )
    assert {s["width_minutes"] for s in available} == {60, 240}


def test_hold_book_reschedule_cancel(shop):
    offer, slot = shop.first_available()
    hold = shop.hold(slot["id"], quote_id=offer["quote_id"])
    assert hold.status_code == 201, hold.get_json()
    booking = shop.book(hold.get_json()["id"])
    assert booking.status_code == 201, booking.get_json()
    body = booking.get_json()
    assert body["status"] == "confirmed" and body["slot"]["id"] == slot["id"]
    assert body["address"]["postcode"] == "N1 2AB"
    assert body["manage_url"].startswith("http://shop.test/manage/")

    other = next(s for s in offer["slots"] if s["available"] and s["id"] != slot["id"])
    moved = shop.post(f"/bookings/{body['id']}/reschedule", {"slot_id": other["id"]})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["slot"]["id"] == other["id"]
    assert moved.get_json()["status"] == "rescheduled"

    cancelled = shop.post(f"/bookings/{body['id']}/cancel")
    again = shop.post(f"/bookings/{body['id']}/cancel")
    assert cancelled.status_code == again.status_code == 200
    assert cancelled.get_json() == again.get_json()
    assert again.get_json()["status"] == "cancelled"
