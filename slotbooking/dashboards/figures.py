"""The dashboards' figures by name: each one's rows (for its table and CSV) and its charts.

A figure is computed by one of the query modules; here it becomes a ``FigureView``: columns
that say what each number is (money in minor units, shares as fractions), the rows, and SVG.
The console shows every view and serves each as CSV under its name.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup

from slotbooking.dashboards import charts
from slotbooking.dashboards.capacity import capacity_used
from slotbooking.dashboards.delivery import routes_by_day
from slotbooking.dashboards.failures import failures_by_day
from slotbooking.dashboards.funnel import conversion_by_day
from slotbooking.dashboards.sales import green_by_day, money_by_day
from slotbooking.dashboards.sales import widths as widths_by_day
from slotbooking.dashboards.scope import Scope
from slotbooking.dashboards.vocabulary import Column, FigureView


@dataclass(frozen=True)
class Inputs:
    session: object
    scope: Scope
    now: datetime
    daily_budget: int | None  # minor units, the retailer's pricing setting


def _label(day: date) -> str:
    return f"{day:%d %b}"


def _by_day(scope: Scope, rows, value) -> list:
    """Spread rows keyed by day over every day of the scope (None where a day has no row)."""
    found = {row.day: value(row) for row in rows}
    return [found.get(day) for day in scope.days]


def capacity(inputs: Inputs) -> FigureView:
    cells = capacity_used(inputs.session, inputs.scope, inputs.now)
    windows = sorted({c.window for c in cells})
    share = {(_label(c.day), c.window): c.used for c in cells}
    days = [_label(d) for d in inputs.scope.days]
    return FigureView(
        "capacity",
        "Capacity used per day and window",
        "Booked places plus live holds, as a share of each window's capacity (all zones in the filter).",
        (
            Column("day", "Day", "day"),
            Column("window", "Window", "text"),
            Column("capacity", "Capacity"),
            Column("booked", "Booked"),
            Column("held", "Held"),
            Column("used", "Used", "share"),
        ),
        [(c.day, c.window, c.capacity, c.booked, c.held, c.used) for c in cells],
        [
            charts.heat_map(
                "Capacity used",
                f"Heat map of the share of capacity used for {len(days)} days and {len(windows)} windows; "
                "darker is fuller. The table below gives every number.",
                days,
                windows,
                lambda row, column: share.get((row, column)),
            )
        ],
    )


def widths(inputs: Inputs) -> FigureView:
    rows = widths_by_day(inputs.session, inputs.scope)
    found = sorted({r.width_minutes for r in rows})
    counts = defaultdict(int)
    for r in rows:
        counts[r.day, r.width_minutes] = r.bookings
    labels = [_label(d) for d in inputs.scope.days]
    series = [charts.Series(f"{w / 60:g} h", [counts[d, w] for d in inputs.scope.days]) for w in found]
    return FigureView(
        "widths",
        "Bookings by window width",
        "Bookings holding a place, by delivery day and the width of their window.",
        (Column("day", "Day", "day"), Column("width_minutes", "Width (min)"), Column("bookings", "Bookings")),
        [(r.day, r.width_minutes, r.bookings) for r in rows],
        [
            charts.bar_chart(
                "Bookings by window width",
                "Stacked bars per delivery day, one colour per window width.",
                labels,
                series,
                "bookings",
                stacked=True,
            )
        ],
    )


def green(inputs: Inputs) -> FigureView:
    rows = green_by_day(inputs.session, inputs.scope)
    shares = _by_day(inputs.scope, rows, lambda r: r.share)
    return FigureView(
        "green",
        "Green bookings",
        "Bookings that took a green discount (a van already nearby), and their share of the day's bookings.",
        (
            Column("day", "Day", "day"),
            Column("bookings", "Bookings"),
            Column("green", "Green"),
            Column("green_share", "Green share", "share"),
        ),
        [(r.day, r.bookings, r.green, r.share) for r in rows],
        [
            charts.line_chart(
                "Green share of bookings",
                "Line of the share of each delivery day's bookings that were green.",
                [_label(d) for d in inputs.scope.days],
                [charts.Series("green share", shares)],
                "share",
                fmt=lambda v: f"{v:.0%}",
            )
        ],
    )


def routes(inputs: Inputs) -> FigureView:
    rows = routes_by_day(inputs.session, inputs.scope)
    labels = [_label(d) for d in inputs.scope.days]
    return FigureView(
        "routes",
        "Km and CO2 per order",
        "From each depot-day's newest route plan; a zone filter shows its depot's routes.",
        (
            Column("day", "Day", "day"),
            Column("plans", "Depot plans"),
            Column("stops", "Orders"),
            Column("km", "Km", "decimal"),
            Column("co2_grams", "CO2 (g)"),
            Column("km_per_order", "Km per order", "decimal"),
            Column("co2_grams_per_order", "CO2 per order (g)", "decimal"),
        ),
        [(r.day, r.plans, r.stops, r.km, r.co2_grams, r.km_per_order, r.co2_grams_per_order) for r in rows],
        [
            charts.line_chart(
                "Km per order",
                "Line of planned km per order per delivery day.",
                labels,
                [charts.Series("km per order", _by_day(inputs.scope, rows, lambda r: r.km_per_order))],
                "km",
                fmt=lambda v: f"{v:.1f}",
            ),
            charts.line_chart(
                "CO2 per order",
                "Line of planned grams of CO2 per order per delivery day.",
                labels,
                [
                    charts.Series(
                        "g CO2 per order", _by_day(inputs.scope, rows, lambda r: r.co2_grams_per_order)
                    )
                ],
                "grams",
            ),
        ],
    )


def _money_rows(inputs: Inputs):
    return money_by_day(inputs.session, inputs.scope, inputs.daily_budget)


def discount(inputs: Inputs) -> FigureView:
    rows = _money_rows(inputs)
    budget = inputs.daily_budget
    return FigureView(
        "discount",
        "Discount spend against the daily budget",
        "The base fee minus the price paid, where lower, per delivery day; the dashed line is the budget.",
        (
            Column("day", "Day", "day"),
            Column("bookings", "Bookings"),
            Column("discount_minor", "Discount", "money"),
            Column("budget_minor", "Daily budget", "money"),
            Column("budget_used", "Budget used", "share"),
        ),
        [(r.day, r.bookings, r.discount, r.budget, r.budget_used) for r in rows],
        [
            charts.bar_chart(
                "Discount spend",
                "Bars of the discount given per delivery day"
                + (", with the daily budget as a dashed line." if budget else "; no daily budget is set."),
                [_label(d) for d in inputs.scope.days],
                [
                    charts.Series(
                        "discount",
                        [(v or 0) / 100 for v in _by_day(inputs.scope, rows, lambda r: r.discount)],
                    )
                ],
                "money",
                reference=budget / 100 if budget else None,
                reference_label="daily budget",
                fmt=lambda v: f"{v:,.2f}",
            )
        ],
    )


def revenue(inputs: Inputs) -> FigureView:
    rows = _money_rows(inputs)
    return FigureView(
        "revenue",
        "Fee revenue",
        "Delivery fees paid for the bookings of each delivery day.",
        (
            Column("day", "Day", "day"),
            Column("bookings", "Bookings"),
            Column("revenue_minor", "Revenue", "money"),
        ),
        [(r.day, r.bookings, r.revenue) for r in rows],
        [
            charts.bar_chart(
                "Fee revenue",
                "Bars of the delivery fees paid per delivery day.",
                [_label(d) for d in inputs.scope.days],
                [
                    charts.Series(
                        "fees", [(v or 0) / 100 for v in _by_day(inputs.scope, rows, lambda r: r.revenue)]
                    )
                ],
                "money",
                fmt=lambda v: f"{v:,.2f}",
            )
        ],
    )


def conversion(inputs: Inputs) -> FigureView:
    rows = conversion_by_day(inputs.session, inputs.scope)
    return FigureView(
        "conversion",
        "Offer-to-booking conversion",
        "Grids of windows shown to shoppers per day, and the share whose quote became a booking.",
        (
            Column("day", "Day", "day"),
            Column("offers", "Offers shown"),
            Column("booked", "Booked"),
            Column("conversion", "Conversion", "share"),
        ),
        [(r.day, r.offers, r.booked, r.conversion) for r in rows],
        [
            charts.line_chart(
                "Conversion",
                "Line of the share of offers shown each day that led to a booking.",
                [_label(d) for d in inputs.scope.days],
                [charts.Series("conversion", _by_day(inputs.scope, rows, lambda r: r.conversion))],
                "share",
                fmt=lambda v: f"{v:.0%}",
            )
        ],
    )


def failures(inputs: Inputs) -> FigureView:
    rows = failures_by_day(inputs.session, inputs.scope)
    webhooks = [v or 0 for v in _by_day(inputs.scope, rows, lambda r: r.webhooks_failed)]
    refunds = [v or 0 for v in _by_day(inputs.scope, rows, lambda r: r.refunds_failed)]
    return FigureView(
        "failures",
        "Webhook and refund failures",
        "Webhook deliveries and refunds that failed after their retries, by the day they were queued "
        "(the retailer's whole account: depot and zone filters do not apply).",
        (
            Column("day", "Day", "day"),
            Column("webhooks_failed", "Webhooks failed"),
            Column("refunds_failed", "Refunds failed"),
        ),
        [(r.day, r.webhooks_failed, r.refunds_failed) for r in rows],
        [
            charts.bar_chart(
                "Failures",
                "Bars per day: failed webhook deliveries and failed refunds side by side.",
                [_label(d) for d in inputs.scope.days],
                [charts.Series("webhooks", webhooks), charts.Series("refunds", refunds)],
                "failures",
            )
        ],
    )


FIGURES = {f.__name__: f for f in (capacity, widths, green, routes, discount, revenue, conversion, failures)}


def figure(name: str, inputs: Inputs) -> FigureView:
    """Compute one figure by name. :raises KeyError: no such figure."""
    return FIGURES[name](inputs)


def all_figures(inputs: Inputs) -> list[FigureView]:
    return [compute(inputs) for compute in FIGURES.values()]


__all__ = ["FIGURES", "Inputs", "Markup", "all_figures", "figure"]
