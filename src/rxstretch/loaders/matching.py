"""What a clinician types → a qualified condition of the library.

A records export says "hernie discale", "disc prolapse", "M51.1" or "20021007"; a clinician
types "posterior hip replacement", "recent-hip-replacement:posterior:weeks=5" or
"history of hip replacement". All go through :func:`parse_condition`, in every language the
library knows:

- ``TEXT`` is an id, a name or synonym in any language, an ICD-10 or SNOMED CT code (see
  :mod:`rxstretch.loaders.codes`), or a name with a qualifier phrase in it ("THR posterior
  approach", "prothèse de hanche voie postérieure"), or a ``past`` phrase;
- ``TEXT:QUALIFIER[:QUALIFIER...]`` adds qualifiers, each ``name=value`` or just the value:
  ``approach=posterior`` or ``posterior``; ``weeks=N`` (weeks since onset or surgery);
  ``since=YYYY-MM-DD``; ``past`` (beyond the protected period).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence

from rxstretch.errors import closest, suggestion
from rxstretch.loaders.codes import code_kind, explain_code, match_code
from rxstretch.model import Condition, Library, PatientCondition
from rxstretch.model.frozen import frozen
from rxstretch.text import fold

MAX_WEEKS = 5200
_WEEKS = re.compile(r"^(?:weeks\s*=\s*(\d{1,4})|(\d{1,4})\s*w(?:eeks?)?)$", re.IGNORECASE)
_SINCE = re.compile(r"^(?:since\s*=\s*)?(\d{4}-\d{2}-\d{2})$", re.IGNORECASE)


class ConditionTextError(ValueError):
    """Raised when text names no single condition, or gives qualifiers it cannot have."""


def condition_lookup(conditions: Mapping[str, Condition]) -> dict[str, tuple[str, ...]]:
    """Return folded id, name or synonym → the ids of the conditions it names (codes are
    matched by :mod:`rxstretch.loaders.codes`, not by spelling)."""
    lookup: dict[str, dict[str, None]] = {}
    for condition in conditions.values():
        keys = [condition.id, *condition.names.values()]
        keys += [synonym for synonyms in condition.synonyms.values() for synonym in synonyms]
        for key in keys:
            lookup.setdefault(fold(key), {})[condition.id] = None
    return {key: tuple(ids) for key, ids in lookup.items()}


def parse_condition(
    library: Library, text: str, extra: Sequence[str] = (), *, suggest: bool = True
) -> PatientCondition:
    """Return the qualified condition ``text`` names; ``extra`` are more qualifiers (from a
    mapping in a prescription). Raises ConditionTextError saying what is wrong and what works;
    without ``suggest`` an unknown name gets no "did you mean" (which is slow to find)."""
    head, *qualifiers = text.split(":")
    if not head.strip():
        raise ConditionTextError("a condition is empty; write an id, a name or a code")
    found = _match_head(library, head.strip(), suggest)
    for qualifier in (*qualifiers, *extra):
        found = _qualify(library.conditions[found.condition], found, qualifier.strip())
    return found


def match_condition(library: Library, text: str) -> tuple[str, ...]:
    """Return the ids of the conditions ``text`` names: one, none, or several when ambiguous
    (M54.1 is radiculopathy at any level, for instance)."""
    if text in library.conditions:
        return (text,)
    try:
        return (parse_condition(library, text, suggest=False).condition,)
    except ConditionTextError:
        head = text.split(":")[0].strip()
        if code_kind(head):
            return match_code(library.conditions, head).found
        return _names(library).get(fold(head), ())


def describe_unmatched(library: Library, text: str) -> str | None:
    """Return why ``text`` names no single condition, or None when it names exactly one."""
    try:
        parse_condition(library, text)
    except ConditionTextError as exc:
        return str(exc)
    return None


def format_condition(detail: PatientCondition) -> str:
    """The text that :func:`parse_condition` reads back as ``detail``."""
    parts = [detail.condition, *(f"{key}={value}" for key, value in detail.values.items())]
    if detail.weeks is not None:
        parts.append(f"weeks={detail.weeks}")
    if detail.since is not None:
        parts.append(f"since={detail.since.isoformat()}")
    if detail.past:
        parts.append("past")
    return ":".join(parts)


def _names(library: Library) -> Mapping[str, tuple[str, ...]]:
    return library.condition_keys or condition_lookup(library.conditions)


def _match_head(library: Library, head: str, suggest: bool) -> PatientCondition:
    conditions = library.conditions
    if head in conditions:
        return PatientCondition(head)
    if code_kind(head):
        problem = explain_code(conditions, head)
        if problem is not None:
            raise ConditionTextError(problem)
        return PatientCondition(match_code(conditions, head).found[0])
    folded = fold(head)
    ids = _names(library).get(folded, ())
    if len(ids) == 1:
        return PatientCondition(ids[0])
    if ids:
        raise ConditionTextError(f'"{head}" could mean {" or ".join(ids)}; write the condition id instead')
    phrased = _phrased(library, folded)
    if phrased is not None:
        return phrased
    keys = _names(library)
    close = closest(folded, keys) if suggest else None
    hint = suggestion(keys[close][0]) if close else ""
    raise ConditionTextError(
        f'unknown condition "{head}"{hint}; use an id, a name, a synonym or an ICD-10 or SNOMED CT code'
    )


@frozen
class _Phrases:
    """The folded ``past`` phrases and qualifier phrases of a library's conditions."""

    past: Mapping[str, tuple[str, ...]]
    # (condition id, qualifier, value, its folded phrases, longest first)
    qualifiers: tuple[tuple[str, str, str, tuple[str, ...]], ...]


# Folding every phrase again for each record of a large batch would dominate its time.
_PHRASES: dict[int, tuple[Mapping[str, Condition], _Phrases]] = {}


def _phrases(conditions: Mapping[str, Condition]) -> _Phrases:
    cached = _PHRASES.get(id(conditions))
    if cached is not None and cached[0] is conditions:
        return cached[1]
    past: dict[str, dict[str, None]] = {}
    qualifiers = []
    for condition in conditions.values():
        for phrase in (p for phrases in condition.past.values() for p in phrases):
            past.setdefault(fold(phrase), {})[condition.id] = None
        for qualifier, values in condition.qualifiers.items():
            for value, phrases in values.items():
                folded = sorted(
                    {fold(p) for ps in phrases.values() for p in ps} - {""}, key=len, reverse=True
                )
                qualifiers.append((condition.id, qualifier, value, tuple(folded)))
    found = _Phrases({k: tuple(v) for k, v in past.items()}, tuple(qualifiers))
    if len(_PHRASES) > 8:
        _PHRASES.clear()
    _PHRASES[id(conditions)] = (conditions, found)
    return found


def _phrased(library: Library, folded: str) -> PatientCondition | None:
    """A name said with a qualifier phrase ("posterior hip replacement") or as history."""
    tables = _phrases(library.conditions)
    found: dict[str, PatientCondition] = {}
    for condition_id in tables.past.get(folded, ()):
        past = PatientCondition(condition_id, past=True)
        found[format_condition(past)] = past
    for condition_id, qualifier, value, phrases in tables.qualifiers:
        rest = _without_phrase(folded, phrases)
        if rest is not None and condition_id in _names(library).get(rest, ()):
            qualified = PatientCondition(condition_id, {qualifier: value})
            found[format_condition(qualified)] = qualified
    return next(iter(found.values())) if len(found) == 1 else None


def _without_phrase(folded: str, phrases: tuple[str, ...]) -> str | None:
    """``folded`` with the longest of ``phrases`` that it holds as whole words taken out."""
    padded = f" {folded} "
    for phrase in phrases:
        if f" {phrase} " in padded:
            return " ".join(padded.replace(f" {phrase} ", " ", 1).split())
    return None


def _qualify(condition: Condition, found: PatientCondition, qualifier: str) -> PatientCondition:
    """Add one qualifier (``approach=posterior``, ``posterior``, ``weeks=6``, ``since=...``, ``past``)."""
    if not qualifier:
        raise ConditionTextError(f'an empty qualifier after "{condition.id}:"')
    recency = _recency(condition, found, qualifier)
    if recency is not None:
        return recency
    name, equals, value = (part.strip() for part in qualifier.partition("="))
    candidates = [
        (q, v)
        for q, values in condition.qualifiers.items()
        for v, phrases in values.items()
        if (not equals or fold(name) == q)
        and fold(value if equals else name) in {v, *(fold(p) for ps in phrases.values() for p in ps)}
    ]
    if len(candidates) != 1:
        raise ConditionTextError(f'{condition.id} has no qualifier "{qualifier}"; {_valid(condition)}')
    (key, chosen), *_ = candidates
    if key in found.values and found.values[key] != chosen:
        raise ConditionTextError(f"{condition.id}: {key} is given twice ({found.values[key]}, {chosen})")
    return PatientCondition(
        found.condition, {**found.values, key: chosen}, found.weeks, found.since, found.past
    )


def _recency(condition: Condition, found: PatientCondition, qualifier: str) -> PatientCondition | None:
    """Read ``weeks=N`` (or ``Nw``), ``since=DATE`` and ``past``; None for other qualifiers."""
    weeks, since = _WEEKS.match(qualifier.strip()), _SINCE.match(qualifier.strip())
    past = fold(qualifier) == "past"
    if not (weeks or since or past):
        return None
    if condition.recent_weeks is None:
        raise ConditionTextError(
            f'{condition.id} has no protected period, so "{qualifier}" changes nothing; {_valid(condition)}'
        )
    if weeks:
        number = int(weeks.group(1) or weeks.group(2))
        if number > MAX_WEEKS:
            raise ConditionTextError(f'"{qualifier}": at most {MAX_WEEKS} weeks')
        return PatientCondition(found.condition, found.values, number, found.since, found.past)
    if since:
        try:
            date = datetime.date.fromisoformat(since.group(1))
        except ValueError:
            raise ConditionTextError(f'"{qualifier}" is not a date; write since=YYYY-MM-DD') from None
        return PatientCondition(found.condition, found.values, found.weeks, date, found.past)
    return PatientCondition(found.condition, found.values, found.weeks, found.since, True)


def _valid(condition: Condition) -> str:
    options = [f"{q}={v}" for q, values in condition.qualifiers.items() for v in values]
    if condition.recent_weeks is not None:
        options += ["weeks=N", "since=YYYY-MM-DD", "past"]
    return f"it takes {', '.join(options)}" if options else "it takes no qualifiers"


def qualifier_texts(fields: Mapping[str, object]) -> list[str]:
    """Qualifiers given as a mapping (``{approach: posterior, weeks: 6, past: true}``, as in a
    prescription file or a JSON record) in the text form :func:`parse_condition` reads."""
    found = []
    for key, value in fields.items():
        if key == "past":
            if value is not True:
                raise ConditionTextError(f"past: write true, or leave it out (not {value!r})")
            found.append("past")
        elif isinstance(value, datetime.date):
            found.append(f"{key}={value.isoformat()}")
        elif isinstance(value, str | int) and not isinstance(value, bool):
            found.append(f"{key}={value}")
        else:
            raise ConditionTextError(f"{key}: write a word, a number or a date, not {value!r}")
    return found


def merge_details(details: Sequence[PatientCondition]) -> tuple[PatientCondition, ...]:
    """One entry per condition, the strictest reading of all its mentions: a qualifier that is
    not given alike in every mention becomes unknown (so the rules of every value apply), the
    most recent time wins, and ``past`` needs every mention to say so."""
    merged: dict[str, PatientCondition] = {}
    for detail in details:
        other = merged.get(detail.condition)
        if other is None:
            merged[detail.condition] = detail
            continue
        weeks = [w for w in (detail.weeks, other.weeks) if w is not None]
        since = [s for s in (detail.since, other.since) if s is not None]
        merged[detail.condition] = PatientCondition(
            detail.condition,
            {k: v for k, v in detail.values.items() if other.values.get(k) == v},
            min(weeks) if weeks else None,
            max(since) if since else None,
            detail.past and other.past,
        )
    return tuple(merged.values())


def is_qualified(detail: PatientCondition) -> bool:
    """Whether ``detail`` says more than the bare condition id."""
    return bool(detail.values) or detail.weeks is not None or detail.since is not None or detail.past
