"""The offer log read back for fitting: each settled offer with the window booked from it, or none.

An offer's outcome is the hold made with its quote, within the quote's life, that became a
booking (a booking later moved or cancelled still chose that window then). A hold released or
left to expire, and no hold at all, are "no booking". One-step bookings (``POST /bookings`` with
a slot and no hold) and holds placed without a quote cannot be tied to an offer, so the share
of the period's bookings that were tied is measured: the log says little when it is low.
An offer is settled once its quote and any hold made with it can no longer change:
``QUOTE_MINUTES`` + the retailer's hold minutes + ``PAYMENT_HOLD_MAX_MINUTES`` after it was shown.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from pricing.calibration import OfferedWindow, OfferRecord
from slotbooking.bookings.models import Booking, Hold
from slotbooking.offerlog.models import OfferGrid, OfferShown


@dataclass(frozen=True)
class History:
    offers: list[OfferRecord]
    since: datetime
    until: datetime
    bookings: int  # bookings made in the period, tied to an offer or not

    @property
    def tied(self) -> int:
        return sum(o.chosen is not None for o in self.offers)

    @property
    def tied_share(self) -> float | None:
        """Share of the period's bookings whose offer is known (None: no bookings at all)."""
        return min(1.0, self.tied / self.bookings) if self.bookings else None


def settle_minutes(config, tenant) -> int:
    """Minutes after an offer is shown before its outcome is final."""
    return config["QUOTE_MINUTES"] + tenant.hold_minutes + config["PAYMENT_HOLD_MAX_MINUTES"]


def _grids(session, grid_ids: set[str]) -> dict[str, tuple]:
    """Return each grid's windows (one shared tuple per grid), base fee and slot positions."""
    grids, ids = {}, sorted(grid_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for grid in session.scalars(select(OfferGrid).where(OfferGrid.id.in_(chunk))):
            windows = tuple(
                OfferedWindow(start_minute, end_minute, price, bool(green), bool(wide), key=slot_id)
                for slot_id, _date, start_minute, end_minute, price, green, wide in grid.windows
            )
            grids[grid.id] = (windows, grid.base_fee, {w.key: i for i, w in enumerate(windows)})
    return grids


def _booked_quotes(session, retailer_id: int, since: datetime) -> dict[str, tuple[datetime, str]]:
    """Return, by quote digest, the first booked hold made with that quote: (when, slot id)."""
    rows = session.execute(
        select(Hold.quote_digest, Hold.created_at, Hold.slot_id).where(
            Hold.retailer_id == retailer_id,
            Hold.status == "booked",
            Hold.quote_digest.is_not(None),
            Hold.moves_booking_id.is_(None),
            Hold.created_at >= since,
        )
    )
    booked: dict[str, tuple[datetime, str]] = {}
    for digest, created_at, slot_id in rows:
        if digest not in booked or created_at < booked[digest][0]:
            booked[digest] = (created_at, slot_id)
    return booked


def load_history(session, retailer_id: int, since: datetime, until: datetime, limit: int) -> History:
    """Return the newest ``limit`` offers shown in [since, until), oldest first, with their outcomes."""
    rows = session.execute(
        select(OfferShown.quote_digest, OfferShown.grid_id, OfferShown.expires_at, OfferShown.shown_at)
        .where(
            OfferShown.retailer_id == retailer_id, OfferShown.shown_at >= since, OfferShown.shown_at < until
        )
        .order_by(OfferShown.shown_at.desc(), OfferShown.quote_digest)
        .limit(limit)
    ).all()
    rows.reverse()
    grids = _grids(session, {row.grid_id for row in rows})
    booked = _booked_quotes(session, retailer_id, since)
    offers = []
    for digest, grid_id, expires_at, _shown_at in rows:
        windows, base_fee, position = grids[grid_id]
        chosen, hit = None, booked.get(digest)
        if hit is not None and hit[0] <= expires_at:
            chosen = position.get(hit[1])
            if chosen is None:
                continue  # booked a window this grid did not offer: the record cannot be read
        offers.append(OfferRecord(windows, chosen, base_fee, key=digest))
    # The bookings the loaded offers could have led to: made from the first offer's time on.
    first = rows[0].shown_at if rows else until
    bookings = session.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.retailer_id == retailer_id, Booking.created_at >= first, Booking.created_at < until)
    )
    return History(offers, since, until, int(bookings or 0))


def period(now: datetime, days: int, settle: int) -> tuple[datetime, datetime]:
    """Return [since, until): the retained days, up to the last offer whose outcome is final."""
    return now - timedelta(days=days), now - timedelta(minutes=settle)
