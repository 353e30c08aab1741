"""Setup editing: the setup overview and one page per part of the setup document, saved as the draft.

Thin views: each reads its form (console/setup_form.py), saves the draft through drafts/ with the
setup document's own validation, and presents the answer; publishing stays on the draft page.
"""

from flask import flash, g, redirect, request, url_for

from slotbooking.clock import now
from slotbooking.common.errors import ValidationFailed
from slotbooking.console.access import signed_in_staff, tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.render import render
from slotbooking.console.setup_form import (
    PAGES,
    SetupPage,
    apply_values,
    cell_name,
    cell_path,
    field_path,
    place_errors,
    values_from_document,
    values_from_form,
)
from slotbooking.drafts.service import document_problems, draft_of, save_setup_draft, working_document
from slotbooking.extensions import db
from slotbooking.staff.models import role_rank


@bp.get("/r/<slug>/setup")
@tenant_page("viewer")
def setup(slug: str):
    document = working_document(db.session, g.console_retailer)
    counts = {
        "rules": f"{len(document['booking_rules'].get('blackout_dates', []))} blackout dates",
        "templates": f"{len(document['slot_templates'])} templates",
        "fleet": f"{sum(group['count'] for group in document['fleet'])} vehicles",
        "places": f"{len(document['depots'])} depots, {len(document['zones'])} zones",
        "connections": f"{len(document['retailer'].get('allowed_origins', []))} origins",
    }
    return render(
        "console/setup.html",
        pages=PAGES.values(),
        counts=counts,
        draft=draft_of(db.session, g.console_retailer.id),
    )


def _page(page: SetupPage, values, errors: dict, status: int = 200):
    beside, other = place_errors(page, values, errors)
    return render(
        "console/setup_page.html",
        status,
        page=page,
        values=values,
        errors=beside,
        other_errors=other,
        refused=bool(errors),
        draft=draft_of(db.session, g.console_retailer.id),
        can_edit=role_rank(g.console_role) >= role_rank("editor"),
        cell_name=cell_name,
        cell_path=cell_path,
        field_path=field_path,
    )


def _show(name: str):
    page = PAGES[name]
    document = working_document(db.session, g.console_retailer)
    return _page(page, values_from_document(page, document, g.console_tenant.currency), {})


def _save(name: str):
    page, retailer, currency = PAGES[name], g.console_retailer, g.console_tenant.currency
    values = values_from_form(page, request.form, currency)
    if request.form.get("add") or request.form.get("remove"):  # only redraws the form
        return _page(page, values, {})
    document = working_document(db.session, retailer)
    candidate, problems = apply_values(page, document, values, currency)
    if problems:  # said beside the inputs, with what the setup document's schema says of the rest
        return _page(page, values, {**document_problems(retailer, candidate), **problems}, 422)
    try:
        save_setup_draft(
            db.session, signed_in_staff(), retailer, candidate, f"draft.setup_{name}_saved", now()
        )
    except ValidationFailed as failed:
        return _page(page, values, failed.details, 422)
    flash(f"{page.title}: saved in the draft. Nothing is live until an admin publishes it.", "success")
    return redirect(url_for("console.draft", slug=g.console_tenant.slug))


def _route(name: str) -> None:
    def show(slug: str):
        return _show(name)

    def save(slug: str):
        return _save(name)

    show.__name__, save.__name__ = f"setup_{name}", f"save_setup_{name}"
    bp.add_url_rule(f"/r/<slug>/setup/{name}", f"setup_{name}", tenant_page("viewer")(show), methods=["GET"])
    bp.add_url_rule(
        f"/r/<slug>/setup/{name}", f"save_setup_{name}", tenant_page("editor")(save), methods=["POST"]
    )


for _name in PAGES:
    _route(_name)
