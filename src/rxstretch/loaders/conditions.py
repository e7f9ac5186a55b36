"""The conditions vocabulary (library/conditions.yaml) and matching free text to a condition.

A clinic's records say "hernie discale", "disc prolapse", "M51.2" or "202708005"; all of them
must find the same condition, in any language the library knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rxstretch.errors import closest, suggestion
from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.yamlio import LocatedMap
from rxstretch.model import Condition, Library
from rxstretch.text import fold

ICD10_PATTERN = re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,4})?$")
SNOMED_PATTERN = re.compile(r"^[1-9][0-9]{5,17}$")
_FIELDS = ("names", "synonyms", "icd10", "snomed", "red_flag")


def read_conditions(data: Any, reader: Reader, *, known: Mapping[str, Condition]) -> dict[str, Condition]:
    """Read a conditions file; ids already in ``known`` (an earlier library) are refused."""
    doc = reader.free_mapping(data, "", line=1)
    found: dict[str, Condition] = {}
    if doc is None:
        return found
    for condition_id, entry in doc.items():
        here = str(condition_id)
        if condition_id in known:
            reader.problem(doc.line_of(condition_id), here, "is already defined by an earlier library")
            continue
        node = reader.mapping(
            entry, here, line=doc.line_of(condition_id), required=("names",), optional=_FIELDS
        )
        if node is not None:
            found[condition_id] = _read_condition(condition_id, node, reader)
    return found


def _read_condition(condition_id: str, node: LocatedMap, reader: Reader) -> Condition:
    names = reader.names(node.get("names"), join_path(condition_id, "names"), node.line_of("names"))
    synonyms: dict[str, tuple[str, ...]] = {}
    if "synonyms" in node:
        path = join_path(condition_id, "synonyms")
        table = reader.free_mapping(node["synonyms"], path, line=node.line_of("synonyms"))
        for language in reader.language_keys(table, path) if table is not None else ():
            synonyms[language] = reader.texts(table, language, path)
    icd10 = _code(reader, node, condition_id, "icd10", ICD10_PATTERN, "an ICD-10 code such as M51.2")
    snomed = _code(reader, node, condition_id, "snomed", SNOMED_PATTERN, "a SNOMED CT concept id")
    red_flag = reader.typed(node, "red_flag", condition_id, bool) is True
    return Condition(condition_id, names, synonyms, icd10, snomed, red_flag)


def _code(
    reader: Reader, node: LocatedMap, path: str, key: str, pattern: re.Pattern[str], what: str
) -> str | None:
    if key not in node:
        return None
    code = reader.text(node, key, path)
    if code is not None and not pattern.match(code):
        reader.problem(node.line_of(key), join_path(path, key), f'"{code}" is not {what}')
        return None
    return code


def condition_lookup(conditions: Mapping[str, Condition]) -> dict[str, tuple[str, ...]]:
    """Return folded id, name, synonym or code → the ids of the conditions it names."""
    lookup: dict[str, dict[str, None]] = {}
    for condition in conditions.values():
        keys = [condition.id, *condition.names.values()]
        keys += [synonym for synonyms in condition.synonyms.values() for synonym in synonyms]
        keys += [code for code in (condition.icd10, condition.snomed) if code]
        if condition.icd10:  # "M51.2" is often written "M512"
            keys.append(condition.icd10.replace(".", ""))
        for key in keys:
            lookup.setdefault(fold(key), {})[condition.id] = None
    return {key: tuple(ids) for key, ids in lookup.items()}


def match_condition(library: Library, text: str) -> tuple[str, ...]:
    """Return the ids of the conditions ``text`` names: one, none, or several when ambiguous
    (Z96.6 is any joint implant, for instance)."""
    if text in library.conditions:
        return (text,)
    keys = library.condition_keys or condition_lookup(library.conditions)
    return keys.get(fold(text), ())


def describe_unmatched(library: Library, text: str) -> str | None:
    """Return why ``text`` names no single condition, or None when it names exactly one."""
    found = match_condition(library, text)
    if len(found) == 1:
        return None
    if found:
        return f'"{text}" could mean {" or ".join(found)}; write the condition id instead'
    keys = library.condition_keys or condition_lookup(library.conditions)
    close = closest(fold(text), keys)
    hint = suggestion(keys[close][0]) if close else ""
    return f'unknown condition "{text}"{hint}; use an id, a name, a synonym or an ICD-10 or SNOMED CT code'
