"""A retailer with a little of everything the dashboards count, made through the API and the CLIs.

Used by the integration test (figures against the database) and the browser test (pages).
Dynamic pricing with a daily discount budget; webhooks sent to a port where nobody listens,
so that deliveries fail once their retries are spent.
"""

from dataclasses import dataclass

from slotbooking.demo.cli import demo_document
from tests.conftest import import_document
from tests.support.api import ApiClient

NEAR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}
EAST = {"postcode": "E8 1AA", "lat": 51.5450, "lon": -0.0550}
DAILY_BUDGET = 1_000
NOBODY_LISTENS = "http://127.0.0.1:9/events"


@dataclass
class Made:
    shop: ApiClient
    keys: dict
    booked: list  # the API's answers for bookings that stand
    cancelled: list
    held: dict  # the live hold's answer
    offers_shown: int
    offers_booked: int


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _created(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def make_bookings(app, clock) -> Made:
    """Book five orders in two depots (one tied to its offer, one green, one wide), cancel one, hold one."""
    document = demo_document()
    document["pricing"].update(mode="dynamic", daily_discount_budget=DAILY_BUDGET)
    document["events"] = {"webhook_url": NOBODY_LISTENS}
    keys = import_document(app, document, clock)
    shop = ApiClient(app.test_client(), keys["secret_key"])
    near = {"lat": NEAR["lat"], "lon": NEAR["lon"]}

    offer = shop.slots(NEAR["postcode"], **near)
    hourly = next(s for s in offer["slots"] if s["available"] and s["width_minutes"] == 60)
    hold = _created(shop.hold(hourly["id"], quote_id=offer["quote_id"], address=NEAR))
    booked = [_created(shop.book(hold["id"], order_ref="TIED"))]
    booked.append(
        _created(shop.post("/bookings", {"slot_id": hourly["id"], "address": NEAR, "order_ref": "NEXT"}))
    )

    again = shop.slots(NEAR["postcode"], **near)  # shown, and the green window booked from it
    green = next(s for s in again["slots"] if s["id"] == hourly["id"])
    assert green["green"] and any(i["kind"] == "green" for i in green["incentives"]), green
    hold = _created(shop.hold(green["id"], quote_id=again["quote_id"], address=NEAR))
    booked.append(_created(shop.book(hold["id"], order_ref="GREEN")))

    wide = next(s for s in again["slots"] if s["available"] and s["width_minutes"] == 240)
    booked.append(
        _created(shop.post("/bookings", {"slot_id": wide["id"], "address": NEAR, "order_ref": "WIDE"}))
    )

    east = shop.slots(EAST["postcode"], lat=EAST["lat"], lon=EAST["lon"])  # shown, never booked
    eastern = next(s for s in east["slots"] if s["available"] and s["width_minutes"] == 60)
    booked.append(
        _created(shop.post("/bookings", {"slot_id": eastern["id"], "address": EAST, "order_ref": "EAST"}))
    )
    gone = _created(shop.post("/bookings", {"slot_id": eastern["id"], "address": EAST, "order_ref": "GONE"}))
    assert shop.post(f"/bookings/{gone['id']}/cancel").status_code == 200
    live = _created(shop.hold(hourly["id"], address=NEAR))

    cli(app, "pricing", "record-offers")
    cli(app, "routes", "plan", "demo-grocer")
    return Made(shop, keys, booked, [gone], live, offers_shown=3, offers_booked=2)


def fail_webhooks(app, clock) -> None:
    """Send the queued webhooks until their retries are spent (nobody listens): all fail."""
    for _ in range(12):
        cli(app, "events", "deliver")
        clock.advance(hours=2)
