"""flask demo: the embedded default with a demo retailer, its keys printed, then served.

The demo is a local dev run, yet the app refuses the public default secret key outside debug
and testing. So the demo makes its own secret key and encryption key once, keeps them in
instance/demo_secrets.json (readable by its owner only) and sets them before the app is built.
An operator's own SLOTBOOKING_SECRET_KEY / SLOTBOOKING_ENCRYPTION_KEYS win over them.
"""

import json
import os
import secrets
from datetime import timedelta
from importlib import resources
from pathlib import Path

import click
from cryptography.fernet import Fernet
from flask import current_app
from flask.cli import ScriptInfo
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from slotbooking.booking_sessions.presenters import created_json
from slotbooking.booking_sessions.service import create_session
from slotbooking.clock import now
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.config import INSTANCE_DIR
from slotbooking.demo.showcase import seed_showcase
from slotbooking.extensions import db
from slotbooking.jobs import start_in_process_jobs
from slotbooking.request_context import collaborators
from slotbooking.retailers.keys import issue_keys
from slotbooking.retailers.models import Retailer
from slotbooking.retailers.tenant import Tenant
from slotbooking.setup.document import import_setup
from slotbooking.slots.pricers import Address
from slotbooking.staff.accounts import save_account


def demo_document() -> dict:
    return json.loads(resources.files("slotbooking.demo").joinpath("demo_setup.json").read_text())


def showcase_document() -> dict:
    """The demo retailer as ``flask demo`` serves it: priced by the dynamic engine."""
    document = demo_document()
    document["pricing"]["mode"] = "dynamic"
    return document


def prepare_demo(session, at, document: dict | None = None) -> dict:
    """Create or refresh the demo retailer (flat prices unless a document is given); return fresh keys."""
    result = import_setup(session, document or demo_document(), "demo", at)
    with unit_of_work(session):
        keys = result.keys or issue_keys(session, result.retailer.id)
    return {"retailer": result.retailer.slug, **keys}


def demo_secrets(instance_dir: Path) -> dict:
    """Return the demo's own settings for its secrets, made once and kept in the instance folder."""
    path = instance_dir / "demo_secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "SLOTBOOKING_SECRET_KEY": secrets.token_urlsafe(48),
        "SLOTBOOKING_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }
    instance_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(values, indent=2))
    return values


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Prepare and print the keys, but do not serve.")
@click.pass_context
def demo_command(context: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Migrate the database, load the demo retailer, print its keys and serve."""
    for name, value in demo_secrets(INSTANCE_DIR).items():
        os.environ.setdefault(name, value)
    # Links the demo prints and mails (booking sessions, manage links) point at where it serves.
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    os.environ.setdefault("SLOTBOOKING_PUBLIC_BASE_URL", f"http://{shown_host}:{port}")
    app = context.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        _prepare_and_serve(host, port, no_serve)


def _prepare_and_serve(host: str, port: int, no_serve: bool) -> None:
    upgrade()
    keys = prepare_demo(db.session, now(), showcase_document())
    seeded = seed_showcase(
        db.session,
        collaborators(),
        _tenant(keys["retailer"]),
        now(),
        quote_minutes=current_app.config["QUOTE_MINUTES"],
    )
    if (offer_log := current_app.extensions.get("offer_log")) is not None:
        offer_log.flush()  # the seeded shoppers' offers, into the log before the console reads it
    keys_file = Path(current_app.instance_path) / "demo_keys.json"
    keys_file.write_text(json.dumps(keys, indent=2))
    login = demo_console_login(db.session, keys["retailer"], Path(current_app.instance_path))
    base = f"http://{host}:{port}"
    booking_link = _demo_booking_link(keys["retailer"])
    hours = current_app.config["BOOKING_SESSION_HOURS"]
    click.echo(
        f"""
Demo retailer "{keys["retailer"]}" is ready on {current_app.config["SQLALCHEMY_DATABASE_URI"]}
  secret key:      {keys["secret_key"]}
  publishable key: {keys["publishable_key"]}
  (also saved in {keys_file})
  Ops console:     {base}/ops/  (admin: {login["email"]} / {login["password"]}, saved in {login["file"]})
  Pricing: dynamic (the engine prices each window). {seeded.summary()}

Try:
  curl -s -H "Authorization: Bearer {keys["secret_key"]}" "{base}/api/v1/slots?postcode=N1%201AA&days=2"
  Hosted booking page for order DEMO-1 (a booking session, valid {hours} h):
    {booking_link}
  (shops open one per order: POST /api/v1/booking_sessions, see docs/booking-sessions.md)
  Widget script for your shop:        {base}/widget/slot-picker.js  (see docs/widget.md)
  API reference:                      {base}/api/v1/docs
"""
    )
    if not no_serve:
        if not current_app.config["BROKER_URL"]:
            start_in_process_jobs(current_app._get_current_object())
            click.echo("Jobs (webhooks, refunds, hold sweep, slot generation) run in this process.")
        # Flask ignores app.run() inside its own CLI; serve with werkzeug directly.
        run_simple(host, port, current_app._get_current_object(), threaded=True)


DEMO_CONSOLE_EMAIL = "admin@demo.example"


def demo_console_login(session, slug: str, instance_dir: Path) -> dict:
    """Make (or refresh) the demo's console admin; its random password is kept in demo_console.json."""
    path = instance_dir / "demo_console.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    login = {
        "email": saved.get("email") or DEMO_CONSOLE_EMAIL,
        "password": saved.get("password") or secrets.token_urlsafe(12),
    }
    save_account(session, login["email"], login["password"], slug, "admin")
    path.touch(mode=0o600)
    path.write_text(json.dumps(login, indent=2))
    return {**login, "file": str(path)}


def _tenant(slug: str) -> Tenant:
    return Tenant.of(db.session.scalar(select(Retailer).where(Retailer.slug == slug)))


def _demo_booking_link(slug: str) -> str:
    """Open a booking session for a demo order and return its link (the hosted page needs one)."""
    tenant = _tenant(slug)
    made = create_session(
        db.session,
        current_app.extensions["zone_finder"],
        tenant,
        "DEMO-1",
        Address("N1 2AB"),
        None,
        None,
        now(),
        timedelta(hours=current_app.config["BOOKING_SESSION_HOURS"]),
    )
    base_url = current_app.config["PUBLIC_BASE_URL"]
    return created_json(made.booking_session, made.token, tenant, base_url)["url"]
