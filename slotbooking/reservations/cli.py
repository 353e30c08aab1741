"""flask holds sweep; flask idempotency forget."""

import click
from flask.cli import AppGroup
from sqlalchemy import update

from slotbooking.bookings.idempotency import forget_expired_idempotency
from slotbooking.bookings.models import Hold
from slotbooking.clock import now
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.events.outbox import queue_expired_holds
from slotbooking.extensions import db

holds_cli = AppGroup("holds", help="Holds.")
idempotency_cli = AppGroup("idempotency", help="Idempotency-Key records.")


def sweep_expired_holds(session, at) -> int:
    """Mark expired holds as such (an expired hold never counts anyway) and queue hold.expired events."""
    with unit_of_work(session):
        expired = session.scalars(
            update(Hold)
            .where(Hold.status == "active", ~Hold.is_live(at))
            .values(status="expired")
            .returning(Hold.id)
        ).all()
        queue_expired_holds(session, expired, at)
    return len(expired)


@holds_cli.command("sweep")
def sweep_command() -> None:
    """Mark expired holds as expired."""
    click.echo(f"{sweep_expired_holds(db.session, now())} expired holds swept")


@idempotency_cli.command("forget")
def forget_command() -> None:
    """Delete Idempotency-Key records past their keeping time."""
    click.echo(f"{forget_expired_idempotency(db.session, now())} expired idempotency records forgotten")
