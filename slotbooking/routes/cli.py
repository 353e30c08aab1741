"""flask routes plan; flask routes due: route planning by hand, or from cron without a broker."""

from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from slotbooking.bookings.models import Booking
from slotbooking.clock import now
from slotbooking.extensions import db
from slotbooking.retailers.models import Depot, Retailer
from slotbooking.retailers.tenant import Tenant
from slotbooking.routes.due import due_depot_days
from slotbooking.routes.inputs import PlanLimits
from slotbooking.routes.service import PlanOutcome, plan_depot_day
from slotbooking.slots.clock import local_today

routes_cli = AppGroup("routes", help="Route plans of each depot-day.")


def _plan(depot: Depot, day: date, trigger: str = "bookings") -> PlanOutcome:
    config = current_app.config
    limits = PlanLimits.from_config(config)
    return plan_depot_day(db.session, depot.id, day, now(), limits, trigger, config["ROUTES_KEEP_VERSIONS"])


def _echo(code: str, day: date, outcome: PlanOutcome) -> None:
    version = f" v{outcome.version}" if outcome.version else ""
    detail = ""
    if outcome.status == "stored":
        detail = f", {outcome.stops} stops, {outcome.unassigned} unassigned, {outcome.solve_seconds:.1f} s"
    click.echo(f"{code} {day}: {outcome.status}{version}{detail}")


@routes_cli.command("plan")
@click.argument("slug")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Default: every day booked from today.",
)
@click.option("--depot", "depot_code", default=None, help="Only this depot (its code).")
def plan_command(slug: str, day, depot_code: str | None) -> None:
    """Plan the retailer's depot-days whose bookings changed since their last plan."""
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug))
    if retailer is None:
        raise click.ClickException(f"no retailer {slug!r}")
    today = local_today(Tenant.of(retailer).tz, now())
    depots = [d for d in retailer.depots if depot_code in (None, d.code)]
    if not depots:
        raise click.ClickException(f"no depot {depot_code!r} for {slug}")
    for depot in depots:
        booked = select(Booking.service_date).where(
            Booking.depot_id == depot.id, Booking.service_date >= today
        )
        days = [day.date()] if day else sorted(set(db.session.scalars(booked).all()))
        code = depot.code
        for service_day in days:
            _echo(code, service_day, _plan(depot, service_day))


@routes_cli.command("due")
def due_command() -> None:
    """Plan what the planning jobs missed, and each day's final plan once its booking has closed."""
    due = due_depot_days(db.session, now(), current_app.config["ROUTES_DEBOUNCE_SECONDS"])
    depots = {d.id: d.code for d in db.session.scalars(select(Depot)).all()}
    for item in due:
        depot = db.session.get(Depot, item.depot_id)
        _echo(depots[item.depot_id], item.day, _plan(depot, item.day, item.trigger))
    click.echo(f"{len(due)} depot-days planned")
