"""UI catalogs: every handout string is translated, and the compiled .mo files match the .po files."""

from __future__ import annotations

import gettext

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from rxstretch.i18n import catalog_languages, catalog_path

from .conftest import REPO

KEYWORDS = {"gettext": None, "ngettext": (1, 2)}


def _source_messages() -> set[str]:
    """Every msgid the code passes to gettext/ngettext (singular form for plurals)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO / "src" / "rxstretch"), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_code_has_ui_strings_to_translate() -> None:
    assert {"How to do it", "%(num)s set", "Page %(page)s of %(pages)s"} <= _source_messages()


def test_french_catalog_exists() -> None:
    assert "fr" in catalog_languages()


@pytest.mark.parametrize("language", sorted(catalog_languages()))
def test_catalog_translates_every_string_and_its_mo_is_current(language: str) -> None:
    with catalog_path(language, ".po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    with catalog_path(language, ".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    plural_index = gettext.c2py(catalog.plural_expr)
    messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog if m.id}
    missing = _source_messages() - messages.keys()
    assert not missing, f"{language}: untranslated (run pybabel extract/update): {sorted(missing)}"
    for key, message in messages.items():
        assert not message.fuzzy, f"{language}: fuzzy translation for {key!r}"
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, f"{language}: plural forms of {key!r}"
            assert all(message.string), f"{language}: empty plural translation for {key!r}"
            for count in (0, 1, 2, 3, 5, 11, 100):
                expected = message.string[plural_index(count)]
                assert compiled.ngettext(message.id[0], message.id[1], count) == expected, (
                    f"{language}: .mo is stale, run pybabel compile"
                )
        else:
            assert message.string, f"{language}: empty translation for {key!r}"
            assert compiled.gettext(message.id) == message.string, f"{language}: .mo is stale"
