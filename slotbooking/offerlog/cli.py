"""flask pricing calibrate|show|record-offers|forget-offers: the choice model learnt from the offer log."""

import json

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from slotbooking.clock import now
from slotbooking.extensions import db
from slotbooking.offerlog.fits import calibrate, in_use_parameters, latest_fit
from slotbooking.offerlog.models import ChoiceFit
from slotbooking.offerlog.recorder import drain_queue
from slotbooking.offerlog.retention import forget_old_offers
from slotbooking.retailers.models import Retailer

pricing_cli = AppGroup("pricing", help="The choice model the pricing engine learns from shoppers.")


def _retailer(slug: str) -> Retailer:
    retailer = db.session.scalar(select(Retailer).where(Retailer.slug == slug))
    if retailer is None:
        raise click.ClickException(f'no retailer "{slug}"')
    return retailer


def fit_json(fit: ChoiceFit) -> dict:
    return {
        "fitted_at": fit.fitted_at.isoformat(),
        "since": fit.since.isoformat(),
        "until": fit.until.isoformat(),
        "offers": fit.offers,
        "bookings": fit.bookings,
        "held_out_offers": fit.held_out_offers,
        "tied_share": fit.tied_share,
        "start": fit.start,
        "parameters": fit.parameters,
        "standard_errors": fit.standard_errors,
        "fixed": fit.fixed,
        "log_likelihood": fit.log_likelihood,
        "held_out_log_likelihood": fit.held_out_log_likelihood,
        "held_out_log_likelihood_start": fit.held_out_log_likelihood_start,
        "predicts_better": fit.predicts_better,
        "in_use": fit.in_use,
        "note": fit.note,
    }


def fit_lines(fit: ChoiceFit) -> list[str]:
    """The fit as an operator reads it: each parameter against the defaults, then the held-out test."""
    tied = "no bookings" if fit.tied_share is None else f"{fit.tied_share:.0%} of the period's bookings tied"
    lines = [
        f"fitted {fit.fitted_at:%Y-%m-%d %H:%M} UTC on offers shown {fit.since:%Y-%m-%d %H:%M} to "
        f"{fit.until:%Y-%m-%d %H:%M} UTC: {fit.offers} offers, {fit.bookings} booked, "
        f"{fit.held_out_offers} held out ({tied})",
        f"{'parameter':<16} {'default':>8} {'fitted':>8} {'std err':>8}",
    ]
    for name, start in fit.start.items():
        error = fit.standard_errors.get(name)
        shown = f"{fit.parameters[name]:>8.3f} {error:>8.3f}" if error is not None else f"{'':>8} {'':>8}"
        why = f"  fixed: {fit.fixed[name]}" if name in fit.fixed else ""
        lines.append(f"{name:<16} {start:>8.3f} {shown}{why}".rstrip())
    if fit.held_out_log_likelihood is not None and fit.held_out_offers:
        n = fit.held_out_offers
        lines.append(
            f"held-out log-likelihood: fitted {fit.held_out_log_likelihood:.1f}, defaults "
            f"{fit.held_out_log_likelihood_start:.1f} (per offer {fit.held_out_log_likelihood / n:.4f} "
            f"against {fit.held_out_log_likelihood_start / n:.4f}; higher predicts better)"
        )
    lines.append(f"in use: {'fitted' if fit.in_use else 'defaults'}: {fit.note}")
    return lines


@pricing_cli.command("calibrate")
@click.argument("slug")
@click.option("--days", type=int, default=None, help="Offers of the last N days (default OFFER_LOG_DAYS).")
@click.option("--json", "as_json", is_flag=True, help="Print the stored fit as JSON.")
def calibrate_command(slug: str, days: int | None, as_json: bool) -> None:
    """Fit the retailer's choice model on its offer log, store it, and say whether it is used."""
    if days is not None and days < 1:
        raise click.BadParameter("must be at least 1", param_hint="--days")
    fit = calibrate(db.session, _retailer(slug), current_app.config, now(), days)
    click.echo(json.dumps({"retailer": slug, **fit_json(fit)}) if as_json else "\n".join(fit_lines(fit)))


@pricing_cli.command("show")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
def show_command(slug: str, as_json: bool) -> None:
    """Show the choice parameters the engine prices with for a retailer, and where they come from."""
    retailer = _retailer(slug)
    parameters, source = in_use_parameters(db.session, retailer.id, retailer.pricing)
    latest = latest_fit(db.session, retailer.id)
    values = {name: getattr(parameters, name) for name in parameters.__dataclass_fields__}
    if as_json:
        body = {
            "retailer": slug,
            "mode": retailer.pricing.get("mode", "flat"),
            "in_use": "fitted" if source else "defaults",
            "parameters": values,
            "latest_fit": fit_json(latest) if latest else None,
        }
        click.echo(json.dumps(body))
        return
    origin = (
        f"fitted {source.fitted_at:%Y-%m-%d %H:%M} UTC" if source else "defaults (and setup pricing.choice)"
    )
    click.echo(f"{slug} ({retailer.pricing.get('mode', 'flat')} pricing): choice parameters in use: {origin}")
    for name, value in values.items():
        click.echo(f"  {name:<16} {value:>8.3f}")
    click.echo("latest fit:" if latest else "no fit yet: flask pricing calibrate " + slug)
    for line in fit_lines(latest) if latest else ():
        click.echo(f"  {line}")


@pricing_cli.command("record-offers")
def record_command() -> None:
    """Move the offers queued in Redis into the database (the offers.record job)."""
    if (offer_log := current_app.extensions.get("offer_log")) is not None:
        offer_log.flush()
    click.echo(f"{drain_queue(db.session, current_app.extensions['slot_cache'])} offers recorded")


@pricing_cli.command("forget-offers")
def forget_command() -> None:
    """Delete offers older than OFFER_LOG_DAYS (the offers.forget job)."""
    gone = forget_old_offers(db.session, now(), current_app.config["OFFER_LOG_DAYS"])
    click.echo(f"{gone.offers} offers, {gone.grids} grids and {gone.fits} fits forgotten")
