"""Invites: an admin makes a one-time link for an e-mail and a role; only the token's digest is kept.

The link is shown once to the admin who made it (no mail server needed). Opening it before it
expires lets the person choose a password (a new account) or confirm theirs (an existing one),
and gives them the role at the retailer; the link then stops working.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from slotbooking.common.errors import DomainError, ValidationFailed
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.staff.accounts import check_role, find_staff, membership_of, normal_email
from slotbooking.staff.audit import record
from slotbooking.staff.models import StaffInvite, StaffMember, StaffMembership
from slotbooking.staff.passwords import hash_password, password_problem, verify_password


class InviteUnusable(DomainError):
    status, code = 410, "invite_unusable"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(
    session, by: StaffMember, retailer_id: int, email: str, role: str, now: datetime, hours: int
) -> str:
    """Record an invite and return its token (for the link, shown once).

    :raises ValidationFailed: a bad e-mail or role.
    """
    email, role = normal_email(email), check_role(role)
    token = secrets.token_urlsafe(32)
    with unit_of_work(session):
        session.add(
            StaffInvite(
                retailer_id=retailer_id,
                email=email,
                role=role,
                digest=_digest(token),
                invited_by=by.id,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
        record(
            session,
            staff=by,
            retailer_id=retailer_id,
            action="staff.invited",
            target=email,
            diff={"role": role},
        )
    return token


def open_invite(session, token: str, now: datetime) -> StaffInvite:
    """Return the invite of a link that can still be used.

    :raises InviteUnusable: unknown, used or expired.
    """
    invite = (
        session.scalar(select(StaffInvite).where(StaffInvite.digest == _digest(token)))
        if token and len(token) <= 100
        else None
    )
    if invite is None or invite.used_at is not None or invite.expires_at <= now:
        raise InviteUnusable("this invite link has been used or has expired; ask an admin for a new one")
    return invite


def pending_invites(session, retailer_id: int, now: datetime) -> list[StaffInvite]:
    return list(
        session.scalars(
            select(StaffInvite)
            .where(
                StaffInvite.retailer_id == retailer_id,
                StaffInvite.used_at.is_(None),
                StaffInvite.expires_at > now,
            )
            .order_by(StaffInvite.created_at.desc())
        )
    )


def accept_invite(session, token: str, password: str, now: datetime) -> StaffMember:
    """Join the retailer with the invite's role: a new account with this password, or an existing
    account whose password this is.

    :raises InviteUnusable: :raises ValidationFailed: a refused new password or a wrong existing one.
    """
    with unit_of_work(session):
        invite = open_invite(session, token, now)
        staff = find_staff(session, invite.email)
        if staff is None:
            if problem := password_problem(password or ""):
                raise ValidationFailed("password refused", {"password": [problem]})
            staff = StaffMember(email=invite.email, password_hash=hash_password(password), active=True)
            session.add(staff)
            session.flush()
        elif not verify_password(staff.password_hash, password or ""):
            raise ValidationFailed(
                "wrong password", {"password": ["this e-mail has an account: type its password"]}
            )
        membership = membership_of(session, staff.id, invite.retailer_id)
        if membership is None:
            session.add(StaffMembership(staff_id=staff.id, retailer_id=invite.retailer_id, role=invite.role))
        else:
            membership.role = invite.role
        invite.used_at = now
        record(
            session,
            staff=staff,
            retailer_id=invite.retailer_id,
            action="staff.joined",
            target=invite.email,
            diff={"role": invite.role},
        )
    return staff
