"""Setup editing in the console: each setup page saves into the draft with the setup document's own
validation (errors beside the input they name), nothing is live until publish, publish makes it live."""

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from slotbooking.drafts.service import draft_of, live_document
from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer
from tests.support.console import add_staff, log_in
from tests.support.forms import form_values

SLUG = "demo-grocer"


@pytest.fixture
def admin(app, demo, client):
    add_staff(app, "ann@example.com", demo["retailer"], "admin")
    log_in(client, "ann@example.com")
    return client


def page(client, name: str):
    response = client.get(f"/ops/r/{SLUG}/setup/{name}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def send(client, name: str, changes: dict, start: dict | None = None):
    """Submit the page's form as shown (or as ``start``), with some inputs changed."""
    values = start if start is not None else form_values(page(client, name))
    return client.post(f"/ops/r/{SLUG}/setup/{name}", data={**values, **changes})


def documents(app):
    """Return (the live document, the draft's or None)."""
    with app.app_context():
        retailer = db.session.scalar(select(Retailer).where(Retailer.slug == SLUG))
        draft = draft_of(db.session, retailer.id)
        found = live_document(retailer), (draft.document if draft else None)
        db.session.rollback()
        return found


def publish(client):
    values = form_values(client.get(f"/ops/r/{SLUG}/draft").get_data(as_text=True))
    return client.post(f"/ops/r/{SLUG}/draft/publish", data={"csrf_token": values["csrf_token"], "note": "t"})


def added_row(client, name: str, table: str) -> dict:
    """Press a table's "add a row" button; return the redrawn form's values."""
    response = send(client, name, {"add": table})
    assert response.status_code == 200
    return form_values(response.get_data(as_text=True))


GOOD_EDITS = [
    ("templates", {"templates-0-capacity": "7", "templates-0-fee": "1.25"}, lambda d: d["slot_templates"][0]),
    (
        "rules",
        {"booking_rules.horizon_days": "21", "booking_rules.cutoff": "20:00"},
        lambda d: d["booking_rules"],
    ),
    ("fleet", {"fleet-1-count": "5", "fleet-1-shift_end": "20:30"}, lambda d: d["fleet"][1]),
    (
        "places",
        {"zones-0-postcode_prefixes": "N1, N5, N4", "depots-1-name": "Barking Riverside"},
        lambda d: d,
    ),
    ("connections", {"events.webhook_url": "https://shop.example/hooks"}, lambda d: d["events"]),
]
EXPECTED = {
    "templates": lambda part: (part["capacity"], part["fee"]) == (7, 125),
    "rules": lambda part: (part["horizon_days"], part["cutoff"]) == (21, "20:00"),
    "fleet": lambda part: (part["count"], part["shift_end"]) == (5, "20:30"),
    "places": lambda d: (
        sorted(d["zones"][0]["postcode_prefixes"]) == ["N1", "N4", "N5"]
        and d["depots"][1]["name"] == "Barking Riverside"
    ),
    "connections": lambda part: part["webhook_url"] == "https://shop.example/hooks",
}


@pytest.mark.parametrize(("name", "changes", "part"), GOOD_EDITS, ids=[e[0] for e in GOOD_EDITS])
def test_a_good_edit_lands_in_the_draft_and_is_live_only_after_publish(app, admin, name, changes, part):
    response = send(admin, name, changes)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/ops/r/{SLUG}/draft")
    live, draft = documents(app)
    assert EXPECTED[name](part(draft))
    assert not EXPECTED[name](part(live))
    assert publish(admin).status_code == 302
    live, draft = documents(app)
    assert draft is None and EXPECTED[name](part(live))


BAD_EDITS = [
    ("templates", {"templates-0-capacity": "-1"}, "slot_templates-0-capacity-error"),
    ("templates", {"templates-1-capacity": "four"}, "slot_templates-1-capacity-error"),
    ("templates", {"templates-0-end": "07:00"}, "slot_templates-0-end-error"),
    ("templates", {"templates-0-zones": "N1, ZZ"}, "slot_templates-0-zones-error"),
    ("rules", {"booking_rules.hold_minutes": "500"}, "booking_rules-hold_minutes-error"),
    ("fleet", {"fleet-0-depot": "NOWHERE"}, "fleet-0-depot-error"),
    ("fleet", {"fleet-0-vehicle": "rocket"}, "fleet-0-vehicle-error"),
    ("places", {"zones-1-postcode_prefixes": "NW1, N5"}, "zones-1-postcode_prefixes-error"),
    ("places", {"depots-0-lat": "north"}, "depots-0-lat-error"),
    ("connections", {"events.webhook_url": "ftp://shop.example"}, "events-webhook_url-error"),
    ("connections", {"origins-0-origin": "shop.example"}, "retailer-allowed_origins-0-error"),
]


@pytest.mark.parametrize(("name", "changes", "error_id"), BAD_EDITS, ids=[e[2] for e in BAD_EDITS])
def test_a_bad_edit_is_refused_beside_its_input(app, admin, name, changes, error_id):
    response = send(admin, name, changes)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{error_id}"' in html
    assert f'aria-describedby="{error_id}"' in html
    assert documents(app)[1] is None  # no draft was made


def test_blackout_dates_rows_are_added_and_removed_server_side(app, admin, clock):
    day = (clock().date() + timedelta(days=3)).isoformat()
    before = documents(app)[0]["booking_rules"]["blackout_dates"]
    values = added_row(admin, "rules", "blackout")
    new = len(before)
    assert values["blackout-rows"] == str(new + 1) and values[f"blackout-{new}-date"] == ""
    refused = send(admin, "rules", {f"blackout-{new}-date": "25/12"}, values)
    assert refused.status_code == 422
    assert f'id="booking_rules-blackout_dates-{new}-error"' in refused.get_data(as_text=True)
    assert send(admin, "rules", {f"blackout-{new}-date": day}, values).status_code == 302
    assert documents(app)[1]["booking_rules"]["blackout_dates"] == [*before, day]
    publish(admin)
    assert day in documents(app)[0]["booking_rules"]["blackout_dates"]
    shown = form_values(page(admin, "rules"))
    where = next(k for k, v in shown.items() if v == day)
    values = form_values(send(admin, "rules", {"remove": where.removesuffix("-date")}).get_data(as_text=True))
    assert values["blackout-rows"] == str(new)
    assert send(admin, "rules", {}, values).status_code == 302
    assert sorted(documents(app)[1]["booking_rules"]["blackout_dates"]) == sorted(before)


def test_a_new_slot_template_row_is_saved_and_a_removed_one_goes(app, admin):
    values = added_row(admin, "templates", "templates")
    last = int(values["templates-rows"]) - 1
    fields = {
        f"templates-{last}-start": "21:00",
        f"templates-{last}-end": "22:00",
        f"templates-{last}-capacity": "3",
    }
    assert send(admin, "templates", fields, values).status_code == 302
    _, draft = documents(app)
    assert draft["slot_templates"][-1] == {
        "zones": "*",
        "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        "start": "21:00",
        "end": "22:00",
        "capacity": 3,
        "fee": 0,
    }
    count = len(draft["slot_templates"])
    values = form_values(send(admin, "templates", {"remove": "templates-0"}).get_data(as_text=True))
    assert send(admin, "templates", {}, values).status_code == 302
    assert len(documents(app)[1]["slot_templates"]) == count - 1


def test_removing_a_depot_still_used_is_refused_with_the_reason(app, admin):
    values = form_values(send(admin, "places", {"remove": "depots-1"}).get_data(as_text=True))
    response = send(admin, "places", {}, values)
    assert response.status_code == 422
    assert 'unknown depot "BKG"' in unescape(response.get_data(as_text=True))


def test_lowering_a_capacity_below_bookings_is_refused_on_the_form(app, admin, shop):
    _, slot = shop.first_available()
    hold = shop.hold(slot["id"]).get_json()
    assert shop.book(hold["id"]).status_code == 201
    values = form_values(page(admin, "templates"))
    rows = int(values["templates-rows"])
    response = send(admin, "templates", {f"templates-{i}-capacity": "0" for i in range(rows)}, values)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already booked" in html
    assert documents(app)[1] is None


def test_a_viewer_sees_the_setup_read_only(app, demo, client):
    add_staff(app, "vic@example.com", demo["retailer"], "viewer")
    log_in(client, "vic@example.com")
    overview = client.get(f"/ops/r/{SLUG}/setup").get_data(as_text=True)
    assert f"/ops/r/{SLUG}/setup/templates" in overview
    html = page(client, "templates")
    assert "disabled" in html and "Save to draft" not in html
    values = form_values(html)
    response = client.post(f"/ops/r/{SLUG}/setup/templates", data={**values, "templates-0-capacity": "9"})
    assert response.status_code == 403
    assert documents(app)[1] is None
