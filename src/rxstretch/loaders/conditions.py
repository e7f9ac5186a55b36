"""Read the conditions vocabulary (library/conditions.yaml) and check how conditions relate.

Each condition has names and synonyms per language, ICD-10 and SNOMED CT codes (one or a list),
and optionally: ``red_flag``, ``implies`` (other conditions whose rules apply too),
``qualifiers`` (values that change the rules, such as a hip replacement's surgical approach,
each with the phrases that say it per language), ``recent_weeks`` (the protected period) and
``past`` (phrases naming the condition once that period is over). Matching what a clinician
types to a condition is in :mod:`rxstretch.loaders.matching`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rxstretch.errors import Problem, did_you_mean
from rxstretch.loaders.codes import ICD10_PATTERN, SNOMED_PATTERN
from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.yamlio import LocatedList, LocatedMap
from rxstretch.model import Condition

_FIELDS = (
    "names",
    "synonyms",
    "icd10",
    "snomed",
    "red_flag",
    "implies",
    "qualifiers",
    "recent_weeks",
    "past",
)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Words the condition parser reads itself (``weeks=6``, ``since=2026-11-02``, ``past``).
RESERVED_QUALIFIERS = ("weeks", "since", "past")
MAX_RECENT_WEEKS = 520


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
            found[condition_id] = _read_condition(condition_id, node, reader, doc.line_of(condition_id))
    return found


def _read_condition(condition_id: str, node: LocatedMap, reader: Reader, line: int | None) -> Condition:
    names = reader.names(node.get("names"), join_path(condition_id, "names"), node.line_of("names"))
    synonyms = _phrases(reader, node, "synonyms", condition_id)
    icd10 = _codes(reader, node, condition_id, "icd10", ICD10_PATTERN, "an ICD-10 code such as M51.2")
    snomed = _codes(reader, node, condition_id, "snomed", SNOMED_PATTERN, "a SNOMED CT concept id")
    red_flag = reader.typed(node, "red_flag", condition_id, bool) is True
    implies = reader.texts(node, "implies", condition_id) if "implies" in node else ()
    recent_weeks = (
        reader.integer(node, "recent_weeks", condition_id, minimum=1, maximum=MAX_RECENT_WEEKS)
        if "recent_weeks" in node
        else None
    )
    past = _phrases(reader, node, "past", condition_id)
    if past and recent_weeks is None:
        reader.problem(node.line_of("past"), join_path(condition_id, "past"), "needs recent_weeks")
    return Condition(
        condition_id,
        names,
        synonyms,
        icd10,
        snomed,
        red_flag,
        implies=implies,
        qualifiers=_qualifiers(reader, node, condition_id),
        recent_weeks=recent_weeks,
        past=past,
        origin=reader.source,
        line=line,
    )


def _phrases(reader: Reader, node: LocatedMap, key: str, path: str) -> dict[str, tuple[str, ...]]:
    """``{en: [...], fr: [...]}``: phrases per language."""
    if key not in node:
        return {}
    here = join_path(path, key)
    table = reader.free_mapping(node[key], here, line=node.line_of(key))
    if table is None:
        return {}
    return {language: reader.texts(table, language, here) for language in reader.language_keys(table, here)}


def _codes(
    reader: Reader, node: LocatedMap, path: str, key: str, pattern: re.Pattern[str], what: str
) -> tuple[str, ...]:
    """One code, or a list of them."""
    if key not in node:
        return ()
    if isinstance(node[key], LocatedList):
        codes = reader.texts(node, key, path)
    else:
        code = reader.text(node, key, path)
        codes = (code,) if code is not None else ()
    for code in codes:
        if not pattern.match(code):
            reader.problem(node.line_of(key), join_path(path, key), f'"{code}" is not {what}')
    return tuple(code for code in codes if pattern.match(code))


def _qualifiers(
    reader: Reader, node: LocatedMap, path: str
) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """``qualifiers: {approach: {posterior: {en: [...], ...}, anterior: {...}}}``."""
    if "qualifiers" not in node:
        return {}
    here = join_path(path, "qualifiers")
    table = reader.free_mapping(node["qualifiers"], here, line=node.line_of("qualifiers"))
    found: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    if table is None:
        return found
    for qualifier, values in table.items():
        at = join_path(here, str(qualifier))
        if not isinstance(qualifier, str) or not _ID.match(qualifier) or qualifier in RESERVED_QUALIFIERS:
            reserved = ", ".join(RESERVED_QUALIFIERS)
            reader.problem(table.line_of(qualifier), at, f"use lowercase letters and hyphens, not {reserved}")
            continue
        value_table = reader.free_mapping(values, at, line=table.line_of(qualifier))
        found[qualifier] = {}
        if value_table is None:
            continue
        for value in value_table:
            if not isinstance(value, str) or not _ID.match(value):
                reader.problem(value_table.line_of(value), join_path(at, str(value)), "use lowercase letters")
                continue
            found[qualifier][value] = _phrases(reader, value_table, value, at)
    return found


def check_relations(conditions: Mapping[str, Condition]) -> list[Problem]:
    """Problems of ``implies`` across the merged libraries: unknown ids and cycles."""
    problems: list[Problem] = []
    for condition in conditions.values():
        for implied in condition.implies:
            if implied not in conditions:
                hint = did_you_mean(implied, conditions)
                problems.append(
                    Problem(
                        condition.origin,
                        condition.line,
                        join_path(condition.id, "implies"),
                        f'unknown condition "{implied}"{hint}',
                    )
                )
    reported: set[frozenset[str]] = set()
    for condition in conditions.values():
        cycle = _cycle_from(condition.id, conditions)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            problems.append(
                Problem(
                    condition.origin,
                    condition.line,
                    join_path(condition.id, "implies"),
                    f"implies itself through {' → '.join((*cycle, cycle[0]))}; remove one of these",
                )
            )
    return problems


def _cycle_from(start: str, conditions: Mapping[str, Condition]) -> tuple[str, ...]:
    """The cycle through ``start`` along ``implies``, or () if there is none."""
    path = [start]
    seen = {start}

    def walk(current: str) -> bool:
        for implied in conditions[current].implies if current in conditions else ():
            if implied == start:
                return True
            if implied not in seen:
                seen.add(implied)
                path.append(implied)
                if walk(implied):
                    return True
                path.pop()
        return False

    return tuple(path) if walk(start) else ()
