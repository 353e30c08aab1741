"""One clock: no code of the app reads the wall clock except slotbooking/clock.py.

A model default, query or job that reads the machine's time disagrees with the clock the app
was given; a suite built that way broke by the calendar on 2026-11-23. This test reads the
source, so it fails the moment such a call is written anywhere.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLOCK_MODULE = ROOT / "slotbooking" / "clock.py"

# Attribute calls that read the current date or time.
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("func", "now"),
    ("func", "current_timestamp"),
    ("func", "current_date"),
    ("func", "localtimestamp"),
}
SQL_WALL_CLOCK = re.compile(r"\b(CURRENT_TIMESTAMP|CURRENT_DATE|LOCALTIMESTAMP|NOW\(\))", re.IGNORECASE)
TEMPLATE_WALL_CLOCK = re.compile(r"\bnow\(\)|\butcnow\b|\btoday\(\)")


def _app_sources():
    for folder in ("slotbooking", "pricing"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != CLOCK_MODULE and "simulate" not in path.parts:
                yield path


def wall_clock_reads(source: str) -> list[str]:
    """Return each wall-clock call in a module's source, as 'line: call'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            owner = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
            if (owner, node.func.attr) in WALL_CLOCK_CALLS:
                found.append(f"{node.lineno}: {owner}.{node.func.attr}()")
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and (match := SQL_WALL_CLOCK.search(node.value)):
            found.append(f"{node.lineno}: SQL {match.group(0)}")
    return found


@pytest.mark.parametrize("path", list(_app_sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_wall_clock_outside_the_clock_module(path):
    assert wall_clock_reads(path.read_text(encoding="utf-8")) == []


def test_templates_take_now_from_the_view():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates").rglob("*.html"))
        if TEMPLATE_WALL_CLOCK.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime, UTC\nx = datetime.now(UTC)",
        "import datetime\nx = datetime.datetime.utcnow()",
        "from datetime import date\nx = date.today()",
        "import time\nx = time.time()",
        "from sqlalchemy import func\nq = func.now()",
        "q = 'SELECT * FROM holds WHERE expires_at > NOW()'",
    ],
)
def test_the_scan_finds_a_wall_clock_read(source):
    assert wall_clock_reads(source)
