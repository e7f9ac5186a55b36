"""Match ICD-10 and SNOMED CT codes to conditions the way a clinical coder would.

An ICD-10 code (WHO or ICD-10-CM) names its category and every subcode below it, so a condition
listing M17 accepts M17.1 and M171; where several listed codes fit, the most specific one
decides (M54.16 is lumbar radiculopathy even if a condition lists M54). A code broader than
the listed codes of two or more conditions (M54.1: radiculopathy at any level) names none of
them: the clinician is asked which one is meant. SNOMED CT ids match exactly: their hierarchy is
not in the id. Suggestions for a code never come from spelling: only conditions coded in the
same three-character ICD-10 category are proposed, so a busy clinician is never offered a
condition of another body region.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rxstretch.model import Condition
from rxstretch.model.frozen import frozen

# As written in a conditions file: category, then an optional dot and up to 4 characters.
ICD10_PATTERN = re.compile(r"^[A-Z][0-9]{2}(?:\.[0-9A-Z]{1,4})?$")
SNOMED_PATTERN = re.compile(r"^[1-9][0-9]{5,17}$")
# As typed or exported: any case, with or without the dot, ICD-10-CM's 7th character included.
_ICD10_INPUT = re.compile(r"^[A-Za-z][0-9]{2}(?:\.?[0-9A-Za-z]{1,5})?$")


def icd10_key(code: str) -> str:
    """The form ICD-10 codes are compared in: capitals, no dot (``m17.1`` → ``M171``)."""
    return code.strip().upper().replace(".", "")


def code_kind(text: str) -> str | None:
    """Return "icd10" or "snomed" when ``text`` is shaped like such a code, else None."""
    bare = text.strip()
    if SNOMED_PATTERN.match(bare):
        return "snomed"
    if _ICD10_INPUT.match(bare):
        return "icd10"
    return None


@frozen
class CodeMatch:
    """What a code names: ``found`` holds one condition id, or several when it is ambiguous;
    ``broader`` holds the conditions whose codes it is broader than (one: not matched)."""

    found: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()


def match_code(conditions: Mapping[str, Condition], text: str) -> CodeMatch:
    """Return the conditions the ICD-10 or SNOMED CT code ``text`` names."""
    kind = code_kind(text)
    if kind == "snomed":
        return CodeMatch(tuple(c.id for c in conditions.values() if text.strip() in c.snomed))
    if kind is None:
        return CodeMatch()
    key = icd10_key(text)
    listed = [(icd10_key(code), c.id) for c in conditions.values() for code in c.icd10]
    above = [(code, cid) for code, cid in listed if key.startswith(code)]
    if above:
        longest = max(len(code) for code, _ in above)
        return CodeMatch(_unique(cid for code, cid in above if len(code) == longest))
    below = _unique(cid for code, cid in listed if code.startswith(key))
    if len(below) > 1:
        return CodeMatch(found=below)
    return CodeMatch(broader=below)


def explain_code(conditions: Mapping[str, Condition], text: str) -> str | None:
    """Say why the code ``text`` names no single condition; None when it names exactly one."""
    match = match_code(conditions, text)
    if len(match.found) == 1:
        return None
    if match.found:
        options = " or ".join(f"{cid} ({_codes(conditions[cid])})" for cid in match.found)
        return f'"{text}" could mean {options}; write the condition id, or the code that says which'
    if match.broader:
        (cid,) = match.broader
        return (
            f'"{text}" is broader than the codes of {cid} ({_codes(conditions[cid])}); '
            f"write {cid} if that is what is meant"
        )
    system = "SNOMED CT" if code_kind(text) == "snomed" else "ICD-10"
    message = f'no condition of the library has the {system} code "{text}"'
    if system == "ICD-10":
        category = icd10_key(text)[:3]
        near = [
            c for c in conditions.values() if any(icd10_key(code).startswith(category) for code in c.icd10)
        ]
        if near:
            listed = ", ".join(f"{c.id} ({_codes(c)})" for c in near)
            return f"{message}; conditions coded in {category}: {listed}"
    return f"{message}; write the condition's id (lowercase words joined by hyphens) or its name instead"


def _codes(condition: Condition) -> str:
    return ", ".join((*condition.icd10, *condition.snomed))


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
