"""Money, numbers and times as a shopper of one locale reads them (Babel, CLDR data).

Formatting is memoised per locale: a grid words a few hundred reasons from a handful of
distinct amounts and windows, and Babel's formatters are the costly part of a cache miss.
"""

import re
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_minus_sign_symbol,
    get_plus_sign_symbol,
)

# Between the two ends of a window: an en dash, tight, as in "08:00–12:00".
RANGE = "{start}–{end}"


def money(amount: int, currency: str, locale: Locale) -> str:
    """Format integer minor units, e.g. 450 GBP -> '£4.50' (en_GB) or '4,50 £' (de_DE)."""
    return _money(int(amount), currency, str(locale))


def signed_money(amount: int, currency: str, locale: Locale) -> str:
    """Format a price move with its sign, e.g. -75 EUR -> '-€0.75', 100 GBP -> '+£1.00'."""
    return _signed_money(int(amount), currency, str(locale))


def number(value: float, locale: Locale, decimals: int = 0) -> str:
    """Format a quantity such as km or grams, e.g. 0.4 -> '0.4' (en_GB) or '0,4' (de_DE)."""
    return _number(value, str(locale), decimals)


def time_range(start: datetime, end: datetime, tz, locale: Locale) -> str:
    """Format a window's start and end in the retailer's zone, e.g. '08:00–12:00'."""
    first, last = (t.astimezone(tz) for t in (start, end))
    return clock_range(first.hour * 60 + first.minute, last.hour * 60 + last.minute, locale)


def clock_range(start_minute: int, end_minute: int, locale: Locale) -> str:
    """Format a window given in minutes since local midnight, e.g. 480, 720 -> '08:00–12:00'."""
    return _clock_range(start_minute, end_minute, str(locale))


def long_date(day: date, locale: Locale) -> str:
    """Format a delivery day in full without the year: 'Tuesday 24 November', 'Dienstag, 24. November'."""
    return format_date(day, _long_date_pattern(str(locale)), locale=locale)


def short_date(day: date, locale: Locale) -> str:
    """Format a day tab's date: '24 Nov' (en_GB), '24. Nov.' (de_DE), 'Nov 24' (en_US)."""
    return format_date(day, _skeleton(str(locale), "MMMd"), locale=locale)


def weekday(day: date, locale: Locale) -> str:
    return format_date(day, "EEE", locale=locale)


@lru_cache(maxsize=64)
def _long_date_pattern(locale: str) -> str:
    # CLDR names this skeleton for few locales; elsewhere widen the abbreviated one, as ICU does.
    skeletons = Locale.parse(locale).datetime_skeletons
    if "MMMMEEEEd" in skeletons:
        return skeletons["MMMMEEEEd"].pattern
    abbreviated = _skeleton(locale, "MMMEd")
    return re.sub(r"M{3}", "MMMM", re.sub(r"E+", "EEEE", abbreviated))


def _skeleton(locale: str, skeleton: str) -> str:
    found = Locale.parse(locale).datetime_skeletons.get(skeleton)
    return found.pattern if found is not None else {"MMMd": "d MMM", "MMMEd": "E d MMM"}[skeleton]


@lru_cache(maxsize=4096)
def _number(value: float, locale: str, decimals: int) -> str:
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, pattern, locale=locale)


@lru_cache(maxsize=4096)
def _money(amount: int, currency: str, locale: str) -> str:
    value = Decimal(amount).scaleb(-get_currency_precision(currency))
    return format_currency(value, currency, locale=locale)


@lru_cache(maxsize=4096)
def _signed_money(amount: int, currency: str, locale: str) -> str:
    sign = ""
    if amount > 0:
        sign = get_plus_sign_symbol(locale)
    elif amount < 0:
        sign = get_minus_sign_symbol(locale)
    return sign + _money(abs(amount), currency, locale)


@lru_cache(maxsize=4096)
def _clock_range(start_minute: int, end_minute: int, locale: str) -> str:
    start, end = (format_time(_clock(m), "short", locale=locale) for m in (start_minute, end_minute))
    return RANGE.format(start=start, end=end)


def _clock(minute: int) -> time:
    """Return the time of day; a window ending at midnight ends at 00:00."""
    return time((minute // 60) % 24, minute % 60)
