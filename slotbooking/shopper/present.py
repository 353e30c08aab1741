"""Turn offers, holds and bookings into what the shopper reads: the request's locale, the retailer's zone."""

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby

from flask_babel import gettext as _
from flask_babel import ngettext

from slotbooking import wording
from slotbooking.offers.offer import OfferedWindow


def money(amount: int, currency: str, locale) -> str:
    """Format integer minor units, e.g. 450 GBP -> '£4.50'; nothing to pay is 'Free'."""
    if amount == 0:
        return _("Free")
    return wording.money(amount, currency, locale)


def time_range(start: datetime, end: datetime, tz, locale) -> str:
    return wording.time_range(start, end, tz, locale)


def long_day(day: date, locale) -> str:
    return wording.long_date(day, locale)


def width_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(minutes)s-minute window", minutes=minutes)
    return ngettext("%(num)d-hour window", "%(num)d-hour window", hours)


def width_heading(minutes: int) -> str:
    """Name a group of windows of one width, e.g. '4-hour windows'."""
    hours, rest = divmod(minutes, 60)
    if rest:
        return _("%(minutes)s-minute windows", minutes=minutes)
    return ngettext("%(num)d-hour windows", "%(num)d-hour windows", hours)


def co2_sentence(grams: int | None, locale) -> str | None:
    """Say how much CO2 a delivery emits, in words a shopper can weigh."""
    if grams is None:
        return None
    if grams < 1000:
        amount = wording.number(max(10, round(grams, -1)), locale)
        return _("Delivering in this window emits about %(grams)s g of CO2.", grams=amount)
    amount = wording.number(grams / 1000, locale, decimals=1)
    return _("Delivering in this window emits about %(kg)s kg of CO2.", kg=amount)


def reason_of(incentive: dict, currency: str) -> str | None:
    """Word an incentive's reason in the request's language, from its code where it has one."""
    code = incentive.get("reason_code")
    worded = wording.reason_text(code, incentive.get("reason_params") or {}, currency) if code else None
    return worded or incentive.get("reason")


def reasons_of(incentives: list[dict], currency: str) -> list[tuple[str, str]]:
    """Return (kind, sentence) for each incentive that has a reason, worded for this request."""
    worded = ((i.get("kind"), reason_of(i, currency)) for i in incentives or [])
    return [(kind, text) for kind, text in worded if text]


def green_reason_of(price, currency: str) -> str | None:
    """Word a window's green reason (its SlotPrice) in the request's language, from its code."""
    code = price.green_reason_code
    worded = wording.reason_text(code, price.green_reason_params or {}, currency) if code else None
    return worded or price.green_reason


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
    lead: str | None = None  # the one reason shown on the window itself
    more: list[str] = field(default_factory=list)  # the rest, behind "Why this price?"
    current: bool = False


@dataclass
class WindowGroup:
    title: str
    note: str | None
    windows: list[WindowView]


@dataclass
class DayView:
    key: str
    short_label: str
    date_label: str
    long_label: str
    groups: list[WindowGroup]
    from_label: str | None  # cheapest available price, e.g. "from £3.00"
    closed_label: str = ""  # what the day tab says when nothing is open: "Full" or "Closed"

    @property
    def any_available(self) -> bool:
        return self.from_label is not None


def window_view(window: OfferedWindow, tz, currency: str, locale, current_slot_id=None) -> WindowView:
    """Present one window of an offer, its reasons worded for this request."""
    price, base = window.price.price, window.price.base_price
    incentives = [{**i, "reason": reason_of(i, currency)} for i in window.price.incentives]
    kinds = {i.get("kind") for i in incentives}
    badges = []
    if window.price.green:
        reason = green_reason_of(window.price, currency) or next(
            (i.get("reason") for i in incentives if i.get("kind") == "green"), None
        )
        badges.append(Badge("green", _("Green window"), reason))
    if window.width_minutes >= 120 or "wide" in kinds:
        reason = next((i.get("reason") for i in incentives if i.get("kind") == "wide"), None)
        badges.append(Badge("wide", _("Wide window"), reason))
    lead, more = _explain(badges, incentives, co2_sentence(window.price.co2_grams, locale))
    if not window.available:
        lead, more = None, []  # no reason to sell a window that cannot be chosen
    status = None
    if window.slot_id == current_slot_id:
        status = _("Your current window")
    elif not window.available:
        reason = window.unavailable_reason or ""
        status = _("Full") if "full" in reason or not reason else _("Closed")
    remaining = window.remaining
    return WindowView(
        id=window.slot_id,
        time_label=time_range(window.starts_at, window.ends_at, tz, locale),
        width_label=width_label(window.width_minutes),
        price_label=money(price, currency, locale),
        base_label=money(base, currency, locale) if price < base else None,
        available=window.available and window.slot_id != current_slot_id,
        status_label=status,
        few_left=remaining if window.available and remaining <= 3 else None,
        badges=badges,
        lead=lead,
        more=more,
        current=window.slot_id == current_slot_id,
    )


def _explain(
    badges: list[Badge], incentives: list[dict], co2_line: str | None
) -> tuple[str | None, list[str]]:
    """Pick the reason to show on the window (a badge's, else the biggest move); the rest go below."""
    reasons = [i for i in incentives if i.get("reason")]
    badge_reason = next((b.reason for b in badges if b.reason), None)
    biggest = max(reasons, key=lambda i: abs(i.get("amount") or 0), default=None)
    lead = badge_reason or (biggest["reason"] if biggest else None)
    more = [i["reason"] for i in reasons if i["reason"] != lead]
    if co2_line:
        more.append(co2_line)
    return lead, more


def _group_heading(width_minutes: int) -> tuple[str, str | None]:
    title = width_heading(width_minutes)
    return title, (_("easier to route, kinder to the street") if width_minutes >= 120 else None)


def grid(windows, tz, currency: str, locale, current_slot_id=None) -> list[DayView]:
    """Group an offer's windows into days, and each day's windows by width, widest first."""
    days = []
    for day, day_windows in groupby(windows, key=lambda w: w.service_date):
        day_windows = list(day_windows)
        groups = []
        for width in sorted({w.width_minutes for w in day_windows}, reverse=True):
            views = [
                window_view(w, tz, currency, locale, current_slot_id)
                for w in day_windows
                if w.width_minutes == width
            ]
            groups.append(WindowGroup(*_group_heading(width), views))
        open_prices = [w.price.price for w in day_windows if w.available and w.slot_id != current_slot_id]
        days.append(
            DayView(
                key=day.isoformat(),
                short_label=wording.weekday(day, locale),
                date_label=wording.short_date(day, locale),
                long_label=long_day(day, locale),
                groups=groups,
                from_label=_("from %(price)s", price=money(min(open_prices), currency, locale))
                if open_prices
                else None,
                closed_label=_closed_label(groups),
            )
        )
    return days


def _closed_label(groups: list[WindowGroup]) -> str:
    full = _("Full")
    statuses = {w.status_label for g in groups for w in g.windows}
    return full if full in statuses else _("Closed")


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
