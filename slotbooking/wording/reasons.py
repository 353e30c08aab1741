"""Word the pricing engine's reasons: one function per reason code, in the request's locale.

Each takes the reason's numbers (pricing.results.REASON_CODES says which) and the currency of
its amounts. The English msgids are the sentences the engine used to write itself.
"""

from collections.abc import Callable, Mapping
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import ngettext

from slotbooking.wording.formats import clock_range, money, number, signed_money
from slotbooking.wording.locales import current_locale

Params = Mapping[str, int | float]


def reason_text(code: str, params: Params, currency: str) -> str | None:
    """Return the reason as a sentence in the current locale; None for a code this version does not know."""
    if code not in _REASONS:
        return None
    locale = current_locale()
    return _worded(code, tuple(sorted(params.items())), currency, str(locale))


@lru_cache(maxsize=8192)
def _worded(code: str, params: tuple, currency: str, locale: str) -> str:
    # A day's grid repeats its reasons (the same window, amount and distance on many days):
    # word each once per locale. The catalogs do not change while the process runs.
    return _REASONS[code](_Facts(dict(params), currency))


class _Facts:
    """A reason's numbers, formatted for the current locale on demand."""

    def __init__(self, params: Params, currency: str):
        self.params, self.currency, self.locale = params, currency, current_locale()

    @property
    def window(self) -> str:
        return clock_range(self.params["start_minute"], self.params["end_minute"], self.locale)

    @property
    def amount(self) -> str:
        return signed_money(self.params["amount"], self.currency, self.locale)

    @property
    def fee(self) -> str:
        return money(self.params["fee"], self.currency, self.locale)

    def km(self, name: str) -> str:
        return number(self.params[name], self.locale, decimals=1)

    @property
    def grams(self) -> int:
        return int(self.params.get("co2_grams", 0))

    @property
    def grams_text(self) -> str:
        return number(self.grams, self.locale)


def cap_minimum(f: _Facts) -> str:
    return _("The retailer's minimum fee is %(fee)s: %(amount)s", fee=f.fee, amount=f.amount)


def cap_maximum(f: _Facts) -> str:
    return _("The retailer's maximum fee is %(fee)s: %(amount)s", fee=f.fee, amount=f.amount)


def demand_scarce(f: _Facts) -> str:
    return ngettext(
        "Popular window %(window)s, likely to fill up (%(num)d place left): %(amount)s",
        "Popular window %(window)s, likely to fill up (%(num)d places left): %(amount)s",
        int(f.params["places_left"]),
        window=f.window,
        amount=f.amount,
    )


def demand_busy(f: _Facts) -> str:
    return _("Busy time of day %(window)s: %(amount)s", window=f.window, amount=f.amount)


def demand_route(f: _Facts) -> str:
    return _(
        "Harder to fit into our routes %(window)s (about %(km)s km extra): %(amount)s",
        window=f.window,
        km=f.km("extra_km"),
        amount=f.amount,
    )


def demand_spare(f: _Facts) -> str:
    return _("Spare room on our vans %(window)s: %(amount)s", window=f.window, amount=f.amount)


def green_discount(f: _Facts) -> str:
    if f.grams >= 1:
        return _(
            "A van is already near you %(window)s (about %(km)s km away): %(amount)s, "
            "saves about %(grams)s g CO2",
            window=f.window,
            km=f.km("nearest_stop_km"),
            amount=f.amount,
            grams=f.grams_text,
        )
    return _(
        "A van is already near you %(window)s (about %(km)s km away): %(amount)s",
        window=f.window,
        km=f.km("nearest_stop_km"),
        amount=f.amount,
    )


def wide_discount(f: _Facts) -> str:
    if f.grams >= 1:
        return _(
            "Any time %(window)s lets us plan a shorter route: %(amount)s, saves about %(grams)s g CO2",
            window=f.window,
            amount=f.amount,
            grams=f.grams_text,
        )
    return _("Any time %(window)s lets us plan a shorter route: %(amount)s", window=f.window, amount=f.amount)


def offpeak_discount(f: _Facts) -> str:
    return _("Quieter time of day %(window)s: %(amount)s", window=f.window, amount=f.amount)


def static_wide(f: _Facts) -> str:
    return _("Any time %(window)s: %(amount)s for a wider window", window=f.window, amount=f.amount)


def green_window(f: _Facts) -> str:
    if f.grams >= 1:
        return _(
            "A van is already near you %(window)s (about %(km)s km away), saves about %(grams)s g CO2",
            window=f.window,
            km=f.km("nearest_stop_km"),
            grams=f.grams_text,
        )
    return _(
        "A van is already near you %(window)s (about %(km)s km away)",
        window=f.window,
        km=f.km("nearest_stop_km"),
    )


_REASONS: dict[str, Callable[[_Facts], str]] = {
    "cap_minimum": cap_minimum,
    "cap_maximum": cap_maximum,
    "demand_scarce": demand_scarce,
    "demand_busy": demand_busy,
    "demand_route": demand_route,
    "demand_spare": demand_spare,
    "green_discount": green_discount,
    "wide_discount": wide_discount,
    "offpeak_discount": offpeak_discount,
    "static_wide": static_wide,
    "green_window": green_window,
}
