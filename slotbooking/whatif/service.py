"""Start, run, cancel and read what-if runs; the job (``whatif.run``) calls ``execute_run``.

A run is queued by the console and claimed by one worker (a conditional UPDATE, so a redelivered
message runs nothing twice). While it runs, each progress report is its own short transaction that
writes the fraction done only while the run is still ``running``: cancelling is setting the status,
and the next report finds it and stops the replay. One active run per retailer at a time; an active
run whose heartbeat is older than ``WHATIF_STALE_MINUTES`` lost its worker and counts as failed.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from pricing.whatif import run_whatif
from slotbooking.clock import now as clock_now
from slotbooking.common.errors import DomainError, NotFound, ValidationFailed
from slotbooking.common.unit_of_work import read_only, unit_of_work
from slotbooking.drafts.service import NoDraft, draft_of
from slotbooking.retailers.models import Retailer
from slotbooking.retailers.tenant import Tenant
from slotbooking.staff.audit import record
from slotbooking.whatif.inputs import document_digest, read_inputs
from slotbooking.whatif.models import ACTIVE, WhatIfRun

log = logging.getLogger("slotbooking.whatif")
MAX_PERIOD_DAYS = 92


class WhatIfBusy(DomainError):
    status, code = 409, "whatif_running"


class RunStopped(Exception):
    """The run is no longer ``running`` (cancelled, or given up as stale): the replay stops."""


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime


def check_request(period: Period, draws: int, seed: int, config) -> None:
    """:raises ValidationFailed: an empty or too long period, or draws/seed out of range."""
    problems = {}
    if period.until <= period.since:
        problems["period"] = ["must end after it starts"]
    elif period.until - period.since > timedelta(days=MAX_PERIOD_DAYS):
        problems["period"] = [f"must be at most {MAX_PERIOD_DAYS} days"]
    if not 1 <= draws <= config["WHATIF_MAX_DRAWS"]:
        problems["draws"] = [f"must be between 1 and {config['WHATIF_MAX_DRAWS']}"]
    if not 0 <= seed <= 2**31 - 1:
        problems["seed"] = ["must be between 0 and 2147483647"]
    if problems:
        raise ValidationFailed("the what-if cannot run so", problems)


def expire_stale(session, retailer_id: int, now: datetime, minutes: int) -> int:
    """Mark the retailer's active runs with no progress for ``minutes`` as failed; return how many."""
    result = session.execute(
        update(WhatIfRun)
        .where(
            WhatIfRun.retailer_id == retailer_id,
            WhatIfRun.status.in_(ACTIVE),
            WhatIfRun.heartbeat_at < now - timedelta(minutes=minutes),
        )
        .values(
            status="failed", error=f"no progress for {minutes} minutes: its worker stopped", finished_at=now
        )
    )
    return result.rowcount


def start_run(session, staff, retailer: Retailer, period: Period, draws: int, seed: int, config) -> WhatIfRun:
    """Queue a what-if of the retailer's draft over the offers shown in the period.

    :raises NoDraft: there is no draft. :raises WhatIfBusy: another run is queued or running.
    :raises ValidationFailed: see check_request.
    """
    check_request(period, draws, seed, config)
    now = clock_now()
    with unit_of_work(session):
        draft = draft_of(session, retailer.id)
        if draft is None:
            raise NoDraft("there is no draft to try")
        expire_stale(session, retailer.id, now, config["WHATIF_STALE_MINUTES"])
        busy = session.scalar(
            select(WhatIfRun.id).where(WhatIfRun.retailer_id == retailer.id, WhatIfRun.status.in_(ACTIVE))
        )
        if busy is not None:
            raise WhatIfBusy(f"what-if {busy} is still running: wait for it or cancel it")
        run = WhatIfRun(
            retailer_id=retailer.id,
            draft_digest=document_digest(draft.document),
            document=draft.document,
            base_version=draft.base_version,
            period_from=period.since,
            period_to=period.until,
            draws=draws,
            seed=seed,
            status="queued",
            started_by=staff.id,
            created_at=now,
            heartbeat_at=now,
        )
        session.add(run)
        session.flush()
        record(
            session,
            staff=staff,
            retailer_id=retailer.id,
            action="whatif.started",
            target=f"what-if {run.id}",
            diff={
                "period": [period.since.isoformat(), period.until.isoformat()],
                "draws": draws,
                "seed": seed,
            },
        )
    return run


def cancel_run(session, staff, retailer: Retailer, run_id: int) -> WhatIfRun:
    """Cancel a queued or running run (the job stops at its next step); a finished one stays.

    :raises NotFound: no such run of this retailer.
    """
    with unit_of_work(session):
        run = run_of(session, retailer.id, run_id)
        if run.active:
            run.status, run.finished_at = "cancelled", clock_now()
            record(
                session,
                staff=staff,
                retailer_id=retailer.id,
                action="whatif.cancelled",
                target=f"what-if {run.id}",
            )
    return run


def fail_unsent(session, run_id: int, outcome: str) -> None:
    """Mark a run the job queue did not take as failed, so it blocks no other run."""
    with unit_of_work(session):
        session.execute(
            update(WhatIfRun)
            .where(WhatIfRun.id == run_id, WhatIfRun.status == "queued")
            .values(
                status="failed", error=f"the job queue did not take it ({outcome})", finished_at=clock_now()
            )
        )


def run_of(session, retailer_id: int, run_id: int) -> WhatIfRun:
    """:raises NotFound: no such run, or another retailer's (the same answer)."""
    run = session.get(WhatIfRun, run_id)
    if run is None or run.retailer_id != retailer_id:
        raise NotFound(f"no what-if {run_id}")
    return run


def latest_run(session, retailer_id: int, digest: str | None = None, status: str | None = None):
    """Return the retailer's newest run (of that draft digest, in that status, when given), or None."""
    query = select(WhatIfRun).where(WhatIfRun.retailer_id == retailer_id)
    if digest is not None:
        query = query.where(WhatIfRun.draft_digest == digest)
    if status is not None:
        query = query.where(WhatIfRun.status == status)
    return session.scalar(query.order_by(WhatIfRun.created_at.desc(), WhatIfRun.id.desc()).limit(1))


def runs_by_version(session, retailer_id: int) -> dict[int, WhatIfRun]:
    """Return setup version id -> the run kept with it (the version history shows it)."""
    rows = session.scalars(
        select(WhatIfRun).where(WhatIfRun.retailer_id == retailer_id, WhatIfRun.setup_version_id.is_not(None))
    )
    return {run.setup_version_id: run for run in rows}


def _report(session, run_id: int):
    """Return the progress callback: one short transaction per report, refused once not running."""

    def report(fraction: float, stage: str) -> None:
        with unit_of_work(session):
            written = session.execute(
                update(WhatIfRun)
                .where(WhatIfRun.id == run_id, WhatIfRun.status == "running")
                .values(progress=min(1.0, fraction), stage=stage, heartbeat_at=clock_now())
            ).rowcount
        if not written:
            raise RunStopped()

    return report


def _finish(session, run_id: int, **values) -> bool:
    with unit_of_work(session):
        return bool(
            session.execute(
                update(WhatIfRun)
                .where(WhatIfRun.id == run_id, WhatIfRun.status == "running")
                .values(finished_at=clock_now(), **values)
            ).rowcount
        )


def execute_run(session, run_id: int, config) -> dict:
    """Claim a queued run and replay it to the end (or until cancelled); what the job returns."""
    with unit_of_work(session):
        claimed = session.execute(
            update(WhatIfRun)
            .where(WhatIfRun.id == run_id, WhatIfRun.status == "queued")
            .values(status="running", stage="reading", heartbeat_at=clock_now())
        ).rowcount
    if not claimed:
        found = session.get(WhatIfRun, run_id)
        return {"run": run_id, "status": found.status if found else "missing"}
    try:
        with read_only(session):
            run = session.get(WhatIfRun, run_id)
            tenant = Tenant.of(session.get(Retailer, run.retailer_id))
            inputs = read_inputs(
                session, tenant, run.document, run.period_from, run.period_to, config, run.draws, run.seed
            )
        with unit_of_work(session):
            session.execute(update(WhatIfRun).where(WhatIfRun.id == run_id).values(offers=len(inputs.offers)))
        result = run_whatif(inputs, _report(session, run_id), config["WHATIF_PROCESSES"])
    except RunStopped:
        return {"run": run_id, "status": "cancelled"}
    except (DomainError, ValueError) as error:
        message = getattr(error, "message", None) or str(error)
        _finish(session, run_id, status="failed", error=message[:2000])
        return {"run": run_id, "status": "failed"}
    except Exception as error:
        log.exception("what-if failed", extra={"run": run_id})
        _finish(session, run_id, status="failed", error=f"{type(error).__name__}: {error}"[:2000])
        raise
    done = _finish(session, run_id, status="done", progress=1.0, stage="done", result=result.as_dict())
    return {"run": run_id, "status": "done" if done else "cancelled", "seconds": result.as_dict()["seconds"]}
