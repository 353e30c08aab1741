"""Which locale a request speaks: the shopper's choice among ours, else the retailer's.

Order: ``?lang=`` (remembered in the session for the pages after it, on the pages that opt
in with ``remember_language_choice``), then the browser's Accept-Language, then the
retailer's ``locale`` setting, then en_GB. The browser chooses the language only: a shopper
whose browser speaks the retailer's language sees the retailer's formats (an en-US browser
at a London shop reads 14:00 and 02/12, as the shop's own pages and its van drivers do), and
one whose browser prefers another of our languages gets that language's first locale. The
REST API has no say: its reasons are worded in the retailer's locale when a grid is priced.
"""

from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, refresh

from slotbooking.wording.catalogs import TRANSLATIONS_DIR, check_catalogs

DEFAULT_LOCALE = "en_GB"
# Formatting locales we serve; the words come from the catalog of their language (en, de).
SUPPORTED_LOCALES = (
    "en_GB",
    "en_US",
    "en_IE",
    "en_AU",
    "en_CA",
    "en_NZ",
    "de_DE",
    "de_AT",
    "de_CH",
)
SESSION_KEY = "lang"


def init_babel(app) -> None:
    """Bind Flask-Babel with our selector, after checking that the compiled catalogs are current.

    :raises RuntimeError: a catalog is not compiled, or older than its .po file.
    """
    check_catalogs(TRANSLATIONS_DIR)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS_DIR))
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks read as one line


def is_supported(code: str) -> bool:
    return code in SUPPORTED_LOCALES


def current_locale() -> Locale:
    """Return the locale of this request (en_GB outside one)."""
    return get_locale() or Locale.parse(DEFAULT_LOCALE)


def use_retailer_locale(code: str | None) -> None:
    """Make the retailer's locale the one a page falls back to once its retailer is known."""
    if has_request_context() and code and code != g.get("retailer_locale"):
        g.retailer_locale = code
        refresh()


def remember_language_choice() -> None:
    """Keep a page's ?lang= in the session for the shopper's next pages (our pages' before_request).

    Also on a page that only redirects, such as a booking link with ?lang=de: the pages after it
    speak German. A ?lang= that names none of our languages changes nothing.
    """
    asked = request.args.get("lang")
    chosen = match(asked, g.get("retailer_locale") or DEFAULT_LOCALE) if asked else None
    if chosen is not None and session.get(SESSION_KEY) != chosen:
        session[SESSION_KEY] = chosen
        refresh()


def in_locale(code: str):
    """Word and format in the given locale for the duration of a with block."""
    return force_locale(code)


def select_locale() -> str:
    """Flask-Babel's locale selector (see the module's docstring for the order)."""
    fallback = g.get("retailer_locale") or current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return fallback
    asked = request.args.get("lang")
    if asked is not None:
        chosen = match(asked, fallback)
        if chosen is not None:
            return chosen
    remembered = session.get(SESSION_KEY)
    if remembered in SUPPORTED_LOCALES:
        return remembered
    languages = list(dict.fromkeys(code.split("_")[0] for code in _retailer_first(fallback)))
    wanted = request.accept_languages.best_match(languages)
    return match(wanted, fallback) if wanted else fallback


def match(tag: str, fallback: str) -> str | None:
    """Return our locale for a tag such as 'de', 'de-AT' or 'en_US', or None when we have none."""
    try:
        asked = Locale.parse(tag.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    exact = f"{asked.language}_{asked.territory}" if asked.territory else None
    if exact in SUPPORTED_LOCALES:
        return exact
    return next((code for code in _retailer_first(fallback) if code.split("_")[0] == asked.language), None)


def _retailer_first(retailer_locale: str) -> list[str]:
    """Our locales, the retailer's first: 'en' then means the retailer's English."""
    return sorted(SUPPORTED_LOCALES, key=lambda code: code != retailer_locale)
