"""Languages over HTTP: the retailer's locale, the shopper's choice, the API's reasons, the widget's words."""

import copy
import json
import re

import pytest

from pricing import REASON_CODES
from slotbooking.demo.cli import demo_document
from tests.conftest import import_document
from tests.support.api import ApiClient

BOOK = "/r/demo-grocer/book"
TWELVE_HOUR_TIME = re.compile(r"\b\d{1,2}:\d{2}[\s\u202f]?[AP]M\b")
NEAR = {"postcode": "N1 2AB", "lat": 51.5390, "lon": -0.1020}


def document(locale=None, mode="dynamic") -> dict:
    doc = copy.deepcopy(demo_document())
    doc["pricing"]["mode"] = mode
    if locale:
        doc["retailer"]["locale"] = locale
    return doc


def open_grid(client, secret_key, **headers) -> str:
    made = ApiClient(client, secret_key).booking_session("ORDER-L", NEAR["postcode"])
    client.get("/" + made["url"].split("/", 3)[3])
    return client.get(BOOK, headers=headers).get_data(as_text=True)


def test_the_api_gives_each_reason_as_words_code_and_numbers(app, client, clock):
    keys = import_document(app, document(), clock)
    shop = ApiClient(client, keys["secret_key"])
    offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    incentives = [i for s in offer["slots"] for i in s["incentives"]]
    assert incentives
    for incentive in incentives:
        assert incentive["reason_code"] in REASON_CODES
        assert incentive["reason_params"]["amount"] == incentive["amount"]
        assert "£" in incentive["reason"] and "–" in incentive["reason"] or incentive["kind"] == "cap"
    for slot in offer["slots"]:
        assert ("green_reason_code" in slot) == (slot["green_reason"] is not None)
    chosen = next(s for s in offer["slots"] if s["available"] and s["incentives"])
    held = shop.hold(chosen["id"], quote_id=offer["quote_id"], address=NEAR).get_json()
    assert held["incentives"] == chosen["incentives"]  # the hold keeps the codes and numbers


def test_a_german_retailers_api_reasons_are_german_whatever_the_caller_accepts(app, client, clock):
    keys = import_document(app, document("de_DE"), clock)
    shop = ApiClient(client, keys["secret_key"])
    offer = shop.slots(NEAR["postcode"], lat=NEAR["lat"], lon=NEAR["lon"])
    reasons = [i["reason"] for s in offer["slots"] for i in s["incentives"]]
    assert reasons and all("\xa0£" in r for r in reasons if "£" in r)  # German money: 0,50 £


def test_a_page_speaks_the_retailers_locale_unless_the_shopper_asks_for_another(app, client, clock):
    keys = import_document(app, document("de_DE", mode="flat"), clock)
    german = open_grid(client, keys["secret_key"])
    assert "Lieferfenster wählen" in german and '<html lang="de">' in german
    assert "4,00\xa0£" in german and "08:00–12:00" in german
    english = client.get(BOOK, headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert "Choose a delivery window" in english and "£4.00" in english
    unknown = client.get(BOOK, headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert "Lieferfenster wählen" in unknown  # no French: the retailer's language


def test_a_browser_in_the_retailers_language_gets_the_retailers_formats(app, client, demo):
    """An en-US browser at a London shop reads 24-hour windows, as the shop's reasons and drivers do."""
    american = open_grid(client, demo["secret_key"], **{"Accept-Language": "en-US,en;q=0.9"})
    assert "Choose a delivery window" in american and "08:00–12:00" in american
    assert not TWELVE_HOUR_TIME.search(american)  # not "AM" alone: a random token may hold it
    asked = client.get(f"{BOOK}?lang=en_US").get_data(as_text=True)
    assert "8:00\u202fAM" in asked or "8:00 AM" in asked  # asked for by name, US formats it is


def test_lang_in_the_address_wins_and_stays_for_the_next_pages(app, client, demo):
    assert "Choose a delivery window" in open_grid(client, demo["secret_key"], **{"Accept-Language": "en-GB"})
    german = client.get(f"{BOOK}?lang=de", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Lieferfenster wählen" in german
    again = client.get(BOOK, headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Lieferfenster wählen" in again
    back = client.get(f"{BOOK}?lang=en", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Choose a delivery window" in back
    ignored = client.get(f"{BOOK}?lang=xx", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Choose a delivery window" in ignored


def test_the_widget_gets_its_words_in_the_language_it_asks_for(client, demo):
    german = client.get("/widget/strings?lang=de")
    assert german.status_code == 200 and german.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in german.headers
    body = german.get_json()
    assert body["locale"] == "de-DE" and body["messages"]["show_windows"] == "Lieferfenster anzeigen"
    assert body["messages"]["minutes"] == {"one": "{n} Minute", "other": "{n} Minuten"}
    english = client.get("/widget/strings", headers={"Accept-Language": "en-GB"}).get_json()
    assert english["locale"] == "en-GB" and english["messages"]["show_windows"] == "Show windows"
    assert set(english["messages"]) == set(body["messages"])
    embed = client.get(
        f"/embed/demo-grocer?key={demo['publishable_key']}&postcode=N1", headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert '<html lang="de-DE">' in embed and "Lieferfenster anzeigen" in embed


@pytest.mark.parametrize("locale", ["fr_FR", "german", ""])
def test_a_setup_document_with_a_locale_we_do_not_serve_is_refused(runner, tmp_path, locale):
    path = tmp_path / "setup.json"
    path.write_text(json.dumps(document(locale or " ")))
    result = runner.invoke(args=["retailer", "import", str(path), "--json"])
    assert result.exit_code != 0 and "locale" in result.output


def test_the_locale_is_exported_with_the_setup(app, runner, clock):
    import_document(app, document("de_AT"), clock)
    result = runner.invoke(args=["retailer", "export", "demo-grocer"])
    assert result.exit_code == 0 and '"locale": "de_AT"' in result.output
