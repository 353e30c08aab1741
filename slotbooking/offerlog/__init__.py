"""Learning from shoppers: every grid shown and what came of it, and the choice model fitted on it.

``recorder`` listens to the slots' signals and logs offers cheaply; ``history`` reads them back
with their outcomes; ``fits`` calibrates the engine's logit (``pricing.calibration``) and says
which parameters the dynamic pricer uses; ``retention`` keeps the log bounded; ``cli`` and
``tasks`` are the operator's and the job queue's ways in. docs/pricing.md, "Learning from shoppers".
"""

import atexit

from flask import Flask


def init_offer_log(app: Flask) -> None:
    """Give the app its offer log (unless OFFER_LOG_ENABLED is off) and its memory of fits in use."""
    from slotbooking.offerlog import models  # noqa: F401  (the tables, for migrations and tests)
    from slotbooking.offerlog.fits import ChoiceInUse
    from slotbooking.offerlog.recorder import OfferLog, listen

    app.extensions["choice_in_use"] = ChoiceInUse()
    if not app.config["OFFER_LOG_ENABLED"]:
        return
    offer_log = OfferLog(
        app.extensions["slot_cache"], app.config["OFFER_LOG_BATCH"], app.config["OFFER_LOG_FLUSH_SECONDS"]
    )
    app.extensions["offer_log"] = offer_log
    listen()
    if not app.testing:  # a worker that stops sends what it holds
        atexit.register(_flush_at_exit, app, offer_log)


def _flush_at_exit(app: Flask, offer_log) -> None:
    with app.app_context():
        offer_log.flush()
