"""What a narrow window costs the routes beyond its own insertion, measured by re-planning.

The engine prices a booking by inserting it into the routes as they stand. That sees the
km a stop adds to a route, but not what a one-hour window takes away from the planner:
a stop that must be served 18:00-19:00 pins a van to that hour, and when many do, the van
sweeps the zone every hour instead of once. Re-planning shows it. After each day the
dynamic policy plans the day twice, as booked and with every narrow booking widened to
the wide window that covers it, and compares:

    km saved per widened booking  -  (mean removal km of narrow stops - of wide stops)

The first term is what widening really saves; the second is the part insertion already
sees (each stop's removal km in the plan as booked is the planner's own marginal km). The
rest is the flexibility a narrow booking takes away, `PricingRules.flexibility_km`. The
same two plans give the driver minutes widening saves; less the driving of the km it saves,
what is left is waiting a van pinned to an hour does, `PricingRules.flexibility_minutes`.
Both come from the retailer's own bookings and its own planner, like the choice model's fit;
nothing in them is read from the simulated shoppers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pricing.model import GeoPoint, WindowSpec
from pricing.simulate.routing import DayRoutes


@dataclass(frozen=True)
class FlexibilitySample:
    """One day planned as booked and widened."""

    narrow_stops: int  # stops widened
    wide_stops: int  # stops whose window stayed
    km_saved: float  # km as booked - km widened
    narrow_removal_km: float  # sum over narrow stops of their removal km, as booked
    wide_removal_km: float
    # driver minutes as booked - widened (waiting included: drivers are paid for it)
    minutes_saved: float = 0.0


def widened(
    stops: Sequence[tuple[GeoPoint, WindowSpec]], windows: Sequence[WindowSpec], wide_minutes: int
) -> list[tuple[GeoPoint, WindowSpec]]:
    """Return the stops with each narrow window replaced by the widest window covering it."""
    wides = [w for w in windows if w.width_minutes >= wide_minutes]
    result = []
    for point, window in stops:
        cover = [
            w
            for w in wides
            if window.width_minutes < wide_minutes
            and w.start_minute <= window.start_minute
            and window.end_minute <= w.end_minute
        ]
        if cover:
            window = max(cover, key=lambda w: (w.width_minutes, w.start_minute))
        result.append((point, window))
    return result


def sample(
    stops: Sequence[tuple[GeoPoint, WindowSpec]],
    widened_stops: Sequence[tuple[GeoPoint, WindowSpec]],
    as_booked: DayRoutes,
    widened_routes: DayRoutes,
) -> FlexibilitySample:
    """Compare one day's plan as booked with its plan widened (the stops in the same order)."""
    pairs = list(zip(stops, widened_stops, strict=True))
    narrow = [i for i, (a, b) in enumerate(pairs) if a[1] != b[1]]
    wide = [i for i, (a, b) in enumerate(pairs) if a[1] == b[1]]
    return FlexibilitySample(
        narrow_stops=len(narrow),
        wide_stops=len(wide),
        km_saved=sum(as_booked.km.values()) - sum(widened_routes.km.values()),
        narrow_removal_km=sum(as_booked.removal_km[i] for i in narrow),
        wide_removal_km=sum(as_booked.removal_km[i] for i in wide),
        minutes_saved=(as_booked.driver_hours - widened_routes.driver_hours) * 60,
    )


def flexibility_km(samples: Sequence[FlexibilitySample]) -> float:
    """Return the km a narrow booking takes away beyond its insertion, pooled over the days."""
    narrow = sum(s.narrow_stops for s in samples)
    wide = sum(s.wide_stops for s in samples)
    if narrow == 0 or wide == 0:
        return 0.0
    saved = sum(s.km_saved for s in samples) / narrow
    seen = sum(s.narrow_removal_km for s in samples) / narrow - sum(s.wide_removal_km for s in samples) / wide
    return max(0.0, saved - seen)


def flexibility_minutes(samples: Sequence[FlexibilitySample], speed_kmh: float) -> float:
    """Return the driver minutes a narrow booking takes away beyond driving its km, pooled.

    Widening saves driver time two ways: the km not driven (which the engine already turns
    into minutes at `speed_kmh`) and the waiting a van pinned to an hour does between its
    hours. This is the second: minutes saved per widened booking less the first.
    """
    narrow = sum(s.narrow_stops for s in samples)
    if narrow == 0 or sum(s.wide_stops for s in samples) == 0:
        return 0.0
    minutes = sum(s.minutes_saved for s in samples) / narrow
    driving = sum(s.km_saved for s in samples) / narrow / speed_kmh * 60
    return max(0.0, minutes - max(0.0, driving))


def describe(samples: Sequence[FlexibilitySample], speed_kmh: float = 25.0) -> Mapping[str, float]:
    """Return the pooled figures behind flexibility_km and flexibility_minutes, for the report."""
    narrow = max(1, sum(s.narrow_stops for s in samples))
    wide = max(1, sum(s.wide_stops for s in samples))
    return {
        "km_saved_per_widened": sum(s.km_saved for s in samples) / narrow,
        "narrow_removal_km": sum(s.narrow_removal_km for s in samples) / narrow,
        "wide_removal_km": sum(s.wide_removal_km for s in samples) / wide,
        "flexibility_km": flexibility_km(samples),
        "minutes_saved_per_widened": sum(s.minutes_saved for s in samples) / narrow,
        "flexibility_minutes": flexibility_minutes(samples, speed_kmh),
    }
