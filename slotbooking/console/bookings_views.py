"""The bookings pages: the list by day, zone, window, status and search, its CSV, and one booking's page."""

from flask import Response, g, request

from slotbooking.common.errors import ValidationFailed
from slotbooking.console.access import tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.ops_forms import ConfirmForm
from slotbooking.console.ops_support import day_arg, page, page_arg
from slotbooking.extensions import db
from slotbooking.operations.booking_page import booking_detail
from slotbooking.operations.booking_search import (
    STATUSES,
    BookingFilter,
    BookingPage,
    find_bookings,
    windows_of_day,
    zone_codes,
)
from slotbooking.operations.route_csv import export_filename, route_planning_csv


def _filter() -> BookingFilter:
    args = request.args
    return BookingFilter(
        day=day_arg(args.get("day")),
        zone=args.get("zone") or None,
        window=args.get("window") or None,
        status=args.get("status") or None,
        search=args.get("q") or None,
    )


def _filter_as_typed() -> BookingFilter:
    """The filter with a day that does not parse left out (to fill the form in again)."""
    args = request.args
    try:
        day = day_arg(args.get("day"))
    except ValidationFailed:
        day = None
    return BookingFilter(day, args.get("zone"), args.get("window"), args.get("status"), args.get("q"))


@bp.get("/r/<slug>/bookings")
@tenant_page("viewer")
def bookings(slug: str):
    problem, status = None, 200
    try:
        wanted = _filter()
        found = find_bookings(db.session, g.console_tenant, wanted, page_arg(request.args.get("page")))
    except ValidationFailed as refused:  # shown above the filters, which stay as typed
        problem, status = refused, refused.status
        wanted, found = _filter_as_typed(), BookingPage([], 1, 1, 0)
    return page(
        "console/bookings.html",
        status,
        problem=problem,
        wanted=wanted,
        found=found,
        statuses=STATUSES,
        zones=zone_codes(db.session, g.console_tenant),
        windows=windows_of_day(db.session, g.console_tenant, wanted.day) if wanted.day else [],
        query={k: v for k, v in request.args.items() if k != "page" and v},
    )


@bp.get("/r/<slug>/bookings.csv")
@tenant_page("viewer")
def bookings_csv(slug: str):
    wanted = _filter()
    text = route_planning_csv(db.session, g.console_tenant, wanted)
    filename = export_filename(g.console_tenant, wanted)
    return Response(
        text.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8; header=present",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


@bp.get("/r/<slug>/bookings/<booking_id>")
@tenant_page("viewer")
def booking(slug: str, booking_id: str):
    return page(
        "console/booking.html",
        detail=booking_detail(db.session, g.console_tenant, booking_id),
        form=ConfirmForm(),
    )
