"""Turn offers, holds and bookings into what the shopper reads: Babel-formatted, in the retailer's zone."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, get_currency_precision

SUPPORTED_LOCALES = ("en_GB", "en_US", "en_IE", "en_AU", "en_CA", "en_NZ")
DEFAULT_LOCALE = "en_GB"


def pick_locale(accept_languages) -> Locale:
    """Return the shopper's English locale from Accept-Language, en_GB when none fits."""
    wanted = accept_languages.best_match([tag.replace("_", "-") for tag in SUPPORTED_LOCALES])
    return Locale.parse((wanted or DEFAULT_LOCALE).replace("-", "_"))


def money(amount: int, currency: str, locale) -> str:
    """Format integer minor units, e.g. 450 GBP -> '£4.50'."""
    if amount == 0:
        return "Free"
    value = Decimal(int(amount)).scaleb(-get_currency_precision(currency))
    return format_currency(value, currency, locale=locale)


def time_range(start: datetime, end: datetime, tz, locale) -> str:
    first, last = (format_time(t, "short", tzinfo=tz, locale=locale) for t in (start, end))
    return f"{first}–{last}"


def long_day(day: date, locale) -> str:
    return format_date(day, "EEEE d MMMM", locale=locale)


def width_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest:
        return f"{minutes}-minute window"
    return "1-hour window" if hours == 1 else f"{hours}-hour window"


def co2_words(grams: int | None) -> str | None:
    """Say how much CO2 a delivery emits, in words a shopper can weigh."""
    if grams is None:
        return None
    if grams < 1000:
        return f"about {max(10, round(grams, -1))} g of CO2"
    return f"about {grams / 1000:.1f} kg of CO2"


@dataclass
class Badge:
    kind: str  # "green" | "wide"
    label: str
    reason: str | None = None


@dataclass
class WindowView:
    id: str
    time_label: str
    width_label: str
    price_label: str
    base_label: str | None  # the base price, shown struck through, when discounted
    available: bool
    status_label: str | None  # "Full", "Closed", ... when not available
    few_left: int | None
    badges: list[Badge] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    co2_label: str | None = None
    current: bool = False

    @property
    def accessible_label(self) -> str:
        parts = [self.time_label, self.width_label, self.price_label]
        if self.base_label:
            parts.append(f"reduced from {self.base_label}")
        parts += [b.label for b in self.badges]
        if self.status_label:
            parts.append(self.status_label)
        return ", ".join(parts)


@dataclass
class WindowGroup:
    title: str
    windows: list[WindowView]


@dataclass
class DayView:
    key: str
    short_label: str
    date_label: str
    long_label: str
    groups: list[WindowGroup]
    from_label: str | None  # cheapest available price, e.g. "from £3.00"

    @property
    def any_available(self) -> bool:
        return self.from_label is not None


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def window_view(slot: dict, tz, currency: str, locale, current_slot_id=None) -> WindowView:
    """Present one slot of the API's offer shape."""
    price, base = slot["price"]["amount"], slot["base_price"]["amount"]
    incentives = slot.get("incentives") or []
    kinds = {i.get("kind") for i in incentives}
    badges = []
    if slot.get("green"):
        reason = next((i.get("reason") for i in incentives if i.get("kind") == "green"), None)
        badges.append(Badge("green", "Green window", reason))
    if slot["width_minutes"] >= 120 or "wide" in kinds:
        reason = next((i.get("reason") for i in incentives if i.get("kind") == "wide"), None)
        badges.append(Badge("wide", "Wide window", reason))
    badge_reasons = {b.reason for b in badges}
    reasons = [i["reason"] for i in incentives if i.get("reason") and i["reason"] not in badge_reasons]
    status = None
    if slot.get("id") == current_slot_id:
        status = "Your current window"
    elif not slot["available"]:
        reason = slot.get("unavailable_reason") or ""
        status = "Full" if "full" in reason or not reason else "Closed"
    remaining = slot.get("remaining")
    return WindowView(
        id=slot["id"],
        time_label=time_range(_parse(slot["start"]), _parse(slot["end"]), tz, locale),
        width_label=width_label(slot["width_minutes"]),
        price_label=money(price, currency, locale),
        base_label=money(base, currency, locale) if price < base else None,
        available=bool(slot["available"]) and slot.get("id") != current_slot_id,
        status_label=status,
        few_left=remaining if slot["available"] and remaining is not None and remaining <= 3 else None,
        badges=badges,
        reasons=reasons,
        co2_label=co2_words(slot.get("co2_grams")),
        current=slot.get("id") == current_slot_id,
    )


def _group_title(width_minutes: int) -> str:
    if width_minutes >= 120:
        return f"{width_minutes // 60}-hour windows · easier to route, kinder to the street"
    return width_label(width_minutes).replace("window", "windows")


def grid(offer: dict, tz, currency: str, locale, current_slot_id=None) -> list[DayView]:
    """Group the offer's slots into days, and each day's windows by width, widest first."""
    days = []
    for day_key, slots in groupby(offer["slots"], key=lambda s: s["date"]):
        slots = list(slots)
        day = date.fromisoformat(day_key)
        groups = []
        for width in sorted({s["width_minutes"] for s in slots}, reverse=True):
            windows = [
                window_view(s, tz, currency, locale, current_slot_id)
                for s in slots
                if s["width_minutes"] == width
            ]
            groups.append(WindowGroup(_group_title(width), windows))
        open_prices = [s["price"]["amount"] for s in slots if s["available"] and s["id"] != current_slot_id]
        days.append(
            DayView(
                key=day_key,
                short_label=format_date(day, "EEE", locale=locale),
                date_label=format_date(day, "d MMM", locale=locale),
                long_label=long_day(day, locale),
                groups=groups,
                from_label=f"from {money(min(open_prices), currency, locale)}" if open_prices else None,
            )
        )
    return days


def chosen_day(days: list[DayView], wanted: str | None) -> str | None:
    """Return the day to show first: the one asked for, else the first with a free window."""
    keys = [d.key for d in days]
    if wanted in keys:
        return wanted
    return next((d.key for d in days if d.any_available), keys[0] if keys else None)


@dataclass
class WhenView:
    day_label: str
    time_label: str
    width_label: str


def when(starts_at: datetime, ends_at: datetime, tz, locale) -> WhenView:
    """Present a window's date and time in the retailer's zone."""
    local = starts_at.astimezone(tz)
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    return WhenView(
        long_day(local.date(), locale), time_range(starts_at, ends_at, tz, locale), width_label(minutes)
    )
