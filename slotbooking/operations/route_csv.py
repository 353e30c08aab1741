"""The bookings list as CSV for route planning: one row a booking, columns in a fixed order.

RFC 4180 through the csv module (CRLF line ends, quotes where needed), UTF-8 text. The columns
never move, so a planner's import can be set up once. Text a shopper or shop typed (order ref,
address, postcode) that starts like a spreadsheet formula gets a leading apostrophe, so opening
the file in a spreadsheet never runs it; coordinates are written as numbers.
"""

import csv
import io

from slotbooking.operations.booking_search import BookingFilter, BookingRow, all_bookings

COLUMNS = ("order_ref", "date", "window", "address", "postcode", "lat", "lon", "status", "zone", "depot")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str | None) -> str:
    if not value:
        return ""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def csv_row(row: BookingRow, tz) -> list[str]:
    booking, slot = row.booking, row.slot
    starts, ends = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    return [
        _text(booking.order_ref),
        starts.date().isoformat(),
        f"{starts:%H:%M}-{ends:%H:%M}",
        _text(booking.line1),
        _text(booking.postcode),
        _number(booking.lat),
        _number(booking.lon),
        booking.status,
        row.zone.code,
        row.depot.code,
    ]


def route_planning_csv(session, tenant, wanted: BookingFilter) -> str:
    """Return every booking the filter matches as CSV text, header first.

    :raises ValidationFailed: the filter is not valid (booking_search.BookingFilter).
    """
    out = io.StringIO()
    writer = csv.writer(out)  # the excel dialect: RFC 4180's commas, quotes and CRLF
    writer.writerow(COLUMNS)
    for row in all_bookings(session, tenant, wanted):
        writer.writerow(csv_row(row, tenant.tz))
    return out.getvalue()


def export_filename(tenant, wanted: BookingFilter) -> str:
    """Return a download name that says whose bookings and which day."""
    return f"{tenant.slug}-bookings-{wanted.day.isoformat() if wanted.day else 'all'}.csv"
