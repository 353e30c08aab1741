"""The setup pages' forms: booking rules, slot templates, fleet, places, connections.

Each page edits sections of the draft's setup document, described here once as plain fields and
row tables. Reading a form only turns text into the document's types (a whole number, money in
minor units, a list from "mon, tue"); what a value may be is the setup document's own schema and
cross-reference checks (setup/document.py), run when the draft is saved, whose messages land
beside the cells they name (``slot_templates[2].capacity``). Rows are added and removed by
submit buttons that only redraw the form: nothing is saved until "Save to draft".
"""

import copy
import re
from dataclasses import dataclass, field

from slotbooking.console.pricing_form import FEE_FIELD, read_value, shown
from slotbooking.retailers.schemas import VEHICLES, WEEKDAYS


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str = "text"  # text | optional | int | float | money | words | zones
    choices: tuple[str, ...] = ()
    hint: str = ""  # placeholder, e.g. "HH:MM"


@dataclass(frozen=True)
class Fields:
    """Named values of one object in the document (``booking_rules``)."""

    path: str
    title: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Table:
    """A list in the document, one row per item; ``scalar`` rows are plain values, not objects."""

    key: str  # form prefix
    path: str
    title: str
    columns: tuple[Column, ...]
    blank: object = field(default_factory=dict)
    scalar: bool = False
    help: str = ""


@dataclass(frozen=True)
class SetupPage:
    name: str
    title: str
    summary: str
    parts: tuple[Fields | Table, ...]


TIME = "HH:MM"
PAGES: dict[str, SetupPage] = {
    page.name: page
    for page in (
        SetupPage(
            "rules",
            "Booking rules and blackout dates",
            "How far ahead shoppers book, lead time, cut-off, hold length; days with no deliveries.",
            (
                Fields(
                    "booking_rules",
                    "Booking rules",
                    (
                        Column("horizon_days", "Booking horizon (days)", "int"),
                        Column("lead_time_hours", "Lead time (hours)", "int"),
                        Column("cutoff", "Cut-off the day before (blank: none)", "optional", hint=TIME),
                        Column("hold_minutes", "Hold length (minutes)", "int"),
                    ),
                ),
                Table(
                    "blackout",
                    "booking_rules.blackout_dates",
                    "Blackout dates",
                    (Column("date", "Date", hint="YYYY-MM-DD"),),
                    blank="",
                    scalar=True,
                    help="No windows are offered on these days, for every depot and zone (one-off dates).",
                ),
            ),
        ),
        SetupPage(
            "templates",
            "Slot templates and capacities",
            "The delivery windows offered each week: days, times, places per window and fee.",
            (
                Table(
                    "templates",
                    "slot_templates",
                    "Slot templates",
                    (
                        Column("zones", "Zones (* for all)", "zones"),
                        Column("weekdays", "Days", "words", hint="mon, tue, ..."),
                        Column("start", "Start", hint=TIME),
                        Column("end", "End", hint=TIME),
                        Column("capacity", "Capacity", "int"),
                        Column("fee", "Fee", "money"),
                    ),
                    blank={
                        "zones": "*",
                        "weekdays": list(WEEKDAYS[:5]),
                        "start": "",
                        "end": "",
                        "capacity": 0,
                        "fee": 0,
                    },
                    help="A capacity below what is already booked is refused.",
                ),
            ),
        ),
        SetupPage(
            "fleet",
            "Fleet",
            "Vehicles per depot, the stops each can make and their shifts.",
            (
                Table(
                    "fleet",
                    "fleet",
                    "Vehicles",
                    (
                        Column("depot", "Depot"),
                        Column("vehicle", "Vehicle", "text", choices=VEHICLES),
                        Column("count", "Count", "int"),
                        Column("stops_per_vehicle", "Stops per vehicle", "int"),
                        Column("shift_start", "Shift start", hint=TIME),
                        Column("shift_end", "Shift end", hint=TIME),
                    ),
                    blank={
                        "depot": "",
                        "vehicle": VEHICLES[0],
                        "count": 1,
                        "stops_per_vehicle": 20,
                        "shift_start": "07:00",
                        "shift_end": "21:00",
                    },
                ),
            ),
        ),
        SetupPage(
            "places",
            "Depots and zones",
            "Where vans leave from, the zones they serve and the postcode prefixes of each zone.",
            (
                Table(
                    "depots",
                    "depots",
                    "Depots",
                    (
                        Column("code", "Code"),
                        Column("name", "Name"),
                        Column("lat", "Latitude", "float"),
                        Column("lon", "Longitude", "float"),
                    ),
                    blank={"code": "", "name": ""},
                ),
                Table(
                    "zones",
                    "zones",
                    "Zones",
                    (
                        Column("code", "Code"),
                        Column("name", "Name"),
                        Column("depot", "Depot"),
                        Column("postcode_prefixes", "Postcode prefixes", "words", hint="N1, N5"),
                        Column("lat", "Latitude", "float"),
                        Column("lon", "Longitude", "float"),
                    ),
                    blank={"code": "", "name": "", "depot": "", "postcode_prefixes": []},
                    help="A zone no longer listed stops being offered; its bookings are kept.",
                ),
            ),
        ),
        SetupPage(
            "connections",
            "Origins, webhook and payments",
            "The shop sites allowed to embed the widget, where events are sent, who collects the fee.",
            (
                Table(
                    "origins",
                    "retailer.allowed_origins",
                    "Allowed origins",
                    (Column("origin", "Origin", hint="https://shop.example"),),
                    blank="",
                    scalar=True,
                ),
                Fields(
                    "events",
                    "Webhook",
                    (Column("webhook_url", "Webhook URL (blank: none)", "optional", hint="https://"),),
                ),
                Fields(
                    "payments",
                    "Payments",
                    (Column("collect", "Who collects the fee", choices=("retailer", "stripe")),),
                ),
            ),
        ),
    )
}


def get_at(document: dict, path: str):
    value = document
    for key in path.split("."):
        value = (value or {}).get(key)
    return value


def with_at(document: dict, path: str, new) -> dict:
    """Return a copy of the document with the value at a dotted path replaced."""
    document = copy.deepcopy(document)
    *outer, last = path.split(".")
    place = document
    for key in outer:
        place = place.setdefault(key, {})
    place[last] = new
    return document


def show(column: Column, value, currency: str) -> str:
    """Return a document value as its input shows it."""
    if value is None:
        return ""
    if column.kind == "money":
        return shown(FEE_FIELD, value, currency)
    if column.kind == "zones" and value in ("*", ["*"]):
        return "*"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def read(column: Column, raw: str | None, currency: str):
    """Return the document's value for one input, or raise ValueError saying what is wrong."""
    text = (raw or "").strip()
    if column.kind == "money":
        return read_value(FEE_FIELD, text, currency)
    if column.kind in ("int", "float"):
        if not text:
            raise ValueError("required")
        try:
            number = float(text)
        except ValueError:
            raise ValueError("must be a number") from None
        if column.kind == "float":
            return number
        if not number.is_integer() or not re.fullmatch(r"-?\d+(\.0*)?", text):
            raise ValueError("must be a whole number")
        return int(number)
    if column.kind == "zones" and text == "*":
        return "*"
    if column.kind in ("words", "zones"):
        return [word.strip() for word in text.split(",") if word.strip()]
    if column.kind == "optional" and not text:
        return None
    return text


def cell_name(table: Table, row: int, column: Column) -> str:
    return f"{table.key}-{row}-{column.name}"


def cell_path(table: Table, row: int, column: Column) -> str:
    return f"{table.path}[{row}]" if table.scalar else f"{table.path}[{row}].{column.name}"


def field_path(part: Fields, column: Column) -> str:
    return f"{part.path}.{column.name}"


@dataclass
class PageValues:
    """What the page's inputs hold: {field path: text} and {table key: [{column: text}]}."""

    fields: dict[str, str]
    rows: dict[str, list[dict[str, str]]]


def values_from_document(page: SetupPage, document: dict, currency: str) -> PageValues:
    fields, rows = {}, {}
    for part in page.parts:
        if isinstance(part, Fields):
            section = get_at(document, part.path) or {}
            for column in part.columns:
                fields[field_path(part, column)] = show(column, section.get(column.name), currency)
        else:
            rows[part.key] = [_row_texts(part, item, currency) for item in get_at(document, part.path) or []]
    return PageValues(fields, rows)


def _row_texts(table: Table, item, currency: str) -> dict[str, str]:
    if table.scalar:
        return {table.columns[0].name: show(table.columns[0], item, currency)}
    return {c.name: show(c, item.get(c.name), currency) for c in table.columns}


def values_from_form(page: SetupPage, form, currency: str) -> PageValues:
    """Return the inputs as sent, with a row added or removed when that button was pressed."""
    fields, rows = {}, {}
    for part in page.parts:
        if isinstance(part, Fields):
            for column in part.columns:
                fields[field_path(part, column)] = form.get(field_path(part, column), "")
            continue
        try:
            count = min(int(form.get(f"{part.key}-rows", "0")), 500)
        except ValueError:
            count = 0
        removed = form.get("remove", "")
        rows[part.key] = [
            {c.name: form.get(cell_name(part, i, c), "") for c in part.columns}
            for i in range(count)
            if removed != f"{part.key}-{i}"
        ]
        if form.get("add") == part.key:
            rows[part.key].append(_row_texts(part, part.blank, currency))
    return PageValues(fields, rows)


def apply_values(page: SetupPage, document: dict, values: PageValues, currency: str):
    """Return the document with the page's values, and the inputs that could not be read."""
    problems: dict[str, list[str]] = {}

    def typed(column, text, path):
        try:
            return read(column, text, currency)
        except ValueError as error:
            problems[path] = [str(error)]
            return text

    for part in page.parts:
        if isinstance(part, Fields):
            section = dict(get_at(document, part.path) or {})
            for column in part.columns:
                path = field_path(part, column)
                section[column.name] = typed(column, values.fields.get(path, ""), path)
            document = with_at(document, part.path, section)
            continue
        items = []
        for i, row in enumerate(values.rows[part.key]):
            cells = {c.name: typed(c, row.get(c.name, ""), cell_path(part, i, c)) for c in part.columns}
            items.append(cells[part.columns[0].name] if part.scalar else cells)
        document = with_at(document, part.path, items)
    return document, problems


def place_errors(page: SetupPage, values: PageValues, errors: dict) -> tuple[dict, dict]:
    """Split errors into those shown beside one of the page's inputs and the others (shown on top)."""
    inputs = set(values.fields)
    for part in page.parts:
        if isinstance(part, Table):
            inputs |= {cell_path(part, i, c) for i in range(len(values.rows[part.key])) for c in part.columns}
    beside: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    for path, messages in errors.items():
        target = path
        if target not in inputs and re.search(r"\[\d+\]$", target):  # zones[0].postcode_prefixes[1]
            target = re.sub(r"\[\d+\]$", "", target)
        (beside if target in inputs else other).setdefault(target if target in inputs else path, []).extend(
            messages
        )
    return beside, other
