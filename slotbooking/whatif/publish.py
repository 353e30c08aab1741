"""Keep a draft's what-if with the version that publishing the draft makes.

The latest done run of exactly the published document (same digest) gets the version's id, in
the publish's own unit of work; a run of an older state of the draft is not attached: it tried
other rules.
"""

from sqlalchemy import select

from slotbooking.drafts.signals import draft_published
from slotbooking.whatif.inputs import document_digest
from slotbooking.whatif.models import WhatIfRun


def attach_run(sender, session, document: dict, version, **_extra) -> None:
    run = session.scalar(
        select(WhatIfRun)
        .where(
            WhatIfRun.retailer_id == sender,
            WhatIfRun.draft_digest == document_digest(document),
            WhatIfRun.status == "done",
            WhatIfRun.setup_version_id.is_(None),
        )
        .order_by(WhatIfRun.created_at.desc(), WhatIfRun.id.desc())
        .limit(1)
    )
    if run is not None:
        run.setup_version_id = version.id


def listen() -> None:
    """Connect once per process (blinker keeps one connection per receiver)."""
    draft_published.connect(attach_run)
