"""Read a FHIR Bundle (as rxstretch writes it, or as a records system sends it) into a Prescription.

Takes the CarePlan, its ServiceRequests, the Patient, the Practitioner and the Conditions;
DetectedIssues with a mitigation become overrides. Every problem is located in the Bundle
(``file: entry[3].resource.code: ...``); nothing is dropped silently: a resource rxstretch does
not read is an error, except those it writes to describe its own output (DocumentReference,
Provenance, Organization).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rxstretch import MAX_REPS, MAX_SETS
from rxstretch.errors import Problem, ValidationError, did_you_mean
from rxstretch.fhir import codes
from rxstretch.loaders.matching import describe_unmatched, match_condition
from rxstretch.model import (
    SIDES,
    Clinician,
    Frequency,
    Library,
    Override,
    Patient,
    PrescribedExercise,
    Prescription,
)
from rxstretch.prescription import MAX_NOTE_CHARS
from rxstretch.prescription.quantities import (
    QuantityError,
    parse_duration,
    parse_frequency,
)

READ = ("Patient", "Practitioner", "Condition", "CarePlan", "ServiceRequest", "DetectedIssue")
# Written by rxstretch about its own output; read back as nothing, on purpose.
DESCRIPTIVE = ("Organization", "DocumentReference", "Provenance")
_PERIODS = {"d": "day", "wk": "week"}
_HOLD_UNITS = {"s": 1, "min": 60}
MAX_BUNDLE_BYTES = 20_000_000


@dataclass
class _Entry:
    index: int
    resource: dict[str, Any]

    @property
    def path(self) -> str:
        return f"entry[{self.index}].resource"


@dataclass
class _Walker:
    """One Bundle being read: its entries by reference, and every problem found."""

    source: str
    library: Library
    entries: list[_Entry] = field(default_factory=list)
    by_reference: dict[str, _Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, where, message))

    def resolve(self, reference: Any, where: str, kind: str) -> _Entry | None:
        """The entry a Reference points at, which must be a ``kind`` inside this Bundle."""
        target = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(target, str):
            self.problem(where, f"must be a Reference to a {kind} in the Bundle")
            return None
        entry = self.by_reference.get(target)
        if entry is None:
            self.problem(where, f'"{target}" is not in the Bundle (references must resolve inside it)')
            return None
        if entry.resource.get("resourceType") != kind:
            self.problem(where, f'"{target}" is a {entry.resource.get("resourceType")}, not a {kind}')
            return None
        return entry

    def of_type(self, kind: str) -> list[_Entry]:
        return [e for e in self.entries if e.resource.get("resourceType") == kind]


def read_bundle(data: Any, library: Library, *, source: str = "<bundle>") -> Prescription:
    """Read a parsed Bundle into a Prescription; raise ValidationError with every problem."""
    walker = _Walker(source, library)
    prescription = _read(data, walker)
    if walker.problems or prescription is None:
        raise ValidationError(walker.problems or [Problem(source, None, "", "no prescription found")])
    return prescription


def _read(data: Any, walker: _Walker) -> Prescription | None:
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        walker.problem("resourceType", "must be a FHIR Bundle")
        return None
    if data.get("type") not in ("collection", "transaction", "document", "message"):
        walker.problem("type", f'"{data.get("type")}" is not a Bundle type rxstretch reads')
    if not isinstance(data.get("entry"), list):
        walker.problem("entry", "must be a list of entries")
        return None
    _index(data["entry"], walker)
    plans = walker.of_type("CarePlan")
    patients = walker.of_type("Patient")
    if len(plans) != 1:
        walker.problem("entry", f"must hold exactly one CarePlan, not {len(plans)}")
    if len(patients) != 1:
        walker.problem("entry", f"must hold exactly one Patient, not {len(patients)}")
    if len(plans) != 1 or len(patients) != 1:
        return None
    plan = plans[0]
    patient = _patient(patients[0], walker)
    exercises, requests = _exercises(plan, walker)
    conditions = tuple(dict.fromkeys(c for e in walker.of_type("Condition") if (c := _condition(e, walker))))
    overrides = tuple(dict.fromkeys(_overrides(requests, walker)))
    res = plan.resource
    if patient is None or not exercises:
        if not exercises:
            walker.problem(f"{plan.path}.activity", "list at least one ServiceRequest")
        return None
    return Prescription(
        patient=patient,
        exercises=exercises,
        language=_text(res, "language", plan.path, walker, required=False),
        date=_date(res.get("created"), f"{plan.path}.created", walker),
        clinician=_clinician(res, plan.path, walker),
        conditions=conditions,
        overrides=overrides,
        notes=_note(res, plan.path, walker),
        follow_up=_date((res.get("period") or {}).get("end"), f"{plan.path}.period.end", walker),
        source=walker.source,
    )


def _index(entries: list[Any], walker: _Walker) -> None:
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            walker.problem(f"entry[{index}].resource", "must be a resource")
            continue
        kind = resource.get("resourceType")
        if kind not in READ + DESCRIPTIVE:
            walker.problem(
                f"entry[{index}].resource.resourceType",
                f"{kind} is not supported: rxstretch reads {', '.join(READ)}",
            )
            continue
        item = _Entry(index, resource)
        walker.entries.append(item)
        if isinstance(entry.get("fullUrl"), str):
            walker.by_reference[entry["fullUrl"]] = item
        if isinstance(resource.get("id"), str):
            walker.by_reference[f"{kind}/{resource['id']}"] = item


def _text(res: dict[str, Any], key: str, path: str, walker: _Walker, *, required: bool = True) -> str | None:
    value = res.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        walker.problem(f"{path}.{key}", "must be non-empty text")
        return None
    return value


def _date(value: Any, where: str, walker: _Walker) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        walker.problem(where, f'"{value}" is not a date (YYYY-MM-DD)')
        return None


def _note(res: dict[str, Any], path: str, walker: _Walker) -> str | None:
    notes = res.get("note") or []
    texts = [str(n["text"]) for n in notes if isinstance(n, dict) and isinstance(n.get("text"), str)]
    text = "\n".join(texts) or None
    if text is not None and len(text) > MAX_NOTE_CHARS:
        walker.problem(f"{path}.note", f"is longer than {MAX_NOTE_CHARS} characters")
        return None
    return text


def _human_name(res: dict[str, Any], path: str, walker: _Walker) -> str | None:
    names = res.get("name")
    first = names[0] if isinstance(names, list) and names and isinstance(names[0], dict) else {}
    text = first.get("text") or " ".join([*first.get("given", []), first.get("family", "")]).strip()
    if not text:
        walker.problem(f"{path}.name", "needs a name (text, or given and family)")
        return None
    return str(text)


def _patient(entry: _Entry, walker: _Walker) -> Patient | None:
    name = _human_name(entry.resource, entry.path, walker)
    identifiers = [i for i in entry.resource.get("identifier", []) if isinstance(i, dict)]
    ours = [i for i in identifiers if i.get("system") == codes.PATIENT_ID_SYSTEM] or identifiers
    patient_id = ours[0].get("value") if ours else None
    return Patient(name, str(patient_id) if patient_id else None) if name else None


def _clinician(res: dict[str, Any], path: str, walker: _Walker) -> Clinician | None:
    if "author" not in res:
        return None
    entry = walker.resolve(res["author"], f"{path}.author", "Practitioner")
    if entry is None:
        return None
    name = _human_name(entry.resource, entry.path, walker)
    qualification = entry.resource.get("qualification") or [{}]
    title = (qualification[0].get("code") or {}).get("text")
    return Clinician(name, title) if name else None


def _codings(res: dict[str, Any], key: str) -> Iterator[tuple[str, str]]:
    concept = res.get(key)
    for coding in (concept or {}).get("coding", []) if isinstance(concept, dict) else []:
        if isinstance(coding, dict) and isinstance(coding.get("code"), str):
            yield str(coding.get("system")), coding["code"]


def _condition(entry: _Entry, walker: _Walker) -> str | None:
    library = walker.library
    found = list(_codings(entry.resource, "code"))
    for system, code in found:
        if system == codes.CONDITION_SYSTEM and code in library.conditions:
            return code
    for system, code in found:
        if system in (codes.ICD10, codes.SNOMED) and len(match_condition(library, code)) == 1:
            return match_condition(library, code)[0]
    text = (entry.resource.get("code") or {}).get("text")
    if isinstance(text, str) and describe_unmatched(library, text) is None:
        return match_condition(library, text)[0]
    shown = ", ".join(f"{s}|{c}" for s, c in found) or "no coding"
    walker.problem(f"{entry.path}.code", f"{shown}: no condition of the library has this code")
    return None


def _exercises(
    plan: _Entry, walker: _Walker
) -> tuple[tuple[PrescribedExercise, ...], list[tuple[_Entry, str]]]:
    activities = plan.resource.get("activity")
    exercises: list[PrescribedExercise] = []
    requests: list[tuple[_Entry, str]] = []
    for index, activity in enumerate(activities if isinstance(activities, list) else []):
        where = f"{plan.path}.activity[{index}].reference"
        reference = activity.get("reference") if isinstance(activity, dict) else None
        entry = walker.resolve(reference, where, "ServiceRequest")
        if entry is None:
            continue
        item = _prescribed(entry, walker)
        if item is not None:
            exercises.append(item)
            requests.append((entry, item.exercise_id))
    listed = {id(e) for e, _ in requests}
    for entry in walker.of_type("ServiceRequest"):
        if id(entry) not in listed and not walker.problems:
            walker.problem(entry.path, "is not an activity of the CarePlan")
    return tuple(exercises), requests


def exercise_id_of(res: dict[str, Any], path: str, walker: _Walker) -> str | None:
    """The library exercise a ServiceRequest's code names: by rxstretch id, else by a mapped code."""
    library = walker.library
    found = list(_codings(res, "code"))
    for system, code in found:
        if system == codes.EXERCISE_SYSTEM:
            if code in library.exercises:
                return code
            walker.problem(
                f"{path}.code", f'unknown exercise "{code}"{did_you_mean(code, library.exercises)}'
            )
            return None
    mapped = {
        e.id for e in library.exercises.values() for s, c in found if s == codes.SNOMED and c in e.codes
    }
    if len(mapped) == 1:
        return mapped.pop()
    shown = ", ".join(f"{s}|{c}" for s, c in found) or "no coding"
    if mapped:
        walker.problem(
            f"{path}.code", f"{shown} could be {' or '.join(sorted(mapped))}; add the rxstretch code"
        )
    else:
        known = [c for e in library.exercises.values() for c in e.codes]
        hint = did_you_mean(found[0][1], [*library.exercises, *known]) if found else ""
        walker.problem(f"{path}.code", f"{shown}: no exercise of the library has this code{hint}")
    return None


def _prescribed(entry: _Entry, walker: _Walker) -> PrescribedExercise | None:
    res, path = entry.resource, entry.path
    exercise_id = exercise_id_of(res, path, walker)
    dose = {
        part.get("url"): part
        for ext in res.get("extension", [])
        if isinstance(ext, dict) and ext.get("url") == codes.DOSE_EXTENSION
        for part in ext.get("extension", [])
        if isinstance(part, dict)
    }
    where = f"{path}.extension[rxstretch-dose]"
    sets = _integer(dose, "sets", MAX_SETS, where, walker)
    reps = _integer(dose, "reps", MAX_REPS, where, walker)
    hold = _hold(dose.get("hold"), f"{where}.hold", walker)
    side = dose.get("side", {}).get("valueCode")
    if side is not None and side not in SIDES:
        walker.problem(f"{where}.side", f'unknown side "{side}"{did_you_mean(str(side), SIDES)}')
        side = None
    frequency = _frequency(res.get("occurrenceTiming"), f"{path}.occurrenceTiming", walker)
    if exercise_id is None:
        return None
    return PrescribedExercise(exercise_id, sets, reps, hold, frequency, side, _note(res, path, walker))


def _integer(dose: dict[Any, Any], key: str, maximum: int, where: str, walker: _Walker) -> int | None:
    if key not in dose:
        return None
    value = dose[key].get("valueInteger")
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= maximum:
        walker.problem(f"{where}.{key}", f"must be a valueInteger from 1 to {maximum}")
        return None
    return value


def _hold(part: Any, where: str, walker: _Walker) -> int | None:
    if part is None:
        return None
    duration = part.get("valueDuration") or {}
    value, unit = duration.get("value"), duration.get("code") or duration.get("unit")
    if not isinstance(value, int | float) or unit not in _HOLD_UNITS:
        walker.problem(where, "must be a valueDuration in s or min")
        return None
    try:
        return parse_duration(round(value * _HOLD_UNITS[unit]))
    except QuantityError as exc:
        walker.problem(where, str(exc))
        return None


def _frequency(timing: Any, where: str, walker: _Walker) -> Frequency | None:
    if timing is None:
        return None
    repeat = timing.get("repeat") if isinstance(timing, dict) else None
    if not isinstance(repeat, dict):
        walker.problem(where, "needs repeat: {frequency, period: 1, periodUnit: d or wk}")
        return None
    unit, period, count = repeat.get("periodUnit"), repeat.get("period", 1), repeat.get("frequency")
    if unit not in _PERIODS or period != 1 or not isinstance(count, int):
        walker.problem(f"{where}.repeat", "rxstretch reads a frequency per 1 d or per 1 wk")
        return None
    try:
        return parse_frequency(f"{count}/{_PERIODS[unit]}")
    except QuantityError as exc:
        walker.problem(f"{where}.repeat.frequency", str(exc))
        return None


def _overrides(requests: list[tuple[_Entry, str]], walker: _Walker) -> Iterator[Override]:
    """A DetectedIssue with a mitigation is an override: its exercise, condition and reason."""
    exercise_of = {id(entry.resource): exercise_id for entry, exercise_id in requests}
    for issue in walker.of_type("DetectedIssue"):
        res, path = issue.resource, issue.path
        if not res.get("mitigation"):
            continue  # a caution: the library says so again when the handout is made
        reason = ((res["mitigation"][0] or {}).get("action") or {}).get("text")
        if not isinstance(reason, str) or not reason.strip():
            walker.problem(f"{path}.mitigation[0].action.text", "an override needs its reason")
            continue
        implicated = [
            walker.resolve(r, f"{path}.implicated[{i}]", "ServiceRequest")
            for i, r in enumerate(res.get("implicated", []))
        ]
        evidence = [d for ev in res.get("evidence", []) for d in ev.get("detail", [])]
        conditions = [walker.resolve(d, f"{path}.evidence.detail", "Condition") for d in evidence]
        for request in implicated:
            for condition in conditions:
                if request is None or condition is None:
                    continue
                condition_id = _condition(condition, walker)
                exercise_id = exercise_of.get(id(request.resource))
                if exercise_id and condition_id:
                    yield Override(exercise_id, condition_id, reason)
