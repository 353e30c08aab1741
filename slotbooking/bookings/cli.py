"""flask holds sweep."""

import click
from flask.cli import AppGroup
from sqlalchemy import update

from slotbooking.api.context import now
from slotbooking.bookings.models import Hold
from slotbooking.extensions import db

holds_cli = AppGroup("holds", help="Holds.")


def sweep_expired_holds(session, at) -> int:
    """Mark expired holds as such (tidiness only: an expired hold never counts anyway)."""
    result = session.execute(
        update(Hold).where(Hold.status == "active", Hold.expires_at <= at).values(status="expired")
    )
    session.commit()
    return result.rowcount


@holds_cli.command("sweep")
def sweep_command() -> None:
    """Mark expired holds as expired."""
    click.echo(f"{sweep_expired_holds(db.session, now())} expired holds swept")
