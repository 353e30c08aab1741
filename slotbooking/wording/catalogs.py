"""The compiled message catalogs: where they live, and a loud refusal when they are stale.

``scripts/test.sh`` and ``scripts/demo.sh`` compile them after installing
(``pybabel compile -d slotbooking/translations``); the .mo files are not committed.
"""

from pathlib import Path

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
COMPILE_COMMAND = "pybabel compile -d slotbooking/translations"


def stale_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[str]:
    """Return what is wrong with the compiled catalogs: each .po needs a .mo at least as new."""
    problems = []
    sources = sorted(directory.glob("*/LC_MESSAGES/messages.po"))
    if not sources:
        problems.append(f"no catalogs under {directory}")
    for po in sources:
        mo = po.with_suffix(".mo")
        if not mo.exists():
            problems.append(f"{mo} is missing")
        elif mo.stat().st_mtime < po.stat().st_mtime:
            problems.append(f"{mo} is older than {po.name}")
    return problems


def check_catalogs(directory: Path = TRANSLATIONS_DIR) -> None:
    """:raises RuntimeError: when a catalog is missing or out of date, naming the fix."""
    problems = stale_catalogs(directory)
    if problems:
        raise RuntimeError(
            "message catalogs not compiled: " + "; ".join(problems) + f". Run: {COMPILE_COMMAND}"
        )
