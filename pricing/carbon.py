"""Carbon: kg CO2e per vehicle-km by vehicle type, and the factor of the vans serving a window."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pricing.model import VehicleGroup, WindowSpec

# kg CO2e per vehicle-km. Sources, rounded to two significant figures:
# - diesel_van: UK Government GHG Conversion Factors for Company Reporting (DESNZ, formerly
#   BEIS/DEFRA), "Delivery vehicles" / "Business travel - land", Vans, Average (up to 3.5
#   tonnes), Diesel, per km: about 0.24-0.25 in the 2023 and 2024 sets.
# - electric_van: same tables, Vans, Average (up to 3.5 tonnes), Battery Electric Vehicle,
#   per km (UK grid generation, scope 2): about 0.06-0.07 in the same sets.
# - cargo_bike: not in the DESNZ tables. Our estimate for an electric cargo bike: about
#   20 Wh/km at the UK grid factor of about 0.21 kg CO2e/kWh (DESNZ, "UK electricity"),
#   rounded up for charging losses.
# Check the current year's DESNZ file and override with PricingRules.emission_factors.
DEFAULT_EMISSION_FACTORS: Mapping[str, float] = {
    "diesel_van": 0.24,
    "electric_van": 0.065,
    "cargo_bike": 0.005,
}


def emission_factors(overrides: Mapping[str, float] | None) -> dict[str, float]:
    """Return the default factors with the operator's overrides applied."""
    factors = dict(DEFAULT_EMISSION_FACTORS)
    factors.update(overrides or {})
    return factors


def window_emission_factor(
    window: WindowSpec, fleet: Sequence[VehicleGroup], factors: Mapping[str, float]
) -> float:
    """Return kg CO2e per km of the vehicles on shift in a window, weighted by their stops."""
    on_shift = [
        group
        for group in fleet
        if min(group.shift_end_minute, window.end_minute) > max(group.shift_start_minute, window.start_minute)
    ]
    groups = on_shift or list(fleet)
    weight = sum(max(0, g.count * g.stops_per_vehicle) for g in groups)
    if not groups or weight == 0:
        # No fleet described: assume the common case, a diesel van.
        return factors["diesel_van"]
    return (
        sum(factors.get(g.vehicle, factors["diesel_van"]) * g.count * g.stops_per_vehicle for g in groups)
        / weight
    )
