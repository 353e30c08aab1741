"""What-if runs in the console: start one from the draft page, watch it, cancel it, read its result.

Thin views over whatif/service.py. The run page refreshes itself while the run is active with
``<meta http-equiv="refresh">``: the console ships no JavaScript.
"""

from datetime import datetime, time, timedelta

from flask import current_app, flash, g, redirect, url_for
from werkzeug.exceptions import NotFound as PageNotFound

from slotbooking.clock import now
from slotbooking.common.errors import DomainError, NotFound, ValidationFailed
from slotbooking.console.access import signed_in_staff, tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.ops_forms import ConfirmForm
from slotbooking.console.render import render
from slotbooking.console.whatif_forms import WhatIfForm
from slotbooking.console.whatif_present import result_rows
from slotbooking.extensions import db
from slotbooking.jobs.enqueue import enqueue
from slotbooking.jobs.tasks import RUN_WHATIF
from slotbooking.staff.accounts import emails_of
from slotbooking.staff.models import role_rank
from slotbooking.whatif.inputs import document_digest
from slotbooking.whatif.service import (
    Period,
    cancel_run,
    fail_unsent,
    latest_run,
    run_of,
    runs_by_version,
    start_run,
)

REFRESH_SECONDS = 2


def _period(form: WhatIfForm, tenant) -> Period:
    """Return the offers' period: the last N days up to now, or whole local days between dates."""
    if form.period.data != "dates":
        until = now()
        return Period(until - timedelta(days=int(form.period.data)), until)
    tz = tenant.tz
    since = datetime.combine(form.date_from.data, time(), tz)
    until = datetime.combine(form.date_to.data + timedelta(days=1), time(), tz)
    return Period(since, until)


def _money(minor: int) -> str:
    from babel import Locale

    from slotbooking import wording

    tenant = g.console_tenant
    return wording.money(minor, tenant.currency, Locale.parse(tenant.locale))


def run_view(run) -> dict | None:
    """Return what the pages show of a run: the run, its rows once done, who started it."""
    if run is None:
        return None
    rows = result_rows(run.result, _money) if run.status == "done" and run.result else []
    return {"run": run, "rows": rows, "result": run.result}


def draft_whatif(draft, form=None) -> dict:
    """Return the draft page's what-if part: the form (editors), this draft's latest run, or why none."""
    retailer_id = g.console_retailer.id
    may_start = role_rank(g.console_role) >= role_rank("editor")
    if form is None and may_start:
        form = WhatIfForm(draws=current_app.config["WHATIF_DEFAULT_DRAWS"])
    latest = mine = None
    if draft is not None:
        mine = latest_run(db.session, retailer_id, document_digest(draft.document))
        if mine is None:
            latest = latest_run(db.session, retailer_id, status="done")
    return {
        "form": form if may_start else None,
        "run": run_view(mine),
        # A result exists, but for the draft as it was before its last change.
        "changed_since": mine is None and latest is not None and latest.setup_version_id is None,
    }


def version_runs() -> dict[int, dict]:
    """Return setup version id -> what the version history shows of the run kept with it."""
    return {vid: run_view(run) for vid, run in runs_by_version(db.session, g.console_retailer.id).items()}


@bp.post("/r/<slug>/whatif")
@tenant_page("editor")
def start_whatif(slug: str):
    from slotbooking.console.draft_views import draft_page

    form = WhatIfForm()
    if not form.validate_on_submit():
        return draft_page(form, 422)
    try:
        run = start_run(
            db.session,
            signed_in_staff(),
            g.console_retailer,
            _period(form, g.console_tenant),
            form.draws.data,
            form.seed.data,
            current_app.config,
        )
    except ValidationFailed as failed:
        for path, messages in failed.details.items():
            field = getattr(form, {"period": "date_to"}.get(path, path), None)
            if field is not None:
                field.errors = [*field.errors, *messages]
        return draft_page(form, 422)
    except DomainError as refused:
        flash(refused.message, "error")
        return redirect(url_for("console.draft", slug=slug))
    sent = enqueue(current_app._get_current_object(), RUN_WHATIF, run_id=run.id)
    if sent in ("failed", "skipped"):
        fail_unsent(db.session, run.id, sent)
        flash("The job queue did not take the what-if: try again once it is back.", "error")
    return redirect(url_for("console.whatif_run", slug=slug, run_id=run.id))


@bp.get("/r/<slug>/whatif/<int:run_id>")
@tenant_page("viewer")
def whatif_run(slug: str, run_id: int):
    try:
        run = run_of(db.session, g.console_retailer.id, run_id)
    except NotFound as missing:
        raise PageNotFound() from missing
    view = run_view(run)
    return render(
        "console/whatif_run.html",
        view=view,
        cancel=ConfirmForm() if run.active and role_rank(g.console_role) >= role_rank("editor") else None,
        refresh=REFRESH_SECONDS if run.active else None,
        author=emails_of(db.session, {run.started_by} if run.started_by else set()).get(run.started_by),
    )


@bp.post("/r/<slug>/whatif/<int:run_id>/cancel")
@tenant_page("editor")
def cancel_whatif(slug: str, run_id: int):
    if not ConfirmForm().validate_on_submit():
        flash("The form expired: try again.", "error")
        return redirect(url_for("console.whatif_run", slug=slug, run_id=run_id))
    try:
        run = cancel_run(db.session, signed_in_staff(), g.console_retailer, run_id)
    except NotFound as missing:
        raise PageNotFound() from missing
    flash(
        "What-if cancelled." if run.status == "cancelled" else f"The what-if had already {run.status}.",
        "info",
    )
    return redirect(url_for("console.whatif_run", slug=slug, run_id=run_id))
