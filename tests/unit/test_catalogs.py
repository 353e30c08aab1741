"""The message catalogs: current with the code, every string translated, compiled before start-up."""

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from slotbooking.wording.catalogs import TRANSLATIONS_DIR, check_catalogs, stale_catalogs

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("de", "en_GB")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def catalog(path: Path, locale=None):
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def ids(messages) -> set:
    return {m.id for m in messages if m.id}


def test_the_template_holds_every_string_of_the_code_and_the_templates(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(TRANSLATIONS_DIR / "babel.cfg"), "-k", "lazy_gettext",
         "-k", "_plural:1,2", "-o", str(fresh), "."]
    )  # fmt: skip
    committed = ids(catalog(TRANSLATIONS_DIR / "messages.pot"))
    assert ids(catalog(fresh)) == committed, "run scripts/i18n.sh extract and translate the new strings"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_with_its_placeholders(language):
    template = ids(catalog(TRANSLATIONS_DIR / "messages.pot"))
    translations = catalog(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po", language)
    by_id = {m.id: m for m in translations if m.id}
    assert set(by_id) >= template
    for key in template:
        message = by_id[key]
        assert not message.fuzzy, key
        sources = key if isinstance(key, tuple) else (key,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        assert all(strings) and len(strings) == (2 if isinstance(key, tuple) else 1), key
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(sources))))
        for text in strings:
            assert sorted(set(PLACEHOLDER.findall(text))) == wanted, (key, text)


def test_the_german_catalog_is_german():
    translations = catalog(TRANSLATIONS_DIR / "de" / "LC_MESSAGES" / "messages.po", "de")
    same = [m.id for m in translations if m.id and m.string == m.id]
    assert same == [], same  # nothing left in English


def test_a_missing_or_stale_compiled_catalog_stops_the_app(tmp_path):
    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS_DIR, copy)
    assert stale_catalogs(copy) == []
    check_catalogs(copy)
    german = copy / "de" / "LC_MESSAGES"
    po, mo = german / "messages.po", german / "messages.mo"
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    with pytest.raises(RuntimeError, match="older than messages.po.*pybabel compile"):
        check_catalogs(copy)
    mo.unlink()
    with pytest.raises(RuntimeError, match="messages.mo is missing"):
        check_catalogs(copy)
