"""Signing in and out of the console: /ops/login (email, password, csrf_token) and POST /ops/logout."""

from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask_login import current_user

from slotbooking.clock import now
from slotbooking.console.blueprint import bp
from slotbooking.console.forms import LoginForm
from slotbooking.console.identity import end_session, policy, start_session
from slotbooking.console.render import render
from slotbooking.extensions import db
from slotbooking.staff.sessions import LoginRefused, LoginThrottled, log_in, log_out


def safe_next(raw: str | None) -> str:
    """Return where to go after login: a console path of ours, else the console's home."""
    parts = urlsplit(raw or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/ops/") or "\\" in (raw or ""):
        return url_for("console.home")
    return parts.path + (f"?{parts.query}" if parts.query else "")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    target = safe_next(request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render("console/login.html", status, form=form, problem=None)
    try:
        staff, token = log_in(
            db.session, form.email.data, form.password.data, request.remote_addr, now(), policy()
        )
    except (LoginRefused, LoginThrottled) as refused:
        form.password.data = ""
        return render("console/login.html", refused.status, form=form, problem=refused.message)
    start_session(staff, token)
    return redirect(target)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        log_out(db.session, current_user.token, now())
    end_session()
    return redirect(url_for("console.login"))
