"""The console's home (/ops/: the staff member's retailers) and a retailer's overview page."""

from flask import g

from slotbooking.console.access import signed_in, signed_in_staff, tenant_page
from slotbooking.console.blueprint import bp
from slotbooking.console.render import render
from slotbooking.extensions import db
from slotbooking.staff.accounts import retailers_of


@bp.get("/")
@signed_in
def home():
    """The retailer switcher: every retailer the staff member works for, with their role there."""
    return render("console/home.html", retailers=retailers_of(db.session, signed_in_staff().id))


@bp.get("/r/<slug>/")
@tenant_page("viewer")
def overview(slug: str):
    tenant = g.console_tenant
    return render("console/overview.html", pricing=tenant.pricing)
