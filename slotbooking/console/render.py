"""Rendering a console page with what the layout needs: the staff member, their retailers, the nav."""

from babel import Locale
from flask import g, render_template

from slotbooking import wording
from slotbooking.console.identity import signed_in_staff
from slotbooking.console.nav import entries_for
from slotbooking.extensions import db
from slotbooking.staff.accounts import retailers_of


def render(template: str, status: int = 200, **context):
    staff = signed_in_staff()
    role = g.get("console_role")
    tenant = g.get("console_tenant")
    page = render_template(
        template,
        staff=staff,
        my_retailers=retailers_of(db.session, staff.id) if staff else [],
        tenant=tenant,
        role=role,
        nav=entries_for(role) if role else [],
        money=lambda minor: (
            wording.money(minor, tenant.currency, Locale.parse(tenant.locale)) if tenant else str(minor)
        ),
        **context,
    )
    return page, status
