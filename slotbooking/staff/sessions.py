"""Console logins: throttled password checks, server-side sessions that expire and end on logout.

Failed attempts are audit rows (``login.failed``), so the throttle needs no Redis and counts
the same on every process: too many failures for one account, or from one client address,
within the window and the login is refused before the password is even checked.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from slotbooking.common.errors import DomainError
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.staff.audit import record
from slotbooking.staff.models import StaffAuditEntry, StaffMember, StaffSession
from slotbooking.staff.passwords import hash_password, needs_rehash, verify_password

# A session is refreshed in the database at most this often (not on every page).
TOUCH_EVERY = timedelta(minutes=1)


class LoginRefused(DomainError):
    status, code = 401, "login_failed"


class LoginThrottled(DomainError):
    status, code = 429, "rate_limited"


@dataclass(frozen=True)
class LoginPolicy:
    failures_per_account: int
    failures_per_client: int
    window: timedelta
    idle: timedelta
    longest: timedelta

    @classmethod
    def from_config(cls, config) -> "LoginPolicy":
        return cls(
            failures_per_account=config["CONSOLE_LOGIN_FAILURES_PER_ACCOUNT"],
            failures_per_client=config["CONSOLE_LOGIN_FAILURES_PER_CLIENT"],
            window=timedelta(minutes=config["CONSOLE_LOGIN_WINDOW_MINUTES"]),
            idle=timedelta(minutes=config["CONSOLE_SESSION_IDLE_MINUTES"]),
            longest=timedelta(hours=config["CONSOLE_SESSION_MAX_HOURS"]),
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _failures(session, since: datetime, **where) -> int:
    query = (
        select(func.count())
        .select_from(StaffAuditEntry)
        .where(StaffAuditEntry.action == "login.failed", StaffAuditEntry.at >= since)
    )
    for column, value in where.items():
        query = query.where(getattr(StaffAuditEntry, column) == value)
    return session.scalar(query)


def log_in(session, email: str, password: str, client: str | None, now: datetime, policy: LoginPolicy):
    """Check the password and open a session; return (staff, the session's token for the cookie).

    :raises LoginThrottled: too many recent failures for this account or from this client.
    :raises LoginRefused: unknown e-mail, wrong password or a deactivated account (one message).
    """
    email = (email or "").strip().lower()[:254]
    since = now - policy.window
    with unit_of_work(session):
        if (
            _failures(session, since, target=email) >= policy.failures_per_account
            or _failures(session, since, client_address=client) >= policy.failures_per_client
        ):
            minutes = int(policy.window.total_seconds() // 60)
            raise LoginThrottled(f"too many failed logins; try again in {minutes} minutes")
        staff = session.scalar(select(StaffMember).where(StaffMember.email == email))
        good = verify_password(staff.password_hash if staff else None, password or "")
        if not good or not staff.active:
            record(
                session,
                staff=staff,
                retailer_id=None,
                action="login.failed",
                target=email,
                client_address=client,
            )
    if not good or not staff.active:
        raise LoginRefused("that e-mail and password do not match an active account")
    token = secrets.token_urlsafe(32)
    with unit_of_work(session):
        if needs_rehash(staff.password_hash):
            staff.password_hash = hash_password(password)
        session.add(
            StaffSession(
                staff_id=staff.id,
                digest=_digest(token),
                created_at=now,
                last_seen_at=now,
                client_address=client,
            )
        )
        record(session, staff=staff, retailer_id=None, action="login", target=email, client_address=client)
    return staff, token


def resume(session, token: str | None, now: datetime, policy: LoginPolicy) -> StaffMember | None:
    """Return the staff member of a live session token (refreshing it), or None if it has ended.

    A session ends on logout, after ``idle`` without a page, after ``longest`` in all, and when
    the account is deactivated.
    """
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.digest == _digest(token)))
    if row is None or row.ended_at is not None:
        return None
    expired = now - row.last_seen_at > policy.idle or now - row.created_at > policy.longest
    if expired or not row.staff.active:
        with unit_of_work(session):
            row.ended_at = now
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        with unit_of_work(session):
            row.last_seen_at = now
    return row.staff


def log_out(session, token: str | None, now: datetime) -> None:
    """End the session of this token (nothing happens for an unknown or ended one)."""
    if not token or len(token) > 100:
        return
    with unit_of_work(session):
        row = session.scalar(select(StaffSession).where(StaffSession.digest == _digest(token)))
        if row is None or row.ended_at is not None:
            return
        row.ended_at = now
        record(session, staff=row.staff, retailer_id=None, action="logout", target=row.staff.email)


def end_sessions_of(session, staff_id: int, now: datetime) -> None:
    """End every live session of a staff member (inside the caller's unit: a removal, a deactivation)."""
    for row in session.scalars(
        select(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.ended_at.is_(None))
    ):
        row.ended_at = now
