"""The pricing engine words nothing and knows no currency: the app says its reasons (slotbooking/wording).

Over the engine's modules (pricing/*.py; the simulator in pricing/simulate is a developer's
console report and stays in English, and pricing/calibration.py's notes on why a parameter is
fixed are read by the analyst running ``flask pricing calibrate``, never by a shopper: they move
to codes the app words with the ops console): no string constant outside docstrings and exception
messages holds two words or a currency sign, no f-string holds a phrase, and no name speaks
of money formats or currency symbols.
"""

import ast
import re
from pathlib import Path

import pytest

# Not shopper-facing (see the docstring); every other engine module is checked.
ANALYST_FACING = {"calibration.py"}
ENGINE = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "pricing").glob("*.py") if p.name not in ANALYST_FACING
)
CURRENCY_SIGNS = re.compile(r"[£€$¥₹₩₽¢]|\b(GBP|EUR|USD|JPY|CHF)\b")
WORDS = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")
MONEY_NAMES = re.compile(r"format_money|currency_symbol|CURRENCY|ZERO_DECIMAL", re.I)


def _docstrings(tree: ast.AST) -> set[int]:
    owners = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _exception_messages(tree: ast.AST) -> set[int]:
    return {id(inner) for node in ast.walk(tree) if isinstance(node, ast.Raise) for inner in ast.walk(node)}


def words_in(source: str) -> list[str]:
    """Return the shopper-facing words and currency signs a module's code would produce."""
    tree = ast.parse(source)
    allowed = _docstrings(tree) | _exception_messages(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if WORDS.search(node.value) or CURRENCY_SIGNS.search(node.value):
                found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            if WORDS.search(literal) or CURRENCY_SIGNS.search(literal):
                found.append(literal)
        elif isinstance(node, ast.Name | ast.FunctionDef) and MONEY_NAMES.search(
            getattr(node, "id", "") or getattr(node, "name", "")
        ):
            found.append(getattr(node, "id", None) or node.name)
    return found


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name)
def test_engine_module_holds_no_words_and_no_currency(path):
    assert words_in(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        'reason = f"Quieter time of day {label}: {money}"',
        'SYMBOLS = {"GBP": "£"}',
        'text = "Spare room on our vans"',
        "def format_money(amount): return amount",
    ],
)
def test_the_check_finds_words_and_currency(source):
    assert words_in(source)


def test_the_check_leaves_docstrings_and_errors_alone():
    source = '"""Prices in GBP, worded by the app."""\nraise ValueError(f"unknown pricing mode {mode!r}")\n'
    assert words_in(source) == []
