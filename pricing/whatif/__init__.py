"""What-if: replay a retailer's logged offers under live and draft rules, with simulated shoppers.

Pure like the rest of ``pricing``: plain dataclasses in (``model``), a plain result out. Each rule
set prices every replayed offer once (``priced``); seeded draws of shoppers choose by the logit
with the windows' places bounding each draw (``choices``); each draw's bookings are routed per
depot-day with the production planner (``routes``); ``summary`` turns the draws into means and
intervals. ``run.run_whatif`` is the entry point. docs/whatif.md.
"""

from pricing.whatif.model import (
    ReplayDepot,
    ReplayOffer,
    ReplaySlot,
    ReplayZone,
    RuleSet,
    WhatIfInput,
)
from pricing.whatif.run import WhatIfResult, run_whatif

__all__ = [
    "ReplayDepot",
    "ReplayOffer",
    "ReplaySlot",
    "ReplayZone",
    "RuleSet",
    "WhatIfInput",
    "WhatIfResult",
    "run_whatif",
]
