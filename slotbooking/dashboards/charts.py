"""Server-rendered SVG charts: bars, lines and a heat map, with axes, a title and a <desc>.

Why our own and not a charting library: three chart kinds, each ~40 lines, with no script, no
CDN, no fonts, and markup we control for screen readers (role="img", <title>, <desc>, the
numbers in a table beside each chart) and for the console's strict CSP (no inline style
attributes beyond SVG presentation ones). Colours are the Okabe-Ito palette darkened where
needed so bars and lines reach 3:1 against white (WCAG 1.4.11); text is near-black.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 56
PALETTE = ("#0061a0", "#b34700", "#00775a", "#8a3f7a", "#595959")
INK = "#1a1a1a"
GRID = "#d9d9d9"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def nice_max(value: float) -> float:
    """Return an axis's top: four equal steps of 1, 2 or 5 times a power of ten, reaching value."""
    if value <= 0:
        return 1
    quarter = value / 4
    power = 10 ** math.floor(math.log10(quarter))
    return 4 * next(step * power for step in (1, 2, 5, 10) if step * power >= quarter)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2g}"


def _open(title: str, desc: str, height: int = HEIGHT, width: int = WIDTH) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart"><title>{escape(title)}</title><desc>{escape(desc)}</desc>',
        f'<text x="{LEFT}" y="20" font-size="15" font-weight="600" fill="{INK}">{escape(title)}</text>',
    ]


def _axes(parts: list[str], labels: Sequence[str], top: float, y_label: str, fmt: Callable) -> float:
    """Draw the y grid with its ticks and the x labels; return the width of one category."""
    plot_h, plot_w = HEIGHT - TOP - BOTTOM, WIDTH - LEFT - RIGHT
    for i in range(5):
        value = top * i / 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="{INK}">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append(
        f'<text x="14" y="{TOP + plot_h / 2:.0f}" font-size="11" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + plot_h / 2:.0f})">{escape(y_label)}</text>'
    )
    step = max(1, math.ceil(len(labels) / 10))
    band = plot_w / max(1, len(labels))
    for i, label in enumerate(labels):
        if i % step == 0:
            x = LEFT + band * (i + 0.5)
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="middle" '
                f'fill="{INK}">{escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
        f'stroke="{INK}"/>'
    )
    return band


def _legend(parts: list[str], names: Sequence[str], dashed: str | None = None) -> None:
    x = LEFT
    for i, name in enumerate(names):
        y = HEIGHT - 14
        parts.append(f'<rect x="{x}" y="{y - 9}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 16}" y="{y + 1}" font-size="12" fill="{INK}">{escape(name)}</text>')
        x += 28 + 7 * len(name)
    if dashed:
        parts.append(
            f'<line x1="{x}" x2="{x + 14}" y1="{HEIGHT - 18}" y2="{HEIGHT - 18}" stroke="{INK}" '
            f'stroke-width="2" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x + 18}" y="{HEIGHT - 13}" font-size="12" fill="{INK}">{escape(dashed)}</text>'
        )


def bar_chart(
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    y_label: str,
    stacked: bool = False,
    reference: float | None = None,
    reference_label: str = "",
    fmt: Callable[[float], str] = _fmt,
) -> Markup:
    """Draw bars per label (stacked or side by side), with an optional dashed reference line."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    peaks = (
        totals
        if stacked
        else [max((s.values[i] or 0 for s in series), default=0) for i in range(len(labels))]
    )
    top = nice_max(max([*peaks, reference or 0, 0]))
    parts = _open(title, desc)
    band = _axes(parts, labels, top, y_label, fmt)
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(len(labels)):
        base = 0.0
        for k, s in enumerate(series):
            value = s.values[i] or 0
            height = plot_h * value / top
            if stacked:
                x, w, y = LEFT + band * (i + 0.15), band * 0.7, HEIGHT - BOTTOM - base - height
                base += height
            else:
                w = band * 0.7 / len(series)
                x, y = LEFT + band * 0.15 + band * i + w * k, HEIGHT - BOTTOM - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{height:.1f}" '
                f'fill="{PALETTE[k % len(PALETTE)]}"><title>{escape(labels[i])}, {escape(s.name)}: '
                f"{escape(fmt(value))}</title></rect>"
            )
    if reference is not None:
        y = HEIGHT - BOTTOM - plot_h * reference / top
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{INK}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
        )
    _legend(parts, [s.name for s in series], reference_label if reference is not None else None)
    return Markup("".join(parts) + "</svg>")


def line_chart(
    title: str, desc: str, labels: Sequence[str], series: Sequence[Series], y_label: str, fmt: Callable = _fmt
) -> Markup:
    """Draw one line with dots per series; a None value breaks the line."""
    top = nice_max(max([v for s in series for v in s.values if v is not None] or [0]))
    parts = _open(title, desc)
    band = _axes(parts, labels, top, y_label, fmt)
    plot_h = HEIGHT - TOP - BOTTOM
    for k, s in enumerate(series):
        colour, runs, run = PALETTE[k % len(PALETTE)], [], []
        for i, value in enumerate(s.values):
            if value is None:
                runs, run = runs + [run] if run else runs, []
                continue
            x, y = LEFT + band * (i + 0.5), HEIGHT - BOTTOM - plot_h * value / top
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>{escape(labels[i])}, '
                f"{escape(s.name)}: {escape(fmt(value))}</title></circle>"
            )
        for points in [*runs, run]:
            if len(points) > 1:
                parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"/>'
                )
    _legend(parts, [s.name for s in series])
    return Markup("".join(parts) + "</svg>")


def _heat_colour(share: float) -> tuple[str, str]:
    """Return (fill, text colour) for a share used: pale to dark blue, text switching to white."""
    share = max(0.0, min(1.0, share))
    light, dark = (0xE8, 0xF1, 0xFA), (0x08, 0x30, 0x6B)
    fill = "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(light, dark, strict=True))
    return fill, ("#ffffff" if share > 0.5 else INK)


def heat_map(
    title: str,
    desc: str,
    rows: Sequence[str],
    columns: Sequence[str],
    cell: Callable[[str, str], float | None],
) -> Markup:
    """Draw a grid of rows x columns shaded by ``cell``'s share (0..1+), its percentage written in."""
    cell_w, cell_h, left, top = max(56, (WIDTH - 100) / max(1, len(columns))), 22, 100, 62
    width = int(left + cell_w * len(columns) + RIGHT)
    height = int(top + cell_h * len(rows) + 16)
    parts = _open(title, desc, height=height, width=width)
    for j, column in enumerate(columns):
        start, _, end = column.partition("-")  # "08:00-09:00": start over end, so labels never overlap
        x = left + cell_w * (j + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{top - 22}" font-size="11" text-anchor="middle" fill="{INK}">'
            f'{escape(start)}<tspan x="{x:.1f}" dy="13">{escape("–" + end if end else "")}</tspan></text>'
        )
    for i, row in enumerate(rows):
        y = top + cell_h * i
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" font-size="11" text-anchor="end" fill="{INK}">'
            f"{escape(row)}</text>"
        )
        for j, column in enumerate(columns):
            share, x = cell(row, column), left + cell_w * j
            if share is None:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" '
                    f'fill="#ffffff" stroke="{GRID}"><title>{escape(row)} {escape(column)}: no window</title>'
                    "</rect>"
                )
                continue
            fill, ink = _heat_colour(share)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" fill="{fill}">'
                f"<title>{escape(row)} {escape(column)}: {share:.0%} used</title></rect>"
                f'<text x="{x + (cell_w - 2) / 2:.1f}" y="{y + 15}" font-size="11" text-anchor="middle" '
                f'fill="{ink}">{share:.0%}</text>'
            )
    return Markup("".join(parts) + "</svg>")
