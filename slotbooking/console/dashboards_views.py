"""The dashboards page, each figure's CSV, and the printable daily capacity report (viewer and up).

Filters come from the query string: ``from``/``to`` (local days, YYYY-MM-DD), ``depot`` and
``zone`` (codes). An unreadable or unknown filter is a 400 page naming it, never a 500.
"""

from datetime import date, timedelta

from flask import Response, g, request
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from slotbooking.clock import now
from slotbooking.console.access import tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.render import render
from slotbooking.dashboards.figures import FIGURES, Inputs, all_figures, capacity, figure
from slotbooking.dashboards.scope import BadScope, Scope
from slotbooking.dashboards.vocabulary import csv_text
from slotbooking.extensions import db
from slotbooking.retailers.models import Depot, Zone

DEFAULT_DAYS_BACK, DEFAULT_DAYS_AHEAD = 13, 7


def _day(name: str, default: date) -> date:
    raw = request.args.get(name) or ""
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadScope(f"“{raw[:20]}” is not a day: use YYYY-MM-DD.") from None


def _code(model, name: str, retailer_id: int):
    code = request.args.get(name) or ""
    if not code:
        return None
    found = db.session.scalars(
        select(model).where(model.retailer_id == retailer_id, model.code == code)
    ).first()
    if found is None:
        raise BadScope(f"There is no {name} “{code[:32]}”.")
    return found


def _inputs(first: date | None = None, last: date | None = None) -> Inputs:
    tenant = g.console_tenant
    today = now().astimezone(tenant.tz).date()
    first = first or _day("from", today - timedelta(days=DEFAULT_DAYS_BACK))
    last = last or _day("to", today + timedelta(days=DEFAULT_DAYS_AHEAD))
    depot, zone = _code(Depot, "depot", tenant.id), _code(Zone, "zone", tenant.id)
    scope = Scope(
        tenant.id, tenant.timezone, first, last, depot.id if depot else None, zone.id if zone else None
    )
    return Inputs(db.session, scope, now(), tenant.pricing.get("daily_discount_budget"))


def _places(retailer_id: int):
    depots = db.session.scalars(
        select(Depot).where(Depot.retailer_id == retailer_id).order_by(Depot.code)
    ).all()
    zones = db.session.scalars(select(Zone).where(Zone.retailer_id == retailer_id).order_by(Zone.code)).all()
    return depots, zones


@bp.get("/r/<slug>/dashboards")
@tenant_page("viewer")
def dashboards(slug: str):
    inputs = _inputs()
    depots, zones = _places(g.console_tenant.id)
    return render(
        "console/dashboards.html",
        views=all_figures(inputs),
        scope=inputs.scope,
        depots=depots,
        zones=zones,
        query={k: v for k, v in request.args.items() if k in ("from", "to", "depot", "zone")},
    )


@bp.get("/r/<slug>/dashboards/<figure_name>.csv")
@tenant_page("viewer")
def dashboard_csv(slug: str, figure_name: str):
    if figure_name not in FIGURES:
        raise NotFound()
    inputs = _inputs()
    scope = inputs.scope
    filename = f"{slug}-{figure_name}-{scope.first.isoformat()}-{scope.last.isoformat()}.csv"
    return Response(
        csv_text(figure(figure_name, inputs)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/r/<slug>/dashboards/capacity-report")
@tenant_page("viewer")
def capacity_report(slug: str):
    tenant = g.console_tenant
    day = _day("day", now().astimezone(tenant.tz).date() + timedelta(days=1))
    inputs = _inputs(first=day, last=day)
    return render(
        "console/capacity_report.html",
        view=capacity(inputs),
        day=day,
        printed_at=now().astimezone(tenant.tz),
        query={k: v for k, v in request.args.items() if k in ("day", "depot", "zone")},
    )
