"""What the dynamic policy learns from its own offers: the choice model and a forecast.

The engine never sees a shopper's own tastes. It sees what a live retailer's log holds:
every offer shown (each window's price and badge) and what came of it (the window
booked, or none). From the days so far it refits the multinomial logit's parameters
(`calibrate`, one call) and forecasts how many more bookings each window will take
(`HistoryForecast`), the way the retailer's own history would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pricing.calibration import FittedChoice, OfferRecord, fit_choice_parameters
from pricing.model import WindowSpec
from pricing.rules import ChoiceParameters


@dataclass(frozen=True)
class LoggedOffer:
    """One quote shown, as the retailer's log keeps it, with where in the day it came."""

    day: int
    zone: str
    arrival: int  # how many shoppers of this zone-day came before
    record: OfferRecord
    chosen_key: str | None  # the window booked, None when the shopper left


def calibrate(log: Sequence[LoggedOffer], start: ChoiceParameters) -> FittedChoice:
    """Fit the engine's logit on the offers so far (the one calibration step).

    The engine then prices with `FittedChoice.in_use`: the fit where it predicts held-out
    offers better than `start`, else `start`. The fitter's own thresholds stand (at least
    200 offers, 20 of them booked and 20 not): at this city's acceptance (about 95%) the
    first fit comes after the second or third day, once enough shoppers have walked away
    to tell the no-booking constant apart.
    """
    return fit_choice_parameters([offer.record for offer in log], start)


class HistoryForecast:
    """Expected further bookings per window, from the bookings of the days so far.

    On a past zone-day, a window took some bookings after the k-th shopper; averaged
    over the days so far that is the forecast for a zone-day that has seen k shoppers.
    With no past day it gives None: the engine's default forecast stands.
    """

    def __init__(self) -> None:
        # (zone, arrival index, window key) of each booking on finished days
        self._bookings: list[tuple[str, int, str]] = []
        self._zone_days: dict[str, int] = {}

    def add_day(self, offers: Sequence[LoggedOffer]) -> None:
        """Count one finished day's offers."""
        zones = set()
        for offer in offers:
            zones.add(offer.zone)
            if offer.chosen_key is not None:
                self._bookings.append((offer.zone, offer.arrival, offer.chosen_key))
        for zone in zones:
            self._zone_days[zone] = self._zone_days.get(zone, 0) + 1

    def forecast(self, zone: str, arrival: int, windows: Sequence[WindowSpec]) -> dict[str, float] | None:
        """Return expected further bookings per window after `arrival` shoppers, or None."""
        days = self._zone_days.get(zone, 0)
        if days == 0:
            return None
        counts = {w.key: 0.0 for w in windows}
        for booked_zone, booked_arrival, key in self._bookings:
            if booked_zone == zone and booked_arrival >= arrival and key in counts:
                counts[key] += 1.0
        return {key: count / days for key, count in counts.items()}
