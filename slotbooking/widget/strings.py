"""The slot picker's words, translated on the server and handed to the script as JSON.

slot-picker.js holds no words of its own: the embed page inlines these, a shop page's
picker fetches them from /widget/strings. Placeholders are {name}; a plural is a dict of
CLDR categories ("one", "other") that the script picks with Intl.PluralRules.
"""

from flask_babel import gettext as _
from flask_babel import ngettext

from slotbooking import wording


def _plural(singular: str, plural: str, **names: str) -> dict[str, str]:
    # Both our languages have the forms "one" (1) and "other"; the samples pick them.
    return {
        "one": ngettext(singular, plural, 1, count="{n}", **names),
        "other": ngettext(singular, plural, 2, count="{n}", **names),
    }


def widget_strings() -> dict:
    """Return the picker's locale (a BCP 47 tag for Intl) and its words in that locale."""
    return {
        "locale": str(wording.current_locale()).replace("_", "-"),
        "messages": {
            "free": _("Free"),
            "emits_grams": _("Emits about %(grams)s g of CO2.", grams="{grams}"),
            "emits_kg": _("Emits about %(kg)s kg of CO2.", kg="{kg}"),
            "group_minutes": _("%(minutes)s-minute windows", minutes="{minutes}"),
            "group_hours": _plural("%(count)s-hour windows", "%(count)s-hour windows"),
            "not_served": _("Sorry, we do not deliver to %(postcode)s yet.", postcode="{postcode}"),
            "no_answer": _("The delivery service did not answer."),
            "held": _plural(
                "Held %(window)s. %(count)s minute to finish checkout.",
                "Held %(window)s. %(count)s minutes to finish checkout.",
                window="{window}",
            ),
            "filled_up": _("Sorry, that window has just filled up. Please choose another."),
            "released": _("Window released."),
            "hold_ran_out": _("Your hold ran out and the window was released. Please choose a window again."),
            "minutes_left": _plural(
                "%(count)s minute left to finish checkout.", "%(count)s minutes left to finish checkout."
            ),
            "window_on_day": _("%(day)s, %(start)s to %(end)s", day="{day}", start="{start}", end="{end}"),
            "delivering_to": _("Delivering to %(postcode)s", postcode="{postcode}"),
            "change": _("change"),
            "postcode_label": _("Delivery postcode"),
            "postcode_placeholder": _("Postcode"),
            "show_windows": _("Show windows"),
            "loading": _("Loading delivery windows…"),
            "held_for": _("Held for"),
            "minutes": _plural("%(count)s minute", "%(count)s minutes"),
            "release": _("Release"),
            "no_windows": _("No delivery windows in the coming days."),
            "delivery_day": _("Delivery day"),
            "full": _("Full"),
            "closed": _("Closed"),
            "from_price": _("from %(price)s", price="{price}"),
            "green_window": _("Green window"),
            "wide_window": _("Wide window"),
            "only_left": _("Only %(count)s left", count="{count}"),
            "was": _("was"),
            "now": _("now"),
        },
    }
