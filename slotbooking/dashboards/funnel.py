"""Offer-to-booking conversion per day: grids shown to shoppers, and how many led to a booking.

An offer led to a booking when a hold made with its quote, within the quote's life, was booked
(the offer log's own outcome, offerlog/history.py). Holds keep the quote token and the log its
digest (offerlog/recorder.py ``quote_digest``: sha256, 32 hex digits), so PostgreSQL computes
the digest to join them. SQLite has no sha256: there ``booked`` is None (unknown), not zero.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, literal, literal_column, select

from slotbooking.bookings.models import Hold
from slotbooking.dashboards.scope import Scope, as_date, local_day
from slotbooking.offerlog.models import OfferGrid, OfferShown
from slotbooking.retailers.models import Zone

# A quote lives far less than this; holds made later cannot be an offer's outcome.
QUOTE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class ConversionDay:
    day: date
    offers: int
    booked: int | None

    @property
    def conversion(self) -> float | None:
        return self.booked / self.offers if self.offers and self.booked is not None else None


def _digest(column):
    """SQL of quote_digest(); constants inlined, so that GROUP BY repeats the very same text."""
    utf8, hex_, length = literal_column("'UTF8'"), literal_column("'hex'"), literal_column("32")
    return func.left(func.encode(func.sha256(func.convert_to(column, utf8)), hex_), length)


def conversion_by_day(session, scope: Scope) -> list[ConversionDay]:
    """Return per local day of showing the offers shown and those that became a booking."""
    start, end = scope.utc_bounds()
    day = local_day(session, OfferShown.shown_at, scope.timezone).label("day")
    query = select(day, func.count()).join(OfferGrid, OfferGrid.id == OfferShown.grid_id)
    if session.get_bind().dialect.name == "postgresql":
        booked = (
            select(_digest(Hold.quote_id).label("digest"), func.min(Hold.created_at).label("at"))
            .where(
                Hold.retailer_id == scope.retailer_id,
                Hold.status == "booked",
                Hold.quote_id.is_not(None),
                Hold.moves_booking_id.is_(None),
                Hold.created_at >= start,
                Hold.created_at < end + QUOTE_SLACK,
            )
            .group_by(_digest(Hold.quote_id))
            .subquery()
        )
        query = query.add_columns(func.count(booked.c.digest)).outerjoin(
            booked, and_(booked.c.digest == OfferShown.quote_digest, booked.c.at <= OfferShown.expires_at)
        )
    else:
        query = query.add_columns(literal(None))
    query = query.where(
        OfferShown.retailer_id == scope.retailer_id, OfferShown.shown_at >= start, OfferShown.shown_at < end
    )
    if scope.zone_id is not None:
        query = query.where(OfferGrid.zone_id == scope.zone_id)
    if scope.depot_id is not None:
        query = query.where(OfferGrid.zone_id.in_(select(Zone.id).where(Zone.depot_id == scope.depot_id)))
    query = query.group_by(day).order_by(day)
    return [
        ConversionDay(as_date(d), int(offers), None if booked is None else int(booked))
        for d, offers, booked in session.execute(query)
    ]
