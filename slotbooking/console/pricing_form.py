"""The pricing rules form: every engine rule of the setup document's pricing section, with its unit.

The fields are described here once (label, unit, help); what a value may be is the setup
document's own schema (retailers/schemas.py), checked when the draft is saved, and its messages
are shown beside the fields they name. Money is typed in the retailer's currency ("4.50") and
stored in minor units (450), as the document keeps it.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision

from slotbooking.retailers.schemas import RULE_DEFAULTS


@dataclass(frozen=True)
class RuleField:
    name: str
    label: str
    kind: str  # money | int | float | share | bool | choice
    help: str
    unit: str = ""  # after the input: "per km", "minutes" ... ("{currency}" for money)
    choices: tuple[str, ...] = ()
    optional: bool = False  # blank means "none" (stored as null)

    @property
    def default(self):
        return RULE_DEFAULTS.get(self.name)


SECTIONS: list[tuple[str, list[RuleField]]] = [
    (
        "Mode and fees",
        [
            RuleField(
                "mode",
                "Pricing mode",
                "choice",
                "flat: base fee plus the window's fee; static: flat, cheaper wide windows; "
                "dynamic: prices optimised per window from route density, CO2 and demand.",
                choices=("flat", "static", "dynamic"),
            ),
            RuleField("base_fee", "Base fee", "money", "What a window costs before incentives."),
            RuleField("min_fee", "Lowest price", "money", "No dynamic or static price goes below this."),
            RuleField("max_fee", "Highest price", "money", "No dynamic or static price goes above this."),
            RuleField(
                "max_discount",
                "Largest discount",
                "money",
                "The most a window is ever cheaper than its base.",
            ),
            RuleField(
                "max_surcharge", "Largest surcharge", "money", "The most a window ever costs above its base."
            ),
            RuleField(
                "daily_discount_budget",
                "Daily discount budget",
                "money",
                "Total discount given per delivery day; leave blank for no budget.",
                optional=True,
            ),
            RuleField("price_step", "Price step", "money", "Distance between neighbouring prices offered."),
            RuleField(
                "static_wide_discount",
                "Wide window discount (static mode)",
                "money",
                "Taken off wide windows when the mode is static.",
            ),
            RuleField(
                "wide_window_minutes",
                "Wide window from",
                "int",
                "Windows at least this long count as wide.",
                unit="minutes",
            ),
        ],
    ),
    (
        "Carbon and green windows",
        [
            RuleField(
                "carbon_price_per_kg",
                "Carbon price",
                "money",
                "Internal price of carbon charged against each delivery.",
                unit="per kg CO2e",
            ),
            RuleField(
                "green_threshold",
                "Green threshold",
                "float",
                "A window is green when its detour is at most this share (0 to 1) of the zone's typical one.",
                unit="share",
            ),
            RuleField(
                "road_factor",
                "Road factor",
                "float",
                "Road distance over straight-line distance; 1.3 is common in towns.",
                unit="×",
            ),
        ],
    ),
    (
        "Costs and demand",
        [
            RuleField(
                "cost_per_km",
                "Running cost",
                "money",
                "Energy, tyres and upkeep per vehicle-km.",
                unit="per km",
            ),
            RuleField(
                "driver_cost_per_hour",
                "Driver cost",
                "money",
                "Charged on the minutes a delivery adds.",
                unit="per hour",
            ),
            RuleField("average_speed_kmh", "Average speed", "float", "Between stops.", unit="km/h"),
            RuleField("service_minutes", "Time at the door", "float", "Per delivery.", unit="minutes"),
            RuleField(
                "lost_booking_cost",
                "Lost booking cost",
                "money",
                "What losing a later shopper to a full window costs (fee plus basket margin).",
            ),
            RuleField(
                "forecast_fill",
                "Expected fill",
                "float",
                "Share (0 to 1) of the places left expected to sell, without a forecast.",
                unit="share",
            ),
            RuleField(
                "zone_radius_km",
                "Zone radius",
                "float",
                "Used while a zone has too few bookings to measure its spread.",
                unit="km",
            ),
            RuleField(
                "flexibility_km",
                "Flexibility cost",
                "float",
                "Road km a narrow window inside a wide one adds by pinning a van; 0 leaves it out.",
                unit="km",
            ),
        ],
    ),
    (
        "Engine",
        [
            RuleField(
                "solver",
                "Solver",
                "choice",
                "The optimiser; the other is the fallback.",
                choices=("highs", "cbc"),
            ),
            RuleField(
                "per_vehicle_density",
                "Density per vehicle",
                "bool",
                "Share a window's expected stops over the vehicles its day needs.",
            ),
            RuleField(
                "protect_conversion",
                "Protect conversion",
                "bool",
                "Never offer prices expected to turn away more shoppers than the flat grid would "
                "(base prices, no green badges).",
            ),
        ],
    ),
]

FEE_FIELD = RuleField("fee", "Window fee", "money", "Added to the base fee for this window.")
FIELDS = {f.name: f for _, group in SECTIONS for f in group}


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def shown(field: RuleField, value, currency: str) -> str:
    """Return a stored value as the form shows it (money in major units)."""
    if value is None:
        return ""
    if field.kind == "money":
        digits = minor_digits(currency)
        return f"{Decimal(int(value)).scaleb(-digits):.{digits}f}"
    return str(value)


def effective(pricing: dict, name: str):
    """Return the value a rule has in a pricing section (its engine default when not set)."""
    if name in pricing:
        return pricing[name]
    return {"mode": "flat", "min_fee": 0, "base_fee": 400, "max_fee": 900}.get(name, RULE_DEFAULTS.get(name))


def read_value(field: RuleField, raw: str | None, currency: str):
    """Return the typed value of one input, or raise ValueError with what is wrong."""
    if field.kind == "bool":
        return raw in ("on", "true", "1", "yes")
    text = (raw or "").strip()
    if not text:
        if field.optional:
            return None
        raise ValueError("required")
    if field.kind == "choice":
        return text
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not number.is_finite():
        raise ValueError("must be a number")
    if field.kind == "money":
        minor = number.scaleb(minor_digits(currency))
        if minor != minor.to_integral_value():
            raise ValueError(f"at most {minor_digits(currency)} decimals")
        return int(minor)
    if field.kind == "int":
        if number != number.to_integral_value():
            raise ValueError("must be a whole number")
        return int(number)
    return float(number)


def apply_form(pricing: dict, form, currency: str) -> tuple[dict, dict[str, list[str]]]:
    """Return the pricing section with the form's values, and the inputs that could not be read.

    A rule left at the value it already has is not written into the section: the document
    keeps only what the retailer set.
    """
    updated, problems = dict(pricing), {}
    for name, field in FIELDS.items():
        try:
            value = read_value(field, form.get(name), currency)
        except ValueError as error:
            problems[f"pricing.{name}"] = [str(error)]
            continue
        if name in updated or value != effective(pricing, name):
            updated[name] = value
    return updated, problems


def template_label(template: dict) -> str:
    days = template["weekdays"]
    span = f"{days[0]}–{days[-1]}" if len(days) > 2 else ", ".join(days)
    zones = "all zones" if template["zones"] in ("*", ["*"]) else ", ".join(template["zones"])
    return f"{template['start']}–{template['end']} · {span} · {zones}"


def apply_template_fees(templates: list[dict], form, currency: str):
    """Return the slot templates with the form's fees (fee_0, fee_1 ...), and unreadable inputs."""
    field = FEE_FIELD
    updated, problems = [], {}
    for i, template in enumerate(templates):
        template = dict(template)
        try:
            template["fee"] = read_value(field, form.get(f"fee_{i}"), currency)
        except ValueError as error:
            problems[f"slot_templates[{i}].fee"] = [str(error)]
        updated.append(template)
    return updated, problems
