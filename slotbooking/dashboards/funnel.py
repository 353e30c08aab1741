"""Offer-to-booking conversion per day: grids shown to shoppers, and how many led to a booking.

An offer led to a booking when a hold made with its quote, within the quote's life, was booked
(the offer log's own outcome, offerlog/history.py). The log keeps each quote's digest
(bookings/models.py ``quote_digest``) and a hold keeps it beside the token, so the two join on
an indexed column (``ix_holds_booked_quote``: booked holds that are not moves, by digest).

That join still reads every offer of the range (300,000 for 100,000 bookings a month), so a
day whose outcomes can no longer change is counted once, per zone, and kept
(``count_closed_days``, a daily job; dashboards/models.py). A day is closed two days after it
ends: its quotes have expired and their holds lapsed or been booked long before. The figure
reads the kept counts for closed days and counts the open days (today and yesterday, or any day
not counted yet) from the log.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, select

from slotbooking.bookings.models import Hold
from slotbooking.common.unit_of_work import unit_of_work
from slotbooking.dashboards.models import ConversionCount, ConversionRollup
from slotbooking.dashboards.scope import MAX_DAYS, Scope, as_date, local_day
from slotbooking.offerlog.models import OfferGrid, OfferShown
from slotbooking.retailers.models import Retailer, Zone

# A quote lives far less than this; holds made later cannot be an offer's outcome.
QUOTE_SLACK = timedelta(days=1)
# Days after its end at which a day's conversion can no longer change.
CLOSED_AFTER_DAYS = 2


@dataclass(frozen=True)
class ConversionDay:
    day: date
    offers: int
    booked: int

    @property
    def conversion(self) -> float | None:
        return self.booked / self.offers if self.offers else None


def _counts_from_log(session, scope: Scope, by_zone: bool = False):
    """Count the offers shown in ``scope`` per local day (and zone) and those booked, from the log."""
    start, end = scope.utc_bounds()
    day = local_day(session, OfferShown.shown_at, scope.timezone).label("day")
    booked = (
        select(Hold.quote_digest.label("digest"), func.min(Hold.created_at).label("at"))
        .where(
            Hold.retailer_id == scope.retailer_id,
            Hold.status == "booked",
            Hold.quote_digest.is_not(None),
            Hold.moves_booking_id.is_(None),
            Hold.created_at >= start,
            Hold.created_at < end + QUOTE_SLACK,
        )
        .group_by(Hold.quote_digest)
        .subquery()
    )
    keys = [day, OfferGrid.zone_id] if by_zone else [day]
    query = (
        select(*keys, func.count(), func.count(booked.c.digest))
        .join(OfferGrid, OfferGrid.id == OfferShown.grid_id)
        .outerjoin(
            booked, and_(booked.c.digest == OfferShown.quote_digest, booked.c.at <= OfferShown.expires_at)
        )
        .where(
            OfferShown.retailer_id == scope.retailer_id,
            OfferShown.shown_at >= start,
            OfferShown.shown_at < end,
        )
    )
    if scope.zone_id is not None:
        query = query.where(OfferGrid.zone_id == scope.zone_id)
    if scope.depot_id is not None:
        query = query.where(OfferGrid.zone_id.in_(select(Zone.id).where(Zone.depot_id == scope.depot_id)))
    return session.execute(query.group_by(*keys).order_by(*keys)).all()


def _kept_counts(session, scope: Scope):
    """Sum the kept counts of the scope's zones per day."""
    query = select(
        ConversionCount.day, func.sum(ConversionCount.offers), func.sum(ConversionCount.booked)
    ).where(
        ConversionCount.retailer_id == scope.retailer_id,
        ConversionCount.day >= scope.first,
        ConversionCount.day <= scope.last,
    )
    if scope.zone_id is not None:
        query = query.where(ConversionCount.zone_id == scope.zone_id)
    if scope.depot_id is not None:
        query = query.where(
            ConversionCount.zone_id.in_(select(Zone.id).where(Zone.depot_id == scope.depot_id))
        )
    return session.execute(query.group_by(ConversionCount.day).order_by(ConversionCount.day)).all()


def conversion_by_day(session, scope: Scope) -> list[ConversionDay]:
    """Return per local day of showing the offers shown and those that became a booking."""
    through = session.scalar(
        select(ConversionRollup.through).where(ConversionRollup.retailer_id == scope.retailer_id)
    )
    rows = []
    if through is not None and through >= scope.first:
        rows += _kept_counts(session, replace(scope, last=min(through, scope.last)))
    if through is None or through < scope.last:
        rows += _counts_from_log(
            session,
            scope if through is None else replace(scope, first=max(scope.first, through + timedelta(days=1))),
        )
    return [ConversionDay(as_date(d), int(offers), int(booked)) for d, offers, booked in rows]


def last_closed_day(timezone: str, at: datetime) -> date:
    """Return the latest local day whose conversion can no longer change at ``at``."""
    return at.astimezone(ZoneInfo(timezone)).date() - timedelta(days=CLOSED_AFTER_DAYS)


def count_closed_days(session, retailer: Retailer, at: datetime) -> int:
    """Count and keep the retailer's closed days not counted yet; return how many were counted.

    A quarter at a time, each in its own transaction. Safe to repeat: a day is counted once (the
    rollup row is locked while its days are counted), and counts met again are replaced.
    """
    last_closed = last_closed_day(retailer.timezone, at)
    counted = 0
    while True:
        with unit_of_work(session):
            rollup = session.get(ConversionRollup, retailer.id, with_for_update=True)
            if rollup is not None:
                first = rollup.through + timedelta(days=1)
            else:
                earliest = session.scalar(
                    select(func.min(OfferShown.shown_at)).where(OfferShown.retailer_id == retailer.id)
                )
                if earliest is None:
                    return counted
                first = earliest.astimezone(ZoneInfo(retailer.timezone)).date()
            if first > last_closed:
                return counted
            last = min(last_closed, first + timedelta(days=MAX_DAYS - 1))
            _keep_counts(session, Scope(retailer.id, retailer.timezone, first, last))
            if rollup is None:
                session.add(ConversionRollup(retailer_id=retailer.id, through=last, counted_at=at))
            else:
                rollup.through, rollup.counted_at = last, at
        counted += (last - first).days + 1


def _keep_counts(session, scope: Scope) -> None:
    session.execute(
        delete(ConversionCount).where(
            ConversionCount.retailer_id == scope.retailer_id,
            ConversionCount.day >= scope.first,
            ConversionCount.day <= scope.last,
        )
    )
    session.add_all(
        ConversionCount(
            retailer_id=scope.retailer_id, day=as_date(d), zone_id=zone, offers=offers, booked=booked
        )
        for d, zone, offers, booked in _counts_from_log(session, scope, by_zone=True)
    )
