"""Managing a retailer's staff (admins): members and their roles, invites shown once, removal.

Also the invite link itself (/ops/invite/<token>), which needs no session: it is the credential.
"""

from flask import current_app, flash, g, redirect, request, url_for

from slotbooking.clock import now
from slotbooking.common.errors import ValidationFailed
from slotbooking.console.access import signed_in_staff, tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.render import render
from slotbooking.extensions import db
from slotbooking.staff.accounts import change_role, members_of, remove_member
from slotbooking.staff.invites import (
    InviteUnusable,
    accept_invite,
    create_invite,
    open_invite,
    pending_invites,
)
from slotbooking.staff.models import ROLES


def _staff_page(status: int = 200, **extra):
    retailer = g.console_retailer
    return render(
        "console/staff.html",
        status,
        members=members_of(db.session, retailer.id),
        invites=pending_invites(db.session, retailer.id, now()),
        roles=ROLES,
        me=signed_in_staff(),
        **{"invite_errors": {}, "invite_link": None, **extra},
    )


@bp.get("/r/<slug>/staff")
@tenant_page("admin")
def staff(slug: str):
    return _staff_page()


@bp.post("/r/<slug>/staff/invite")
@tenant_page("admin")
def invite(slug: str):
    try:
        token = create_invite(
            db.session,
            signed_in_staff(),
            g.console_retailer.id,
            request.form.get("email", ""),
            request.form.get("role", ""),
            now(),
            current_app.config["CONSOLE_INVITE_HOURS"],
        )
    except ValidationFailed as failed:
        return _staff_page(422, invite_errors=failed.details)
    link = url_for("console.join", token=token, _external=True)
    # Shown on this answer only: the token is kept as a digest, never in a flash or a log.
    return _staff_page(201, invite_link=link, invite_email=request.form.get("email", "").strip().lower())


@bp.post("/r/<slug>/staff/<int:staff_id>/role")
@tenant_page("admin")
def set_role(slug: str, staff_id: int):
    try:
        change_role(
            db.session, signed_in_staff(), g.console_retailer.id, staff_id, request.form.get("role", "")
        )
    except ValidationFailed as failed:
        flash(f"Role not changed: {failed.message}.", "error")
    else:
        flash("Role changed.", "success")
    return redirect(url_for("console.staff", slug=slug))


@bp.post("/r/<slug>/staff/<int:staff_id>/remove")
@tenant_page("admin")
def remove(slug: str, staff_id: int):
    try:
        remove_member(db.session, signed_in_staff(), g.console_retailer.id, staff_id)
    except ValidationFailed as failed:
        flash(f"Not removed: {failed.message}.", "error")
    else:
        flash("Removed from this retailer.", "success")
    return redirect(url_for("console.staff", slug=slug))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def join(token: str):
    try:
        pending = open_invite(db.session, token, now())
    except InviteUnusable as unusable:
        page = render(
            "console/error.html",
            410,
            code=unusable.code,
            heading="Invite not usable",
            message=unusable.message,
        )
        return page
    errors = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", password):
            errors = {"confirm": ["the two passwords differ"]}
        else:
            try:
                accept_invite(db.session, token, password, now())
            except ValidationFailed as failed:
                errors = failed.details
            else:
                flash("You have joined. Log in with your e-mail and password.", "success")
                return redirect(url_for("console.login"))
    return render("console/join.html", 422 if errors else 200, invite=pending, errors=errors)
