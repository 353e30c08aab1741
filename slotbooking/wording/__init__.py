"""What shoppers read: Flask-Babel text and Babel money, numbers and times in one locale.

A foundation part of the app: it imports nothing from the other parts (only Flask, Flask-Babel
and Babel), so every part may word and format through it. The pricing engine gives reasons
as codes with numbers (pricing.Reason); ``reasons`` turns them into sentences, ``formats``
does money and times, ``locales`` chooses the locale of a request.
"""

from slotbooking.wording.formats import (
    clock_range,
    long_date,
    money,
    number,
    short_date,
    signed_money,
    time_range,
    weekday,
)
from slotbooking.wording.locales import (
    DEFAULT_LOCALE,
    SUPPORTED_LOCALES,
    current_locale,
    in_locale,
    init_babel,
    is_supported,
    remember_language_choice,
    use_retailer_locale,
)
from slotbooking.wording.reasons import reason_text

__all__ = [
    "DEFAULT_LOCALE",
    "SUPPORTED_LOCALES",
    "clock_range",
    "current_locale",
    "in_locale",
    "init_babel",
    "is_supported",
    "long_date",
    "money",
    "number",
    "reason_text",
    "remember_language_choice",
    "short_date",
    "signed_money",
    "time_range",
    "use_retailer_locale",
    "weekday",
]
