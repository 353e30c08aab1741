"""Pricing rules as drafts: the rules form, the draft's diff and side-by-side preview, publish, restore.

Thin views: each reads the form, calls one use case of drafts/, and presents the answer.
"""

import json

from babel import Locale
from flask import Response, flash, g, redirect, request, url_for

from slotbooking.clock import now
from slotbooking.common.errors import AddressNotServed, ValidationFailed
from slotbooking.console.access import signed_in_staff, tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.choice_present import choice_model
from slotbooking.console.pricing_form import (
    FEE_FIELD,
    SECTIONS,
    apply_form,
    apply_template_fees,
    effective,
    shown,
    template_label,
)
from slotbooking.console.render import render
from slotbooking.console.whatif_views import draft_whatif, version_runs
from slotbooking.drafts.diff import document_diff
from slotbooking.drafts.preview import preview_grids
from slotbooking.drafts.service import (
    discard_draft,
    document_problems,
    draft_of,
    latest_version,
    live_document,
    publish_draft,
    restore_version,
    save_draft,
    versions_of,
)
from slotbooking.extensions import db
from slotbooking.request_context import collaborators
from slotbooking.setup.document import parse_document
from slotbooking.shopper.present import window_view
from slotbooking.slots.pricers import Address
from slotbooking.staff.accounts import emails_of
from slotbooking.staff.models import role_rank

MAX_UPLOAD_BYTES = 60 * 1024


def _working():
    """Return (the draft or None, the document being edited: the draft's, else live)."""
    draft = draft_of(db.session, g.console_retailer.id)
    return draft, (draft.document if draft else live_document(g.console_retailer))


def _pricing_page(document: dict, errors: dict, status: int = 200, form=None):
    currency = g.console_tenant.currency
    pricing = document.get("pricing", {})
    values = {}
    for _, group in SECTIONS:
        for field in group:
            raw = form.get(field.name) if form is not None else None
            if form is not None and field.kind == "bool":
                raw = raw or ""  # an unticked box sends nothing: it stays unticked
            values[field.name] = (
                raw if raw is not None else shown(field, effective(pricing, field.name), currency)
            )
    templates = [
        {
            "label": template_label(t),
            "value": form.get(f"fee_{i}") if form is not None else shown_money(t.get("fee", 0)),
            "error": errors.get(f"slot_templates[{i}].fee"),
        }
        for i, t in enumerate(document.get("slot_templates", []))
    ]
    draft = draft_of(db.session, g.console_retailer.id)
    other = {k: v for k, v in errors.items() if not k.startswith(("pricing.", "slot_templates["))}
    return render(
        "console/pricing.html",
        status,
        sections=SECTIONS,
        values=values,
        errors=errors,
        other_errors=other,
        templates=templates,
        draft=draft,
        can_edit=role_rank(g.console_role) >= role_rank("editor"),
        choice=choice_model(db.session, g.console_retailer),
    )


def shown_money(minor: int) -> str:
    return shown(FEE_FIELD, minor, g.console_tenant.currency)


@bp.get("/r/<slug>/pricing")
@tenant_page("viewer")
def pricing(slug: str):
    _, document = _working()
    return _pricing_page(document, {})


@bp.post("/r/<slug>/pricing")
@tenant_page("editor")
def save_pricing(slug: str):
    _, document = _working()
    currency = g.console_tenant.currency
    new_pricing, problems = apply_form(document.get("pricing", {}), request.form, currency)
    templates, template_problems = apply_template_fees(
        document.get("slot_templates", []), request.form, currency
    )
    problems.update(template_problems)
    candidate = {**document, "pricing": new_pricing, "slot_templates": templates}
    if problems:  # said beside the fields, with what the setup document's schema says of the rest
        problems = {**document_problems(g.console_retailer, candidate), **problems}
        return _pricing_page(document, problems, 422, request.form)
    try:
        save_draft(db.session, signed_in_staff(), g.console_retailer, candidate, "draft.pricing_saved")
    except ValidationFailed as failed:
        return _pricing_page(document, failed.details, 422, request.form)
    flash("Saved in the draft. Nothing is live until an admin publishes it.", "success")
    return redirect(url_for("console.draft", slug=slug))


def _preview(document: dict):
    """Return (the side-by-side preview or None, its problem) for the address in the query."""
    postcode = (request.args.get("postcode") or "").strip()
    if not postcode:
        return None, None
    try:
        lat = float(request.args["lat"]) if request.args.get("lat") else None
        lon = float(request.args["lon"]) if request.args.get("lon") else None
    except ValueError:
        return None, "Latitude and longitude must be numbers."
    if (lat is None) != (lon is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)):
        return None, "Give both latitude and longitude (in range), or neither."
    tenant = g.console_tenant
    try:
        found = preview_grids(
            db.session, collaborators().finder, tenant, document, Address(postcode[:16], lat, lon), now()
        )
    except AddressNotServed as refused:
        return None, refused.message
    loc = Locale.parse(tenant.locale)

    def view(window):
        return window_view(window, tenant.tz, tenant.currency, loc) if window else None

    days = [
        (day.day, [(pair, view(pair.live), view(pair.draft)) for pair in day.windows]) for day in found.days
    ]
    return {"zone": found.zone, "days": days, "changed": found.changed}, None


@bp.get("/r/<slug>/draft")
@tenant_page("viewer")
def draft(slug: str):
    return draft_page()


def draft_page(whatif_form=None, status: int = 200):
    """Render the draft page (the what-if form as sent, with its errors, when it was refused)."""
    retailer = g.console_retailer
    found, document = _working()
    live = live_document(retailer)
    latest = latest_version(db.session, retailer.id)
    may_preview = role_rank(g.console_role) >= role_rank("editor")
    preview, problem = _preview(document) if may_preview else (None, None)
    stale = found is not None and latest is not None and found.base_version != latest.number
    return render(
        "console/draft.html",
        status if problem is None else 422,
        whatif=draft_whatif(found, whatif_form),
        draft=found,
        changes=document_diff(live, document) if found else [],
        preview=preview,
        preview_problem=problem,
        may_preview=may_preview,
        may_publish=role_rank(g.console_role) >= role_rank("admin"),
        stale=stale,
        latest=latest,
        query=request.args,
    )


@bp.post("/r/<slug>/draft/publish")
@tenant_page("admin")
def publish(slug: str):
    try:
        published = publish_draft(
            db.session, signed_in_staff(), g.console_retailer, request.form.get("note", ""), now()
        )
    except ValidationFailed as failed:
        _flash_failure(failed)
        return redirect(url_for("console.draft", slug=slug))
    _flash_published(published, "Published")
    return redirect(url_for("console.versions", slug=slug))


@bp.post("/r/<slug>/draft/discard")
@tenant_page("editor")
def discard(slug: str):
    discard_draft(db.session, signed_in_staff(), g.console_retailer)
    flash("Draft discarded.", "info")
    return redirect(url_for("console.pricing", slug=slug))


@bp.post("/r/<slug>/draft/upload")
@tenant_page("editor")
def upload(slug: str):
    sent = request.files.get("document")
    if sent is None or not sent.filename:
        flash("Choose a setup document (JSON or YAML) to upload.", "error")
        return redirect(url_for("console.draft", slug=slug))
    raw = sent.read(MAX_UPLOAD_BYTES + 1)
    try:
        if len(raw) > MAX_UPLOAD_BYTES:
            raise ValidationFailed(f"the document is larger than {MAX_UPLOAD_BYTES // 1024} KB")
        document = parse_document(raw.decode("utf-8", errors="replace"), sent.filename)
        save_draft(db.session, signed_in_staff(), g.console_retailer, document, "draft.uploaded")
    except ValidationFailed as failed:
        _flash_failure(failed)
        return redirect(url_for("console.draft", slug=slug))
    flash("Uploaded into the draft. Review the changes and the preview before publishing.", "success")
    return redirect(url_for("console.draft", slug=slug))


@bp.get("/r/<slug>/setup.json")
@tenant_page("viewer")
def download(slug: str):
    which = request.args.get("from", "live")
    found = draft_of(db.session, g.console_retailer.id) if which == "draft" else None
    document = found.document if found else live_document(g.console_retailer)
    name = f"{slug}-{'draft' if found else 'live'}-setup.json"
    return Response(
        json.dumps(document, indent=2) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/r/<slug>/versions")
@tenant_page("viewer")
def versions(slug: str):
    found = versions_of(db.session, g.console_retailer.id)
    return render(
        "console/versions.html",
        versions=found,
        runs=version_runs(),
        authors=emails_of(db.session, {v.author_id for v in found if v.author_id}),
        may_restore=role_rank(g.console_role) >= role_rank("admin"),
    )


@bp.post("/r/<slug>/versions/<int:number>/restore")
@tenant_page("admin")
def restore(slug: str, number: int):
    try:
        published = restore_version(
            db.session, signed_in_staff(), g.console_retailer, number, request.form.get("note", ""), now()
        )
    except ValidationFailed as failed:
        _flash_failure(failed)
        return redirect(url_for("console.versions", slug=slug))
    _flash_published(published, f"Restored version {number} as")
    return redirect(url_for("console.versions", slug=slug))


def _flash_failure(failed: ValidationFailed) -> None:
    details = "; ".join(f"{path}: {', '.join(map(str, msgs))}" for path, msgs in failed.details.items())
    flash(f"Not saved: {failed.message}" + (f" ({details})" if details else ""), "error")


def _flash_published(published, verb: str) -> None:
    flash(f"{verb} version {published.version.number}. New quotes use it now.", "success")
    secret = published.shown_once.get("webhook_secret")
    if secret:
        flash(f"New webhook signing secret (shown once): {secret}", "warning")
