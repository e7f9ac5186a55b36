"""Parsed TrueType faces kept in the per-user cache, so a cold start does not parse them again.

ReportLab parses a face (its cmap, widths, glyph offsets: about 10 ms for DejaVu Sans) every
time a process registers it. What the parse computes depends only on the file and on ReportLab,
so it is kept, keyed by the file's path, size and modification time, rxstretch's version and
ReportLab's. The big tables are kept as arrays of machine numbers, much faster to load than
pickled dictionaries of Python ints and floats; the file's bytes are read again (cheap).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from itertools import chain, groupby
from pathlib import Path
from typing import Any

from reportlab import Version
from reportlab.pdfbase.ttfonts import TTFontFace

from rxstretch.render.internals import face_attributes, restored_face
from rxstretch.resources.usercache import derived_from_files

# Change when the packed form below changes.
LAYOUT = 1
CACHE_NAME = f"truetype-face-{LAYOUT}-reportlab-{Version}"


def load_face(path: Path) -> TTFontFace:
    """The face in the TrueType file ``path``, as ``TTFontFace(str(path))`` parses it."""
    if not path.is_file():  # ReportLab looks for it on its own search path: nothing to key by
        return TTFontFace(str(path))
    parsed: list[TTFontFace] = []

    def parse() -> dict[str, Any]:
        parsed.append(TTFontFace(str(path)))
        return {name: _packed(value) for name, value in face_attributes(parsed[0]).items()}

    packed = derived_from_files(CACHE_NAME, [path], parse)
    if parsed:
        return parsed[0]
    try:
        attributes = {name: _unpacked(value) for name, value in packed.items()}
    except (AttributeError, LookupError, TypeError, ValueError):  # not what this layout writes
        return TTFontFace(str(path))
    attributes["filename"] = str(path)  # as ReportLab names a file it opens (the key is its real path)
    return restored_face(attributes, path.read_bytes())


# A packed value is a tuple whose first item says how to unpack the rest:
# ("=", value) as it was; ("list", column); ("pairs", column, column) for a list of 2-tuples;
# ("dict", keys, values); ("lists", keys, firsts, rest) for a dict of non-empty lists.
# A column is a tuple of runs: arrays of machine ints or float64 for runs of ints or floats (ReportLab
# mixes them: scaled and unscaled widths), lists for anything else.
Column = tuple[Sequence[Any], ...]


def _run(kind: type, items: list[Any]) -> Sequence[Any]:
    if kind is float:
        return array("d", items)
    if kind is int:
        for code in "BHIq" if min(items) >= 0 else "hiq":  # the smallest that holds them all
            try:
                return array(code, items)
            except OverflowError:
                continue
    return items


def _column(items: Iterable[Any]) -> Column:
    return tuple(_run(kind, list(run)) for kind, run in groupby(items, key=type))


def _items(column: Column) -> Iterable[Any]:
    return column[0] if len(column) == 1 else chain.from_iterable(column)


def _packed(value: Any) -> tuple[Any, ...]:
    if type(value) is list:
        if value and all(type(item) is tuple and len(item) == 2 for item in value):
            return ("pairs", _column(a for a, _ in value), _column(b for _, b in value))
        return ("list", _column(value))
    if type(value) is dict and value:
        keys = _column(value)
        if all(type(item) is list and item for item in value.values()):
            rest = {key: items[1:] for key, items in value.items() if len(items) > 1}
            return ("lists", keys, _column(items[0] for items in value.values()), rest)
        return ("dict", keys, _column(value.values()))
    return ("=", value)


def _unpacked(packed: tuple[Any, ...]) -> Any:
    kind = packed[0]
    if kind == "list":
        return list(_items(packed[1]))
    if kind == "pairs":
        return list(zip(_items(packed[1]), _items(packed[2]), strict=True))
    if kind == "dict":
        return dict(zip(_items(packed[1]), _items(packed[2]), strict=True))
    if kind == "lists":
        lists = dict(zip(_items(packed[1]), map(list, zip(_items(packed[2]))), strict=True))
        for key, rest in packed[3].items():
            lists[key].extend(rest)
        return lists
    return packed[1]
