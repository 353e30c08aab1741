"""Staff accounts and memberships: create or update one, change a role, remove a member."""

from dataclasses import dataclass

from sqlalchemy import func, select

from slotbooking.common.errors import NotFound, ValidationFailed
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.retailers.models import Retailer
from slotbooking.staff.audit import record
from slotbooking.staff.models import ROLES, StaffMember, StaffMembership
from slotbooking.staff.passwords import hash_password, password_problem


@dataclass(frozen=True)
class AccountResult:
    staff_id: int
    email: str
    retailer: str
    role: str
    created: bool


def normal_email(raw: str) -> str:
    """Return the e-mail as stored (trimmed, lower-cased).

    :raises ValidationFailed: it does not look like an e-mail address.
    """
    email = (raw or "").strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise ValidationFailed("not an e-mail address", {"email": ["must be an e-mail address"]})
    return email


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationFailed("unknown role", {"role": [f"must be one of {', '.join(ROLES)}"]})
    return role


def find_staff(session, email: str) -> StaffMember | None:
    return session.scalar(select(StaffMember).where(StaffMember.email == email.strip().lower()))


def find_retailer(session, slug: str) -> Retailer:
    retailer = session.scalar(select(Retailer).where(Retailer.slug == slug))
    if retailer is None:
        raise NotFound(f'no retailer "{slug}"')
    return retailer


def membership_of(session, staff_id: int, retailer_id: int) -> StaffMembership | None:
    return session.scalar(
        select(StaffMembership).where(
            StaffMembership.staff_id == staff_id, StaffMembership.retailer_id == retailer_id
        )
    )


def save_account(
    session, email: str, password: str | None, slug: str, role: str, by: StaffMember | None = None
) -> AccountResult:
    """Create the account (or update its password) and give it this role at the retailer.

    :raises ValidationFailed: a bad e-mail, role or password; a new account without a password.
    :raises NotFound: no such retailer.
    """
    email, role = normal_email(email), check_role(role)
    if password is not None and (problem := password_problem(password)):
        raise ValidationFailed("password refused", {"password": [problem]})
    with unit_of_work(session):
        retailer = find_retailer(session, slug)
        staff = find_staff(session, email)
        created = staff is None
        if created:
            if password is None:
                raise ValidationFailed("a new account needs a password", {"password": ["required"]})
            staff = StaffMember(email=email, password_hash=hash_password(password), active=True)
            session.add(staff)
            session.flush()
        elif password is not None:
            staff.password_hash = hash_password(password)
            staff.active = True
        membership = membership_of(session, staff.id, retailer.id)
        before = membership.role if membership else None
        if membership is None:
            session.add(StaffMembership(staff_id=staff.id, retailer_id=retailer.id, role=role))
        else:
            membership.role = role
        record(
            session,
            staff=by,
            retailer_id=retailer.id,
            action="staff.created" if created else "staff.updated",
            target=email,
            diff={"role": [before, role], **({"password": "changed"} if password else {})},
        )
    return AccountResult(staff.id, email, retailer.slug, role, created)


def change_role(session, by: StaffMember, retailer_id: int, staff_id: int, role: str) -> None:
    """Give a member another role at the retailer; the last admin keeps theirs.

    :raises NotFound: no such member here. :raises ValidationFailed: bad role, or the last admin.
    """
    role = check_role(role)
    with unit_of_work(session):
        membership = membership_of(session, staff_id, retailer_id)
        if membership is None:
            raise NotFound("no such staff member here")
        before = membership.role
        if before == "admin" and role != "admin":
            _keep_an_admin(session, retailer_id)
        membership.role = role
        record(
            session,
            staff=by,
            retailer_id=retailer_id,
            action="staff.role_changed",
            target=membership.staff.email,
            diff={"role": [before, role]},
        )


def remove_member(session, by: StaffMember, retailer_id: int, staff_id: int) -> None:
    """Take a member off the retailer (the account stays for their other retailers).

    :raises NotFound: no such member here. :raises ValidationFailed: the last admin.
    """
    with unit_of_work(session):
        membership = membership_of(session, staff_id, retailer_id)
        if membership is None:
            raise NotFound("no such staff member here")
        if membership.role == "admin":
            _keep_an_admin(session, retailer_id)
        email, role = membership.staff.email, membership.role
        session.delete(membership)
        record(
            session,
            staff=by,
            retailer_id=retailer_id,
            action="staff.removed",
            target=email,
            diff={"role": [role, None]},
        )


def _keep_an_admin(session, retailer_id: int) -> None:
    admins = session.scalar(
        select(func.count())
        .select_from(StaffMembership)
        .where(StaffMembership.retailer_id == retailer_id, StaffMembership.role == "admin")
    )
    if admins <= 1:
        raise ValidationFailed(
            "a retailer keeps at least one admin", {"role": ["this is the retailer's last admin"]}
        )


def members_of(session, retailer_id: int) -> list[StaffMembership]:
    return list(
        session.scalars(
            select(StaffMembership)
            .join(StaffMember)
            .where(StaffMembership.retailer_id == retailer_id)
            .order_by(StaffMember.email)
        )
    )


def retailers_of(session, staff_id: int) -> list[tuple[Retailer, str]]:
    """Return the retailers a staff member works for, with their role at each, by name."""
    rows = session.execute(
        select(Retailer, StaffMembership.role)
        .join(StaffMembership, StaffMembership.retailer_id == Retailer.id)
        .where(StaffMembership.staff_id == staff_id)
        .order_by(Retailer.name)
    )
    return [(retailer, role) for retailer, role in rows]


def emails_of(session, staff_ids) -> dict[int, str]:
    """Return staff id -> e-mail for these ids (to name authors and actors on pages)."""
    if not staff_ids:
        return {}
    rows = session.execute(select(StaffMember.id, StaffMember.email).where(StaffMember.id.in_(staff_ids)))
    return {staff_id: email for staff_id, email in rows}
