"""flask payments refunds."""

import click
from flask import current_app
from flask.cli import AppGroup

from slotbooking.clock import now
from slotbooking.extensions import db
from slotbooking.payments.refunds import settle_refunds

payments_cli = AppGroup("payments", help="Card payments through Stripe.")


@payments_cli.command("refunds")
def refunds_command() -> None:
    """Owe refunds for paid holds that ended unbooked, and send the refunds that are due."""
    run = settle_refunds(db.session, current_app.extensions["payments"], now())
    click.echo(f"{run.queued} refunds queued, {run.sent} sent, {run.failed} failed (retried later)")
