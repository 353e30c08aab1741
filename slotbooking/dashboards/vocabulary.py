"""What a figure hands to its presenters: typed columns, rows of raw values, and its charts."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header
    label: str  # the table header
    kind: str = "number"  # number | decimal | money (minor units) | share (0..1) | day | text


@dataclass(frozen=True)
class FigureView:
    name: str
    title: str
    explanation: str
    columns: tuple[Column, ...]
    rows: list[tuple]
    charts: list[Markup]


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if kind == "share":
        return f"{value:.4f}"
    if kind == "decimal":
        return f"{value:.3f}"
    return str(value)


def csv_text(view: FigureView) -> str:
    """Return the figure's rows as CSV: a header of keys, money in minor units, shares as fractions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.key for c in view.columns])
    for row in view.rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, view.columns, strict=True)])
    return out.getvalue()
