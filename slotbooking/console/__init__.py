"""The ops console under /ops: server-rendered pages for staff, by retailer and by role.

A web part like shopper/ and api/: it reads the request, calls one use case of staff/ (or
drafts/, setup/ ...), and presents the answer. Every tenant page sits under /ops/r/<slug>/ behind
``access.tenant_page(min_role)``; the navigation is one list (nav.py).
"""


def register(app) -> None:
    """Add the console's blueprint, its login manager and its CSRF checks to the app."""
    from slotbooking.console import (  # noqa: F401  (their routes join bp)
        audit_views,
        auth_views,
        dashboards_views,
        draft_views,
        home_views,
        operations_pages,
        setup_views,
        staff_views,
        whatif_views,
    )
    from slotbooking.console.blueprint import bp
    from slotbooking.console.identity import init_login

    init_login(app)
    app.register_blueprint(bp)
