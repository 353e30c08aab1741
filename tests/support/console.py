"""Console helpers for tests: make a staff account, log a test client in, read a form's CSRF token."""

import re

from slotbooking.extensions import db
from slotbooking.staff.accounts import save_account

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def add_staff(app, email: str, slug: str, role: str, password: str = PASSWORD) -> None:
    """Create (or update) a staff account with a role at the retailer."""
    with app.app_context():
        save_account(db.session, email, password, slug, role)


def csrf_from(html: str) -> str:
    """Return the CSRF token of the first form on a page."""
    found = _TOKEN.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1) or found.group(2)


def csrf_of(client, path: str) -> str:
    """Return the CSRF token the page at ``path`` gives this client's session."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_from(response.get_data(as_text=True))


def log_in(client, email: str, password: str = PASSWORD, next_path: str | None = None):
    """Log the client in through the login form; return the POST's response."""
    token = csrf_of(client, "/ops/login")
    path = "/ops/login" + (f"?next={next_path}" if next_path else "")
    return client.post(path, data={"email": email, "password": password, "csrf_token": token})


def post_form(client, path: str, data: dict, form_page: str | None = None):
    """POST a console form with the session's CSRF token (read from ``form_page``, else ``path``)."""
    token = csrf_of(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token})
