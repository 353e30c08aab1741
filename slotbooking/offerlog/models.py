"""The offer log (grids shown, one row per quote) and the choice-model fits made from it.

No personal data beyond what bookings keep: an offer names the grid shown, when, the quote's
digest (to tie it to the hold made with that quote, if any) and a coarse address cell (the
coordinates rounded to 0.01 degree, about 1.1 km by 0.7 km in London, or the postcode's
district when the shopper gave none). The retention job deletes offers after OFFER_LOG_DAYS.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from slotbooking.clock import now
from slotbooking.db_types import UTCDateTime
from slotbooking.extensions import db


class OfferGrid(db.Model):
    """The bookable windows of one grid as shown, stored once (content-addressed) for all its offers.

    ``windows``: ``[slot_id, date, start_minute, end_minute, price, green, wide]`` per window a
    shopper could book (full and closed windows are not a choice), minutes local to its day.
    """

    __tablename__ = "offer_grids"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # digest of the grid's JSON
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    sheet_id: Mapped[str] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(16))  # the pricing mode that priced it
    base_fee: Mapped[int]  # the retailer's base fee then: the choice model counts price from it
    windows: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class OfferShown(db.Model):
    """One grid shown to a shopper with one quote; its outcome is the hold booked with that quote."""

    __tablename__ = "offers_shown"
    __table_args__ = (Index("ix_offers_shown_retailer_time", "retailer_id", "shown_at"),)

    quote_digest: Mapped[str] = mapped_column(String(32), primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    grid_id: Mapped[str] = mapped_column(ForeignKey("offer_grids.id"), index=True)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the quote's
    cell: Mapped[str] = mapped_column(String(16))


class ChoiceFit(db.Model):
    """One calibration of a retailer's choice model: the fit, its held-out test, whether it is used."""

    __tablename__ = "choice_fits"
    __table_args__ = (Index("ix_choice_fits_retailer_time", "retailer_id", "fitted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id"))
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # The offers shown in [since, until) were used: until leaves time for their outcomes.
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    offers: Mapped[int]
    bookings: Mapped[int]
    held_out_offers: Mapped[int]
    # Bookings of the period tied to an offer through their quote: below 90% outcomes are unknown.
    tied_share: Mapped[float | None]
    start: Mapped[dict] = mapped_column(JSON)  # the parameters compared against (defaults/setup)
    parameters: Mapped[dict] = mapped_column(JSON)  # fitted where estimated, start's elsewhere
    standard_errors: Mapped[dict] = mapped_column(JSON)
    fixed: Mapped[dict] = mapped_column(JSON)  # parameter -> why not estimated
    log_likelihood: Mapped[float]
    held_out_log_likelihood: Mapped[float | None]
    held_out_log_likelihood_start: Mapped[float | None]
    predicts_better: Mapped[bool]
    in_use: Mapped[bool]  # the engine prices with these parameters
    note: Mapped[str] = mapped_column(Text)
