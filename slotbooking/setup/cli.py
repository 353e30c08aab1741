"""flask retailer import|export|keys."""

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from slotbooking.clock import now
from slotbooking.common.errors import DomainError
from slotbooking.extensions import db
from slotbooking.retailers.keys import rotate_keys
from slotbooking.retailers.models import ApiKey, Retailer
from slotbooking.setup.document import export_setup, import_setup, parse_document

retailer_cli = AppGroup("retailer", help="Import, export and manage retailers.")


def _fail(error: DomainError) -> None:
    lines = [f"error: {error.message}"]
    for path, messages in error.details.items():
        for message in messages if isinstance(messages, list) else [messages]:
            lines.append(f"  {path}: {message}")
    raise click.ClickException("\n".join(lines))


def _retailer(slug: str) -> Retailer:
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug))
    if retailer is None:
        raise click.ClickException(f'no retailer "{slug}"')
    return retailer


@retailer_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--actor", default="cli", help="Who is making the change, for the audit trail.")
def import_command(file: Path, as_json: bool, actor: str) -> None:
    """Create or update a retailer from a setup document (JSON or YAML)."""
    try:
        result = import_setup(
            db.session, parse_document(file.read_text(encoding="utf-8"), file.name), actor, now()
        )
    except DomainError as error:
        _fail(error)
    out = {"retailer": result.retailer.slug}
    if result.keys:
        out.update(result.keys)
    if as_json:
        click.echo(json.dumps(out))
    else:
        click.echo(f"{'created' if result.created else 'updated'} retailer {result.retailer.slug}")
        for name, key in (result.keys or {}).items():
            click.echo(f"  {name}: {key}")


@retailer_cli.command("export")
@click.argument("slug")
def export_command(slug: str) -> None:
    """Print a retailer's setup document."""
    click.echo(json.dumps(export_setup(_retailer(slug)), indent=2))


@retailer_cli.command("keys")
@click.argument("slug")
@click.option("--rotate", is_flag=True, help="Revoke the current keys and make new ones.")
@click.option("--json", "as_json", is_flag=True)
def keys_command(slug: str, rotate: bool, as_json: bool) -> None:
    """Show the visible prefixes of a retailer's keys, or rotate them."""
    retailer = _retailer(slug)
    if rotate:
        keys = rotate_keys(db.session, retailer.id, actor="cli")
        click.echo(
            json.dumps({"retailer": slug, **keys})
            if as_json
            else "\n".join(f"{name}: {key}" for name, key in keys.items())
        )
        return
    live = db.session.scalars(
        select(ApiKey).where(ApiKey.retailer_id == retailer.id, ApiKey.revoked_at.is_(None))
    ).all()
    for key in live:
        click.echo(f"{key.kind}: {key.prefix}... (created {key.created_at:%Y-%m-%d %H:%M} UTC)")
