"""flask demo: the embedded default with a demo retailer, its keys printed, then served."""

import json
from importlib import resources
from pathlib import Path

import click
from flask import current_app
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from slotbooking.api.context import now
from slotbooking.extensions import db
from slotbooking.jobs import start_in_process_jobs
from slotbooking.retailers.keys import issue_keys
from slotbooking.retailers.setup import import_setup


def demo_document() -> dict:
    return json.loads(resources.files("slotbooking.demo").joinpath("demo_setup.json").read_text())


def prepare_demo(session, at) -> dict:
    """Create or refresh the demo retailer and return fresh keys for it."""
    result = import_setup(session, demo_document(), "demo", at)
    keys = result.keys or issue_keys(session, result.retailer.id)
    session.commit()
    return {"retailer": result.retailer.slug, **keys}


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Prepare and print the keys, but do not serve.")
def demo_command(host: str, port: int, no_serve: bool) -> None:
    """Migrate the database, load the demo retailer, print its keys and serve."""
    upgrade()
    keys = prepare_demo(db.session, now())
    keys_file = Path(current_app.instance_path) / "demo_keys.json"
    keys_file.write_text(json.dumps(keys, indent=2))
    base = f"http://{host}:{port}"
    click.echo(
        f"""
Demo retailer "{keys["retailer"]}" is ready on {current_app.config["SQLALCHEMY_DATABASE_URI"]}
  secret key:      {keys["secret_key"]}
  publishable key: {keys["publishable_key"]}
  (also saved in {keys_file})

Try:
  curl -s -H "Authorization: Bearer {keys["secret_key"]}" "{base}/api/v1/slots?postcode=N1%201AA&days=2"
  Hosted booking page (phone-ready):  {base}/r/{keys["retailer"]}/book?order_ref=DEMO-1
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
