"""Every word a template shows goes through the catalogs: {% trans %} or _()/gettext/ngettext.

A heuristic: the template's own text, with trans blocks, expressions, statements and comments
taken out, must hold no letters once tags, scripts, styles and drawings are removed, and its
user-visible attributes (aria-label, title, placeholder, alt) no literal words; and, over
Jinja's syntax tree, a string constant of two or more words in an expression must be an
argument of a gettext call.
"""

import re
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, nodes

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
HIDDEN_BLOCKS = re.compile(r"<(script|style|svg)\b.*?</\1>", re.S | re.I)
VISIBLE_ATTRIBUTES = re.compile(r"""\b(aria-label|title|placeholder|alt)\s*=\s*(["'])(.*?)\2""", re.S | re.I)
TAG = re.compile(r"<[^>]*>", re.S)
JINJA = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
ENTITY = re.compile(r"&#?\w+;")
WORD = re.compile(r"[^\W\d_]{2,}")
SENTENCE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"])
    env.policies["ext.i18n.trimmed"] = True
    return env


def untranslated(env: Environment, source: str) -> list[str]:
    """Return the words of a template that would reach a shopper without a catalog."""
    html = JINJA.sub("\x00", source)  # what is left is the template's own markup and text
    found = [value for _, _, value in VISIBLE_ATTRIBUTES.findall(html) if WORD.search(value)]
    found += WORD.findall(ENTITY.sub(" ", TAG.sub(" ", HIDDEN_BLOCKS.sub(" ", html))))
    tree = env.parse(source)
    translated = {
        id(arg)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name) and call.node.name in GETTEXT_CALLS
        for arg in call.args
    }
    found += [
        const.value
        for const in tree.find_all(nodes.Const)
        if isinstance(const.value, str) and SENTENCE.search(const.value) and id(const) not in translated
    ]
    return found


# The ops console (templates/console/) is for staff and in English; shoppers never see it.
STAFF_ONLY = TEMPLATES / "console"


@pytest.mark.parametrize(
    "path",
    sorted(p for p in TEMPLATES.rglob("*.html") if STAFF_ONLY not in p.parents),
    ids=lambda p: str(p.relative_to(TEMPLATES)),
)
def test_template_words_are_all_translatable(path):
    env = environment()
    assert untranslated(env, path.read_text()) == []


@pytest.mark.parametrize(
    "source, caught",
    [
        ("<p>Choose a window</p>", ["Choose", "window"]),
        ('<button aria-label="Close panel">×</button>', ["Close panel"]),
        ('{{ grid(hint="Pick a window now") }}', ["Pick a window now"]),
        ("<p>{% trans %}Choose a window{% endtrans %}</p>", []),
        ('<p>{{ _("Choose a window") }}</p><script>const a = "not shown";</script>', []),
        ('{{ url_for("booking.book", slug=tenant.slug) }} · {{ "%d:%02d" % (1, 2) }}', []),
    ],
)
def test_the_check_finds_bare_words_and_passes_translated_ones(source, caught):
    assert untranslated(environment(), source) == caught
