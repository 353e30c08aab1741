"""flask staff add: create or update a console account and its role at a retailer."""

import json
import sys

import click
from flask.cli import AppGroup

from slotbooking.common.errors import DomainError
from slotbooking.extensions import db
from slotbooking.staff.accounts import save_account
from slotbooking.staff.models import ROLES

staff_cli = AppGroup("staff", help="Manage ops console accounts.")


@staff_cli.command("add")
@click.argument("email")
@click.option("--retailer", "slug", required=True, help="The retailer's slug.")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print the account as JSON.")
def add_command(email: str, slug: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """Create or update a staff account and give it a role at a retailer.

    Without --password-stdin an existing account keeps its password (a new one needs one).
    """
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        result = save_account(db.session, email, password, slug, role)
    except DomainError as error:
        lines = [f"error: {error.message}"]
        for path, messages in error.details.items():
            lines += [f"  {path}: {m}" for m in (messages if isinstance(messages, list) else [messages])]
        raise click.ClickException("\n".join(lines)) from None
    out = {"email": result.email, "retailer": result.retailer, "role": result.role, "created": result.created}
    if as_json:
        click.echo(json.dumps(out))
    else:
        verb = "created" if result.created else "updated"
        click.echo(f"{verb} staff {result.email}: {result.role} at {result.retailer}")
