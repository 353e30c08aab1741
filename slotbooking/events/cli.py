"""flask events deliver | log SLUG | secret SLUG | reencrypt."""

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from slotbooking.clock import now
from slotbooking.events.delivery import RetryPolicy, deliver_due, delivery_log
from slotbooking.events.models import EventEndpoint
from slotbooking.events.outbox import queue_booking_events
from slotbooking.events.settings import reencrypt_secrets, rotate_secret
from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer

events_cli = AppGroup("events", help="Retailer events (outgoing webhooks).")


def _retailer(slug: str) -> Retailer:
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug))
    if retailer is None:
        raise click.ClickException(f'no retailer "{slug}"')
    return retailer


def retry_policy(config) -> RetryPolicy:
    return RetryPolicy(
        timeout_seconds=config["EVENTS_TIMEOUT_SECONDS"],
        base_seconds=config["EVENTS_RETRY_BASE_SECONDS"],
        max_seconds=config["EVENTS_RETRY_MAX_SECONDS"],
        max_attempts=config["EVENTS_MAX_ATTEMPTS"],
    )


@events_cli.command("deliver")
@click.option("--every", type=float, default=0, help="Keep running, every this many seconds.")
def deliver_command(every: float) -> None:
    """Queue new booking events and send every delivery that is due."""
    policy = retry_policy(current_app.config)
    while True:
        queued = queue_booking_events(db.session, current_app.extensions["manage_links"], now())
        run = deliver_due(db.session, now(), policy)
        click.echo(
            f"{queued} queued, {run.delivered} delivered, {run.failed} failed (retried later), "
            f"{run.given_up} given up"
        )
        if every <= 0:
            return
        time.sleep(every)


@events_cli.command("log")
@click.argument("slug")
@click.option("--limit", type=click.IntRange(1, 1000), default=50)
@click.option("--json", "as_json", is_flag=True)
def log_command(slug: str, limit: int, as_json: bool) -> None:
    """Show a retailer's latest deliveries, newest first."""
    rows = [
        {
            "event_id": d.event_id,
            "type": d.kind,
            "status": d.status,
            "attempts": d.attempts,
            "last_status": d.last_status,
            "last_error": d.last_error,
            "next_attempt_at": d.next_attempt_at.isoformat() if d.status == "pending" else None,
            "delivered_at": d.delivered_at.isoformat() if d.delivered_at else None,
            "created_at": d.created_at.isoformat(),
        }
        for d in delivery_log(db.session, _retailer(slug).id, limit)
    ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    click.echo(f"{'event':<30} {'type':<20} {'status':<10} {'tries':>5} {'last':>5}  next attempt")
    for row in rows:
        click.echo(
            f"{row['event_id']:<30} {row['type']:<20} {row['status']:<10} {row['attempts']:>5} "
            f"{row['last_status'] or '-':>5}  {row['next_attempt_at'] or '-'}"
        )


@events_cli.command("secret")
@click.argument("slug")
@click.option("--rotate", is_flag=True, help="Make a new signing secret and show it once.")
def secret_command(slug: str, rotate: bool) -> None:
    """Show the start of a retailer's webhook signing secret, or rotate it."""
    retailer = _retailer(slug)
    if rotate:
        secret = rotate_secret(db.session, retailer.id, actor="cli")
        if secret is None:
            raise click.ClickException(f'"{slug}" has no events webhook_url in its setup')
        click.echo(f"webhook_secret: {secret}")
        return
    endpoint = db.session.get(EventEndpoint, retailer.id)
    if endpoint is None:
        raise click.ClickException(f'"{slug}" has no events webhook_url in its setup')
    click.echo(f"webhook_secret: {endpoint.secret[:10]}... url: {endpoint.url or '(events off)'}")


@events_cli.command("reencrypt")
def reencrypt_command() -> None:
    """Rewrite every webhook secret under the first of ENCRYPTION_KEYS (the key rotation step)."""
    click.echo(f"{reencrypt_secrets(db.session)} webhook secret(s) encrypted under the first key")
