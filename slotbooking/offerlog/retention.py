"""Keep the offer log bounded: offers older than OFFER_LOG_DAYS go, then the grids no offer names.

Fits are kept as long as offers are, and a retailer's newest fit always (it says what is in use).
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, exists, func, select

from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.offerlog.models import ChoiceFit, OfferGrid, OfferShown


@dataclass(frozen=True)
class Forgotten:
    offers: int
    grids: int
    fits: int


def forget_old_offers(session, now, days: int) -> Forgotten:
    """Delete offers shown more than ``days`` ago, grids left unnamed, and old fits but the newest."""
    cutoff = now - timedelta(days=days)
    with unit_of_work(session):
        offers = session.execute(delete(OfferShown).where(OfferShown.shown_at < cutoff)).rowcount
        unnamed = ~exists().where(OfferShown.grid_id == OfferGrid.id)
        grids = session.execute(delete(OfferGrid).where(OfferGrid.created_at < cutoff, unnamed)).rowcount
        newest = select(func.max(ChoiceFit.id)).group_by(ChoiceFit.retailer_id).scalar_subquery()
        fits = session.execute(
            delete(ChoiceFit).where(ChoiceFit.fitted_at < cutoff, ChoiceFit.id.not_in(newest))
        ).rowcount
    return Forgotten(offers, grids, fits)
