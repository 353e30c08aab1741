"""The webhook pages: deliveries with their attempts, one delivery's body, and "retry now" (admin)."""

from flask import current_app, flash, g, redirect, request, url_for

from slotbooking.console.access import tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.ops_forms import ConfirmForm
from slotbooking.console.ops_support import on_behalf, page, page_arg
from slotbooking.events.cli import retry_policy
from slotbooking.extensions import db
from slotbooking.operations.webhooks import (
    STATUSES,
    attempts_of,
    get_delivery,
    is_failing,
    list_deliveries,
    retry_now,
)
from slotbooking.request_context import now


@bp.get("/r/<slug>/webhooks")
@tenant_page("viewer")
def webhooks(slug: str):
    status = request.args.get("status") or None
    found = list_deliveries(db.session, g.console_tenant, status, page_arg(request.args.get("page")))
    return page(
        "console/webhooks.html",
        found=found,
        status=status,
        statuses=STATUSES,
        is_failing=is_failing,
        form=ConfirmForm(),
    )


@bp.get("/r/<slug>/webhooks/<event_id>")
@tenant_page("viewer")
def webhook(slug: str, event_id: str):
    delivery = get_delivery(db.session, g.console_tenant, event_id)
    return page(
        "console/webhook.html",
        delivery=delivery,
        attempts=attempts_of(db.session, delivery),
        is_failing=is_failing,
        form=ConfirmForm(),
    )


@bp.post("/r/<slug>/webhooks/<event_id>/retry")
@tenant_page("admin")
def webhook_retry(slug: str, event_id: str):
    if ConfirmForm().validate_on_submit():
        policy = retry_policy(current_app.config)
        retry_now(db.session, g.console_tenant, event_id, now(), policy, on_behalf())
        flash("Due again now: the next delivery run sends it.", "success")
    return redirect(url_for("console.webhook", slug=slug, event_id=event_id))
