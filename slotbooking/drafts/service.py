"""Drafts and published versions of a retailer's setup: save, discard, publish, restore.

Publishing imports the draft's document through the setup import (setup/document.py) inside
one unit of work with the new version row and the audit entry, so the live setup, the version
history and the audit log never disagree. The live rules change at once for new quotes (the
retailer's ``updated_at`` moves, which every cached grid is keyed on); a quote already given names
a price sheet stored by its content, which the import does not touch, so it keeps its price.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from slotbooking.clock import now as clock_now
from slotbooking.common.errors import DomainError, NotFound, ValidationFailed
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.drafts.capacity import capacity_problems
from slotbooking.drafts.diff import document_diff
from slotbooking.drafts.models import SetupDraft, SetupVersion
from slotbooking.drafts.signals import draft_published
from slotbooking.retailers.models import Retailer
from slotbooking.setup.document import export_setup, import_setup, validate_document
from slotbooking.staff.audit import record
from slotbooking.staff.models import StaffMember


class NoDraft(DomainError):
    status, code = 409, "no_draft"


@dataclass(frozen=True)
class Published:
    version: SetupVersion
    shown_once: dict[str, str]  # a new webhook signing secret, shown once like the keys


def plain(document) -> dict:
    """Return the document as JSON would carry it (dates as text), for storing and comparing."""
    return json.loads(json.dumps(document, default=str))


def live_document(retailer: Retailer) -> dict:
    return plain(export_setup(retailer))


def draft_of(session, retailer_id: int) -> SetupDraft | None:
    return session.scalar(select(SetupDraft).where(SetupDraft.retailer_id == retailer_id))


def latest_version(session, retailer_id: int) -> SetupVersion | None:
    return session.scalar(
        select(SetupVersion)
        .where(SetupVersion.retailer_id == retailer_id)
        .order_by(SetupVersion.number.desc())
        .limit(1)
    )


def versions_of(session, retailer_id: int) -> list[SetupVersion]:
    return list(
        session.scalars(
            select(SetupVersion)
            .where(SetupVersion.retailer_id == retailer_id)
            .order_by(SetupVersion.number.desc())
        )
    )


def check_document(retailer: Retailer, document) -> dict:
    """Validate a document for this retailer, as the setup import would; return it as stored.

    :raises ValidationFailed: with one message per path (``pricing.base_fee``), or a document
        that names another retailer.
    """
    validate_document(document)
    slug = document["retailer"]["slug"]
    if slug != retailer.slug:
        raise ValidationFailed(
            "the setup document is for another retailer",
            {"retailer.slug": [f'must stay "{retailer.slug}" (the document names "{slug}")']},
        )
    return plain(document)


def document_problems(retailer: Retailer, document) -> dict[str, list[str]]:
    """Return what check_document would refuse, by path (empty: the document is fine)."""
    try:
        check_document(retailer, document)
    except ValidationFailed as failed:
        return failed.details
    return {}


def working_document(session, retailer: Retailer) -> dict:
    """Return the draft's document, or the live one when there is no draft."""
    draft = draft_of(session, retailer.id)
    return draft.document if draft is not None else live_document(retailer)


def save_draft(session, staff: StaffMember, retailer: Retailer, document, action: str) -> SetupDraft:
    """Store the document as the retailer's draft (begun from live when there was none).

    :raises ValidationFailed: the document is not a valid setup for this retailer.
    """
    document = check_document(retailer, document)
    with unit_of_work(session):
        draft = draft_of(session, retailer.id)
        before = draft.document if draft is not None else live_document(retailer)
        if draft is None:
            latest = latest_version(session, retailer.id)
            draft = SetupDraft(
                retailer_id=retailer.id, base_version=latest.number if latest else None, document=document
            )
            session.add(draft)
        draft.document, draft.author_id = document, staff.id
        draft.updated_at = clock_now()
        record(
            session,
            staff=staff,
            retailer_id=retailer.id,
            action=action,
            target="draft",
            diff={"changes": document_diff(before, document)},
        )
    return draft


def save_setup_draft(
    session, staff: StaffMember, retailer: Retailer, document, action: str, now: datetime
) -> SetupDraft:
    """Save the draft as save_draft does, first refusing capacities below what is booked.

    :raises ValidationFailed: the document is invalid, or a template's capacity is below the
        bookings of one of its coming windows (said at ``slot_templates[i].capacity``).
    """
    check_document(retailer, document)
    problems = capacity_problems(session, retailer, document, now)
    if problems:
        raise ValidationFailed("capacity below what is already booked", problems)
    return save_draft(session, staff, retailer, document, action)


def discard_draft(session, staff: StaffMember, retailer: Retailer) -> None:
    with unit_of_work(session):
        draft = draft_of(session, retailer.id)
        if draft is None:
            raise NoDraft("there is no draft to discard")
        session.delete(draft)
        record(session, staff=staff, retailer_id=retailer.id, action="draft.discarded", target="draft")


def publish_draft(session, staff: StaffMember, retailer: Retailer, note: str, now: datetime) -> Published:
    """Make the draft live and keep it as the next version; the draft is then gone.

    Listeners of ``draft_published`` join the same unit of work (a what-if run of this draft is
    kept with the version).

    :raises NoDraft: nothing to publish. :raises ValidationFailed: the import refused it (e.g. a
        capacity below what is booked).
    """
    with unit_of_work(session):
        draft = draft_of(session, retailer.id)
        if draft is None:
            raise NoDraft("there is no draft to publish")
        published = _make_live(session, staff, retailer, draft.document, note, now, "publish", None)
        session.flush()  # the version's id, for whatever keeps something with it
        draft_published.send(retailer.id, session=session, document=draft.document, version=published.version)
        session.delete(draft)
    return published


def restore_version(
    session, staff: StaffMember, retailer: Retailer, number: int, note: str, now: datetime
) -> Published:
    """Publish an old version's document again, as a new version (the open draft is kept).

    :raises NotFound: no such version. :raises ValidationFailed: the import refused it.
    """
    with unit_of_work(session):
        old = session.scalar(
            select(SetupVersion).where(SetupVersion.retailer_id == retailer.id, SetupVersion.number == number)
        )
        if old is None:
            raise NotFound(f"no version {number}")
        note = note or f"restored version {number}"
        return _make_live(session, staff, retailer, old.document, note, now, "restore", number)


def _make_live(session, staff, retailer, document, note, now, kind, restored_from) -> Published:
    # Cached grids are keyed on updated_at: it must move even if the clock has not (same instant).
    now = max(now, retailer.updated_at + timedelta(microseconds=1))
    before = live_document(retailer)
    if latest_version(session, retailer.id) is None:
        # The setup as it was before the console's first publish, so it can be restored too.
        session.add(
            SetupVersion(
                retailer_id=retailer.id,
                number=1,
                author_id=None,
                published_at=now,
                note="live setup before the first publish",
                kind="baseline",
                document=before,
            )
        )
        session.flush()
    result = import_setup(session, document, staff.email, now)
    number = session.scalar(
        select(func.coalesce(func.max(SetupVersion.number), 0)).where(SetupVersion.retailer_id == retailer.id)
    )
    version = SetupVersion(
        retailer_id=retailer.id,
        number=number + 1,
        author_id=staff.id,
        published_at=now,
        note=(note or "").strip()[:2000],
        kind=kind,
        restored_from=restored_from,
        document=plain(document),
    )
    session.add(version)
    record(
        session,
        staff=staff,
        retailer_id=retailer.id,
        action="setup.restored" if kind == "restore" else "setup.published",
        target=f"version {version.number}",
        diff={"changes": document_diff(before, plain(document)), "note": version.note},
    )
    secret = (result.keys or {}).get("webhook_secret")
    return Published(version, {"webhook_secret": secret} if secret else {})
