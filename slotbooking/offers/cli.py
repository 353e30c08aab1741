"""flask slots generate."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from slotbooking.clock import now
from slotbooking.common.errors import DomainError
from slotbooking.extensions import db
from slotbooking.offers.generation import extend_horizon
from slotbooking.retailers.models import Retailer

slots_cli = AppGroup("slots", help="Delivery windows.")


@slots_cli.command("generate")
@click.option("--retailer", "slug", default=None, help="Only this retailer (default: all).")
def generate_command(slug: str | None) -> None:
    """Create the slots up to each retailer's horizon (safe to run again; run it daily)."""
    query = select(Retailer).order_by(Retailer.id)
    if slug:
        query = query.where(Retailer.slug == slug)
    for retailer in db.session.scalars(query).all():
        try:
            report = extend_horizon(db.session, retailer, now())
        except DomainError as error:
            raise click.ClickException(f"{retailer.slug}: {error.message} {error.details}") from None
        click.echo(
            f"{retailer.slug}: {report.created} created, {report.updated} kept, "
            f"{report.deactivated} withdrawn, through {retailer.slots_generated_through}"
        )
