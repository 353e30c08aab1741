"""The offer log's jobs (registered in slotbooking/jobs/tasks.py, on the beat schedule).

- ``offers.record``: move the offers queued in Redis into the database (every JOBS_OFFERS_SECONDS);
- ``offers.forget``: delete offers past OFFER_LOG_DAYS (every JOBS_OFFERS_FORGET_SECONDS);
- ``pricing.calibrate``: fit every retailer's choice model on its log (every JOBS_CALIBRATE_SECONDS).

Each is safe to repeat: items taken from Redis are each taken once and a quote is stored once;
a calibration adds one fit row.
"""

import logging

from flask import current_app
from sqlalchemy import exists, select

from slotbooking.clock import now
from slotbooking.extensions import db
from slotbooking.offerlog.fits import calibrate
from slotbooking.offerlog.models import OfferShown
from slotbooking.offerlog.recorder import drain_queue
from slotbooking.offerlog.retention import forget_old_offers
from slotbooking.retailers.models import Retailer

log = logging.getLogger("slotbooking.jobs")


def record_offers() -> dict:
    """Store the offers this process and the queue hold."""
    if (offer_log := current_app.extensions.get("offer_log")) is not None:
        offer_log.flush()
    return {"recorded": drain_queue(db.session, current_app.extensions["slot_cache"])}


def forget_offers() -> dict:
    gone = forget_old_offers(db.session, now(), current_app.config["OFFER_LOG_DAYS"])
    return {"offers": gone.offers, "grids": gone.grids, "fits": gone.fits}


def calibrate_all() -> dict:
    """Fit each retailer that has offers in its log; report how many fits are in use."""
    with_offers = exists().where(OfferShown.retailer_id == Retailer.id)
    fitted = in_use = 0
    for retailer in db.session.scalars(select(Retailer).where(with_offers).order_by(Retailer.id)).all():
        fit = calibrate(db.session, retailer, current_app.config, now())
        fitted += 1
        in_use += fit.in_use
        log.info(
            "choice model calibrated",
            extra={"retailer": retailer.slug, "offers": fit.offers, "in_use": fit.in_use, "note": fit.note},
        )
    return {"retailers": fitted, "in_use": in_use}
