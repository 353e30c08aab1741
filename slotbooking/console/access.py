"""Who may open a console page: signed in, a member of the page's retailer, with a high enough role.

``tenant_page(min_role)`` guards every page under /ops/r/<slug>/: anonymous -> the login page
(with ``next``); no membership at that slug -> 404, the same answer as for a retailer that does
not exist, so no one learns another retailer's slug; too low a role -> a 403 page. On success
``g.console_tenant`` (the Tenant snapshot), ``g.console_retailer`` (the row) and ``g.console_role``.
"""

import functools

from flask import g, redirect, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from slotbooking.console.identity import signed_in_staff
from slotbooking.console.render import render
from slotbooking.extensions import db
from slotbooking.retailers.models import Retailer
from slotbooking.retailers.tenant import Tenant
from slotbooking.staff.models import StaffMembership, role_rank


def to_login():
    path = request.full_path if request.query_string else request.path
    return redirect(url_for("console.login", next=path))


def signed_in(view):
    """Refuse an anonymous visitor: send them to the login page and back."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if signed_in_staff() is None:
            return to_login()
        return view(*args, **kwargs)

    return wrapper


def membership_at(staff_id: int, slug: str) -> tuple[Retailer, str] | None:
    row = db.session.execute(
        select(Retailer, StaffMembership.role)
        .join(StaffMembership, StaffMembership.retailer_id == Retailer.id)
        .where(Retailer.slug == slug, StaffMembership.staff_id == staff_id)
    ).first()
    return (row[0], row[1]) if row else None


def tenant_page(min_role: str):
    """Guard a view under /ops/r/<slug>/ (see the module's docstring); the view gets ``slug``."""
    if role_rank(min_role) < 0:
        raise ValueError(f"unknown role {min_role!r}")

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, slug: str, **kwargs):
            staff = signed_in_staff()
            if staff is None:
                return to_login()
            found = membership_at(staff.id, slug)
            if found is None:
                raise NotFound()
            retailer, role = found
            g.console_retailer, g.console_role = retailer, role
            g.console_tenant = Tenant.of(retailer)
            if role_rank(role) < role_rank(min_role):
                return render("console/forbidden.html", 403, needed=min_role)
            return view(*args, slug=slug, **kwargs)

        wrapper.console_min_role = min_role
        return wrapper

    return decorate
