"""The app words the engine's reason codes and formats money and times in the shopper's locale."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from flask import Flask

from pricing import REASON_CODES
from slotbooking import wording
from slotbooking.wording.locales import match

LONDON = ZoneInfo("Europe/London")
WINDOW = {"start_minute": 480, "end_minute": 720}


@pytest.fixture(scope="module")
def app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    wording.init_babel(app)
    return app


def say(app, code, params, currency="GBP", locale="en_GB"):
    with app.test_request_context(), wording.in_locale(locale):
        return wording.reason_text(code, params, currency)


@pytest.mark.parametrize(
    "code, params, english",
    [
        ("cap_minimum", {"fee": 300, "amount": 50}, "The retailer's minimum fee is £3.00: +£0.50"),
        ("cap_maximum", {"fee": 900, "amount": -300}, "The retailer's maximum fee is £9.00: -£3.00"),
        (
            "demand_scarce",
            {**WINDOW, "places_left": 1, "amount": 100},
            "Popular window 08:00–12:00, likely to fill up (1 place left): +£1.00",
        ),
        (
            "demand_scarce",
            {**WINDOW, "places_left": 8, "amount": 100},
            "Popular window 08:00–12:00, likely to fill up (8 places left): +£1.00",
        ),
        ("demand_busy", {**WINDOW, "amount": 25}, "Busy time of day 08:00–12:00: +£0.25"),
        (
            "demand_route",
            {**WINDOW, "extra_km": 2.1, "amount": 50},
            "Harder to fit into our routes 08:00–12:00 (about 2.1 km extra): +£0.50",
        ),
        ("demand_spare", {**WINDOW, "amount": -50}, "Spare room on our vans 08:00–12:00: -£0.50"),
        (
            "green_discount",
            {**WINDOW, "nearest_stop_km": 0.4, "co2_grams": 151, "amount": -75},
            "A van is already near you 08:00–12:00 (about 0.4 km away): -£0.75, saves about 151 g CO2",
        ),
        (
            "green_discount",
            {**WINDOW, "nearest_stop_km": 0.4, "co2_grams": 0, "amount": -75},
            "A van is already near you 08:00–12:00 (about 0.4 km away): -£0.75",
        ),
        (
            "wide_discount",
            {**WINDOW, "co2_grams": 1234, "amount": -84},
            "Any time 08:00–12:00 lets us plan a shorter route: -£0.84, saves about 1,234 g CO2",
        ),
        ("offpeak_discount", {**WINDOW, "amount": -16}, "Quieter time of day 08:00–12:00: -£0.16"),
        ("static_wide", {**WINDOW, "amount": -100}, "Any time 08:00–12:00: -£1.00 for a wider window"),
        (
            "green_window",
            {**WINDOW, "nearest_stop_km": 0.4, "co2_grams": 151},
            "A van is already near you 08:00–12:00 (about 0.4 km away), saves about 151 g CO2",
        ),
    ],
)
def test_reasons_read_in_british_english_as_the_engine_once_wrote_them(app, code, params, english):
    assert say(app, code, params) == english


def test_every_code_of_the_engine_has_words_in_both_languages(app):
    params = {**WINDOW, "fee": 300, "amount": -50, "places_left": 2, "extra_km": 1.0}
    params.update(nearest_stop_km=0.3, co2_grams=90)
    for code in REASON_CODES:
        english, german = say(app, code, params), say(app, code, params, locale="de_DE")
        assert english and german and english != german, code
    assert say(app, "no_such_code", params) is None


def test_german_reasons_use_german_numbers_and_money(app):
    facts = {**WINDOW, "nearest_stop_km": 0.4, "co2_grams": 1234, "amount": -75}
    text = say(app, "green_discount", facts, locale="de_DE")
    assert text == (
        "08:00–12:00 ist schon ein Lieferwagen in Ihrer Nähe (etwa 0,4\xa0km entfernt): -0,75\xa0£, "
        "spart etwa 1.234\xa0g CO₂"
    )
    scarce = say(app, "demand_scarce", {**WINDOW, "places_left": 1, "amount": 100}, "EUR", "de_AT")
    # Austria writes the euro before the amount.
    assert (
        scarce == "Beliebtes Fenster 08:00–12:00, wird wohl bald ausgebucht (noch 1 Platz frei): +€\xa01,00"
    )


@pytest.mark.parametrize(
    "amount, currency, locale, text",
    [
        (-100, "GBP", "en_GB", "-£1.00"),
        (50, "EUR", "en_GB", "+€0.50"),
        (1234, "USD", "en_US", "+$12.34"),
        (-5, "CHF", "de_CH", "-CHF\xa00.05"),
        (300, "JPY", "en_GB", "+JP¥300"),
        (-75, "EUR", "de_DE", "-0,75\xa0€"),
    ],
)
def test_signed_money_follows_the_currency_and_the_locale(amount, currency, locale, text):
    assert wording.signed_money(amount, currency, Locale.parse(locale)) == text


def test_times_are_24_hour_in_britain_and_germany_and_12_hour_in_america():
    start, end = datetime(2026, 11, 24, 8, tzinfo=LONDON), datetime(2026, 11, 24, 12, tzinfo=LONDON)
    shown = {
        code: wording.time_range(start, end, LONDON, Locale.parse(code))
        for code in ("en_GB", "de_DE", "en_US")
    }
    assert shown == {"en_GB": "08:00–12:00", "de_DE": "08:00–12:00", "en_US": "8:00\u202fAM–12:00\u202fPM"}
    assert wording.clock_range(1380, 1440, Locale.parse("en_GB")) == "23:00–00:00"  # ends at midnight


@pytest.mark.parametrize(
    "asked, retailer, chosen",
    [
        ("de", "en_GB", "de_DE"),
        ("de-AT", "en_GB", "de_AT"),
        ("en", "en_GB", "en_GB"),
        ("en", "en_IE", "en_IE"),
        ("en_US", "en_GB", "en_US"),
        ("fr", "en_GB", None),
        ("zz-not-a-locale", "en_GB", None),
        ("", "en_GB", None),
    ],
)
def test_a_lang_parameter_picks_one_of_our_locales(asked, retailer, chosen):
    assert match(asked, retailer) == chosen
