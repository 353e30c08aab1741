"""Who is signed in: Flask-Login over the server-side staff sessions of staff/sessions.py.

The cookie holds the session's random token (Flask-Login's user id); every request looks it up,
so logout, idle expiry and deactivation end a session everywhere at once.
"""

from flask import current_app, session
from flask_login import LoginManager, current_user, login_user, logout_user

from slotbooking.clock import now
from slotbooking.extensions import db
from slotbooking.staff.models import StaffMember
from slotbooking.staff.sessions import LoginPolicy, resume


class ConsoleUser:
    """The signed-in staff member as Flask-Login sees them; the id is the session's token."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, staff: StaffMember, token: str):
        self.staff, self.token = staff, token

    def get_id(self) -> str:
        return self.token


def policy() -> LoginPolicy:
    return LoginPolicy.from_config(current_app.config)


def init_login(app) -> None:
    manager = LoginManager()
    manager.login_view = "console.login"
    manager.login_message = None
    manager.session_protection = "strong"
    # No context processor: it would load the user on every page rendered, the shopper's hosted
    # pages included, where the "strong" check then clears a remember cookie nobody set.
    # Console views ask ``signed_in_staff()`` themselves.
    manager.init_app(app, add_context_processor=False)

    @manager.user_loader
    def load_user(token: str):
        staff = resume(db.session, token, now(), policy())
        return ConsoleUser(staff, token) if staff is not None else None


def start_session(staff: StaffMember, token: str) -> None:
    """Sign the browser in with a fresh session: whatever it carried before is dropped."""
    session.clear()
    login_user(ConsoleUser(staff, token))


def end_session() -> None:
    logout_user()
    session.clear()


def signed_in_staff() -> StaffMember | None:
    """Return the staff member signed in on this request, or None."""
    return current_user.staff if current_user.is_authenticated else None
