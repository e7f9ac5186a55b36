"""Lean Babel locale data: the same text as Babel's full data, from the user cache (issue 19)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from babel import Locale, localedata

from rxstretch.i18n import Localizer, catalog_languages, parse_locale
from rxstretch.loaders.languages import OFTEN_ASKED
from rxstretch.model import Library
from rxstretch.resources import babeldata
from rxstretch.resources.usercache import cache_dir

# Regions whose data differs from their language's, some through CLDR's other parents
# (en_GB → en_001, es_MX → es_419, pt_PT), and a tag Babel completes (zh-TW → zh_Hant_TW).
REGIONAL = ("fr-CA", "fr-CH", "de-AT", "de-CH", "en-GB", "en-IN", "es-MX", "pt-BR", "pt-PT", "ar-EG", "zh-TW")
DATES = (datetime.date(2026, 11, 26), datetime.date(2027, 1, 1), datetime.date(2026, 5, 9))
SECONDS = (1, 2, 5, 7.5, 30, 45, 60, 61, 67.5, 90, 120, 600, 3600)


def _languages(library: Library) -> list[str]:
    written = {language for exercise in library.exercises.values() for language in exercise.text}
    return sorted({"en", *OFTEN_ASKED, *catalog_languages(), *written, *REGIONAL})


def _formatted(locale: Locale) -> list[Any]:
    """Everything a handout formats with Babel, over the values handouts use."""
    localizer = Localizer(locale)
    out: list[Any] = [locale.character_order, localizer.tag, localizer.day_names()]
    for count in (0, 1, 2, 3, 5, 11, 21, 100, 1000, 12345):
        out += [localizer.number(count), localizer.ngettext("%(num)s set", "%(num)s sets", count)]
    out += [localizer.date(day) for day in DATES]
    out += [localizer.join(items) for items in (["a"], ["a", "b"], ["a", "b", "c"])]
    out += [localizer.duration(seconds) for seconds in SECONDS]
    out += [localizer.duration_range(*pair) for pair in ((30, 45), (60, 120), (30, 90), (45, 45))]
    return [*out, localizer.number_range(3, 4)]


def _fresh(tag: str) -> Locale:
    """A lean locale read again from the cache, as a new process would."""
    babeldata.lean_data.cache_clear()
    parse_locale.cache_clear()
    return parse_locale(tag)


def _full(tag: str) -> Locale:
    return Locale.parse(tag.replace("-", "_"))


def _refuse_full_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str, merge_inherited: bool = True) -> dict[str, Any]:
        raise AssertionError(f"the full locale data of {name} was read")

    monkeypatch.setattr(localedata, "load", refuse)


def test_every_language_formats_as_with_the_full_data(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    languages = _languages(library)
    cold = {tag: _formatted(_fresh(tag)) for tag in languages}  # each subset built and cached
    assert all(isinstance(parse_locale(tag), babeldata.LeanLocale) for tag in languages)
    full = {tag: _formatted(_full(tag)) for tag in languages}
    _refuse_full_loads(monkeypatch)
    cached = {tag: _formatted(_fresh(tag)) for tag in languages}
    assert cold == full
    assert cached == full
    assert full["fr"][-1] == "3–4" and "26 novembre 2026" in full["fr"]


def test_a_key_not_kept_reads_the_full_data() -> None:
    _formatted(_fresh("fr"))
    locale = _fresh("fr")
    assert locale.languages["de"] == "allemand"
    assert locale.get_display_name("en") == "French"
    units = locale._data["unit_patterns"]
    assert "length-meter" in units
    assert len(units) == len(_full("fr")._data["unit_patterns"])
    assert units["duration-hour"]["long"]["other"] == "{0}\u00a0heures"


def test_a_corrupt_cache_gives_the_full_data() -> None:
    expected = _formatted(_full("de"))
    _formatted(_fresh("de"))
    written = list((cache_dir() / "derived").glob("*.pickle"))
    assert written
    for path in written:
        path.write_bytes(b"\x80\x05not a pickle")
    assert _formatted(_fresh("de")) == expected


def test_a_cached_value_of_another_shape_gives_the_full_data(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _formatted(_full("es"))
    monkeypatch.setattr(babeldata, "derived_from_files", lambda *args: "not a dict")
    assert _formatted(_fresh("es")) == expected
    monkeypatch.setattr(babeldata, "derived_from_files", lambda *args: {"unit_patterns": "not a dict"})
    assert _formatted(_fresh("es")) == expected
