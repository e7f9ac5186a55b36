"""Babel locales that read only the locale data rxstretch formats with, from the user cache.

Babel's first use of a locale unpickles its CLDR files (en.dat and root.dat: 360 KB) and the
global data (470 KB, for the locale's parent) and merges them: about 20 ms of a cold
``rxstretch generate``, for a handful of facts. A LeanLocale instead reads the entries of the
merged data that rxstretch formats with (LEAN_KEYS, LEAN_PARTS: about 10 KB), kept in the
per-user cache while Babel's files are unchanged. Each entry kept is Babel's own merged value;
any other key Babel asks for, a listing or a copy reads the full data, so every answer is
Babel's. Only i18n imports this module.
"""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any

import babel
from babel import Locale, localedata

from rxstretch.resources.usercache import derived_from_files

# What rxstretch.i18n's formatting and resolve's text direction read is kept whole: numbers,
# long dates (eras too: Thai and Latin dates name theirs), day names and the week's first day,
# lists, the plural rule; of the unit patterns (50 of the 60 KB left) only durations.
# tests/test_babeldata.py checks that formatting in every shipped language reads nothing else;
# in all 1,147 locales of Babel 2.19 it gave the same text as the full data, reading no more.
LEAN_KEYS = (
    "character_order",
    "date_formats",
    "days",
    "decimal_formats",
    "eras",
    "list_patterns",
    "months",
    "number_symbols",
    "plural_form",
    "week_data",
)
LEAN_PARTS = {"unit_patterns": ("duration-minute", "duration-second")}


class LeanLocale(Locale):
    """A Babel Locale whose data is the cached lean subset, the full data behind it."""

    @cached_property
    def _data(self) -> localedata.LocaleDataDict:
        if self.modifier:  # Babel may then read another locale's data: leave it to Babel
            return super()._data
        return lean_data(str(self))


@cache
def lean_data(identifier: str) -> localedata.LocaleDataDict:
    """The locale data of ``identifier`` as Babel reads it, backed by the cached subset."""
    try:
        files = _source_files(identifier)
        found = derived_from_files(_cache_name(identifier), files, lambda: _subset(identifier))
    except OSError:  # no data file: the full load raises Babel's own error
        found = {}
    subset = found if isinstance(found, dict) else {}
    kept = {
        key: _Partial(value, partial(_full_entry, identifier, key)) if key in LEAN_PARTS else value
        for key, value in subset.items()
        if key in LEAN_KEYS or (key in LEAN_PARTS and isinstance(value, dict))
    }
    data = _Partial(kept, partial(localedata.load, identifier))
    return localedata.LocaleDataDict(data, base=data)


def _full_entry(identifier: str, key: str) -> Any:
    return localedata.load(identifier)[key]


def _cache_name(identifier: str) -> str:
    # What is kept is in the name, so a change to it never reads an older subset.
    return f"babel {babel.__version__} locale data {identifier}: {LEAN_KEYS} {LEAN_PARTS}"


def _source_files(identifier: str) -> list[Path]:
    """What the merged data of ``identifier`` is read from: its .dat file and its parents' by
    truncation (fr_CA, fr, root), global.dat (which names other parents: en_GB → en_001) and
    the data folder itself, whose time changes when Babel is installed again."""
    parts = identifier.split("_")
    names = ["_".join(parts[:end]) for end in range(len(parts), 0, -1)] + ["root"]
    files = [Path(localedata.resolve_locale_filename(name)) for name in names]
    return [*files, files[-1].parent, Path(babel.__file__).parent / "global.dat"]


def _subset(identifier: str) -> dict[str, Any]:
    """The kept part of Babel's merged data for ``identifier`` (plain dicts, for the cache)."""
    full = localedata.load(identifier)
    subset = {key: full[key] for key in LEAN_KEYS if key in full}
    for key, names in LEAN_PARTS.items():
        if isinstance(full.get(key), dict):  # else (an alias) the whole entry is read in full
            subset[key] = {name: full[key][name] for name in names if name in full[key]}
    return subset


class _Partial(dict[Any, Any]):
    """Some entries of a mapping in Babel's data; any other key, a listing or a copy reads the
    whole mapping from Babel's full data, so every read answers as the full data would.

    A dict, because Babel's LocaleDataDict wraps dicts to resolve aliases in them; it reads
    them with ``[]`` (a missing key reaches ``__missing__``), ``iter`` and ``len``.
    """

    def __init__(self, kept: Mapping[Any, Any], full: Callable[[], Mapping[Any, Any]]) -> None:
        super().__init__(kept)
        self._full = full

    def __missing__(self, key: Any) -> Any:
        return self._full()[key]

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self._full()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())

    def get(self, key: Any, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def keys(self) -> KeysView[Any]:  # type: ignore[override]
        return self._full().keys()

    def values(self) -> ValuesView[Any]:  # type: ignore[override]
        return self._full().values()

    def items(self) -> ItemsView[Any, Any]:  # type: ignore[override]
        return self._full().items()

    def copy(self) -> dict[Any, Any]:
        return dict(self._full())
