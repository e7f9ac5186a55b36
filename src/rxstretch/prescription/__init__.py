"""Read a patient's prescription (YAML file or the CLI's quick form) into a Prescription.

Owns: prescription files, the quick form and overrides; quantities.py is the dosage-value
parser and its limits. Must never import render/, records/, batch/, the API or the CLI.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rxstretch import MAX_REPS, MAX_SETS
from rxstretch.errors import Problem, ValidationError, did_you_mean
from rxstretch.i18n import LocaleError, parse_locale
from rxstretch.loaders.matching import (
    ConditionTextError,
    describe_unmatched,
    is_qualified,
    match_condition,
    merge_details,
    parse_condition,
    qualifier_texts,
)
from rxstretch.loaders.reader import Reader, join_path, line_in
from rxstretch.loaders.yamlio import LocatedMap, load_yaml_file
from rxstretch.model import (
    SIDES,
    Clinician,
    Frequency,
    Library,
    Override,
    Patient,
    PatientCondition,
    PrescribedExercise,
    Prescription,
)
from rxstretch.prescription.quantities import (
    QuantityError,
    parse_duration,
    parse_frequency,
)

_TOP_REQUIRED = ("patient", "exercises")
_TOP_OPTIONAL = ("language", "date", "clinician", "conditions", "overrides", "notes", "follow_up")
_EXERCISE_OPTIONAL = ("sets", "reps", "hold", "frequency", "side", "notes", "image")
MAX_NOTE_CHARS = 20_000  # about six pages of notes; documented in the README


def load_prescription_file(path: Path, library: Library) -> Prescription:
    """Load and validate the prescription at ``path`` against ``library``."""
    data = load_yaml_file(path)
    reader = Reader(str(path))
    prescription = read_prescription(data, reader, library)
    reader.raise_if_problems()
    assert prescription is not None
    return prescription


def read_prescription(data: Any, reader: Reader, library: Library) -> Prescription | None:
    """Build a Prescription from parsed YAML, recording every problem in ``reader``."""
    doc = reader.mapping(data, "", line=1, required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    if doc is None:
        return None
    patient = _read_patient(doc, reader)
    clinician = _read_clinician(doc, reader) if "clinician" in doc else None
    language = read_language(doc, reader) if "language" in doc else None
    date = _read_date(doc, "date", reader)
    follow_up = _read_date(doc, "follow_up", reader)
    details = _read_conditions(doc, reader, library) if "conditions" in doc else ()
    exercises = tuple(
        prescribed
        for path, node in reader.mapping_items(
            doc, "exercises", "", optional=("id", "program", *_EXERCISE_OPTIONAL)
        )
        for prescribed in _read_line(node, path, reader, library)
    )
    if isinstance(doc.get("exercises"), list) and not doc["exercises"]:
        reader.problem(doc.line_of("exercises"), "exercises", "list at least one exercise")
    overrides = _read_overrides(doc, reader, library)
    notes = _note(reader, doc, "notes", "") if "notes" in doc else None
    if reader.problems or patient is None:
        return None
    return Prescription(
        patient=patient,
        exercises=exercises,
        language=language,
        date=date,
        clinician=clinician,
        conditions=tuple(d.condition for d in details),
        overrides=overrides,
        notes=notes,
        follow_up=follow_up,
        source=reader.source,
        condition_details=tuple(d for d in details if is_qualified(d)),
    )


def _note(reader: Reader, container: Any, key: str | int, path: str) -> str | None:
    text = reader.text(container, key, path)
    if text is not None and len(text) > MAX_NOTE_CHARS:
        reader.problem(
            line_in(container, key),
            join_path(path, key),
            f"is longer than {MAX_NOTE_CHARS} characters",
        )
        return None
    return text


def _read_patient(doc: LocatedMap, reader: Reader) -> Patient | None:
    node = reader.section(
        doc,
        "patient",
        "",
        required=("name",),
        optional=("id",),
    )
    if node is None:
        return None
    name = _note(reader, node, "name", "patient")
    patient_id = reader.text(node, "id", "patient") if "id" in node else None
    return Patient(name, patient_id) if name is not None else None


def _read_clinician(doc: LocatedMap, reader: Reader) -> Clinician | None:
    node = reader.section(
        doc,
        "clinician",
        "",
        required=("name",),
        optional=("title",),
    )
    if node is None:
        return None
    name = reader.text(node, "name", "clinician")
    title = reader.text(node, "title", "clinician") if "title" in node else None
    return Clinician(name, title) if name is not None else None


def read_language(doc: LocatedMap, reader: Reader) -> str | None:
    """The ``language:`` of a document, checked against CLDR."""
    language = reader.text(doc, "language", "")
    if language is None:
        return None
    try:
        parse_locale(language)
    except LocaleError as exc:
        reader.problem(doc.line_of("language"), "language", str(exc))
        return None
    return language


def _read_date(doc: LocatedMap, key: str, reader: Reader) -> datetime.date | None:
    if key not in doc:
        return None
    value = doc[key]
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        reader.problem(doc.line_of(key), key, f'"{value}" is not a date; write it as YYYY-MM-DD')
        return None


def _read_conditions(doc: LocatedMap, reader: Reader, library: Library) -> tuple[PatientCondition, ...]:
    """Read the patient's conditions: each an id, a name or synonym, or a code, optionally with
    qualifiers (``recent-hip-replacement:posterior``), or a mapping
    ``{condition: ..., approach: posterior, since: 2026-11-02}``."""
    found: list[PatientCondition] = []
    container = doc["conditions"]
    for index, item, path in reader.items(doc, "conditions", ""):
        if isinstance(item, LocatedMap):
            detail = _condition_mapping(reader, item, path, library)
        else:
            detail = _condition_detail(reader, container, index, "conditions", library)
        if detail is not None:
            found.append(detail)
    return merge_details(found)


def _condition_mapping(
    reader: Reader, node: LocatedMap, path: str, library: Library
) -> PatientCondition | None:
    text = reader.text(node, "condition", path) if "condition" in node else None
    if text is None:
        reader.problem(node.line, join_path(path, "condition"), "is required (an id, a name or a code)")
        return None
    try:
        extra = qualifier_texts({str(k): v for k, v in node.items() if k != "condition"})
        return parse_condition(library, text, extra)
    except ConditionTextError as exc:
        reader.problem(node.line, path, str(exc))
        return None


def _condition_detail(
    reader: Reader, container: Any, key: str | int, path: str, library: Library
) -> PatientCondition | None:
    """The qualified condition the text at ``key`` names, recording a problem if none."""
    text = reader.text(container, key, path)
    if text is None:
        return None
    try:
        return parse_condition(library, text)
    except ConditionTextError as exc:
        reader.problem(line_in(container, key), join_path(path, key), str(exc))
        return None


def _condition(reader: Reader, container: Any, key: str | int, path: str, library: Library) -> str | None:
    """The condition id the text at ``key`` names (an override: qualifiers change nothing)."""
    detail = _condition_detail(reader, container, key, path, library)
    return detail.condition if detail is not None else None


def _read_line(
    node: LocatedMap, path: str, reader: Reader, library: Library
) -> tuple[PrescribedExercise, ...]:
    """A line is one exercise (``id:`` and its dosage) or a whole program (``program:``)."""
    if "program" not in node:
        if "id" not in node:
            reader.problem(node.line, path, "give id (an exercise) or program (a preset of exercises)")
            return ()
        exercise = read_prescribed_exercise(node, path, reader, library)
        return (exercise,) if exercise is not None else ()
    extra = [key for key in node if key != "program"]
    if extra:
        reader.problem(
            node.line_of(extra[0]), join_path(path, extra[0]), "a program line takes only program:"
        )
    program_id = reader.choice(node, "program", path, library.programs, what="program")
    if program_id is None:
        return ()
    # Each expanded exercise points back at the program line, for safety messages.
    return tuple(dataclasses.replace(item, line=node.line) for item in library.programs[program_id].exercises)


def read_prescribed_exercise(
    node: LocatedMap, path: str, reader: Reader, library: Library
) -> PrescribedExercise | None:
    """One exercise with its dosage (a prescription line or a program line)."""
    exercise_id = reader.choice(node, "id", path, library.exercises, what="exercise")
    sets = reader.integer(node, "sets", path, minimum=1, maximum=MAX_SETS) if "sets" in node else None
    reps = reader.integer(node, "reps", path, minimum=1, maximum=MAX_REPS) if "reps" in node else None
    hold = _quantity(reader, node, "hold", path, parse_duration) if "hold" in node else None
    frequency = _quantity(reader, node, "frequency", path, parse_frequency) if "frequency" in node else None
    side = reader.choice(node, "side", path, SIDES, what="side") if "side" in node else None
    notes = _note(reader, node, "notes", path) if "notes" in node else None
    image = _image(reader, node, path) if "image" in node else None
    if exercise_id is None:
        return None
    return PrescribedExercise(exercise_id, sets, reps, hold, frequency, side, notes, node.line, image)  # type: ignore[arg-type]


def _image(reader: Reader, node: LocatedMap, path: str) -> Path | None:
    """A photo for this line, relative to the prescription file (checked by Pillow when drawn)."""
    text = reader.text(node, "image", path)
    if text is None:
        return None
    image = (Path(reader.source).parent / Path(text).expanduser()).resolve()
    if not image.is_file():
        reader.problem(node.line_of("image"), join_path(path, "image"), f'no image file at "{image}"')
        return None
    return image


def _quantity(reader: Reader, node: LocatedMap, key: str, path: str, parse: Any) -> Any:
    value = node[key]
    if not isinstance(value, str | int) or isinstance(value, bool):
        reader.problem(node.line_of(key), join_path(path, key), f"must be text or a number, not {value!r}")
        return None
    try:
        return parse(value)
    except QuantityError as exc:
        reader.problem(node.line_of(key), join_path(path, key), str(exc))
        return None


def _read_overrides(doc: LocatedMap, reader: Reader, library: Library) -> tuple[Override, ...]:
    found: list[Override] = []
    for path, node in reader.mapping_items(
        doc, "overrides", "", required=("exercise", "condition", "reason")
    ):
        exercise = reader.choice(node, "exercise", path, library.exercises, what="exercise")
        condition = _condition(reader, node, "condition", path, library)
        reason = reader.text(node, "reason", path)
        if exercise and condition and reason:
            found.append(Override(exercise, condition, reason))
    return tuple(found)


def quick_prescription(
    library: Library,
    *,
    exercise_ids: Sequence[str],
    patient: str,
    sets: int | None = None,
    reps: int | None = None,
    hold: str | None = None,
    frequency: str | None = None,
    language: str | None = None,
    date: datetime.date | None = None,
    notes: str | None = None,
    conditions: Sequence[str] = (),
) -> Prescription:
    """Build a prescription from command-line values: the same dosage for every exercise."""
    source = "command line"
    problems: list[Problem] = []

    def parsed(option: str, value: str | None, parse: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except QuantityError as exc:
            problems.append(Problem(source, None, option, str(exc)))
            return None

    hold_seconds = parsed("--hold", hold, parse_duration)
    how_often: Frequency | None = parsed("--frequency", frequency, parse_frequency)
    for exercise_id in exercise_ids:
        if exercise_id not in library.exercises:
            hint = did_you_mean(exercise_id, library.exercises)
            problems.append(Problem(source, None, "--exercise", f'unknown exercise "{exercise_id}"{hint}'))
    if not patient.strip():
        problems.append(Problem(source, None, "--patient", "must not be empty"))
    details: list[PatientCondition] = []
    for text in conditions:
        try:
            details.append(parse_condition(library, text))
        except ConditionTextError as exc:
            problems.append(Problem(source, None, "--condition", str(exc)))
    if problems:
        raise ValidationError(problems)
    merged = merge_details(details)
    exercises = tuple(
        PrescribedExercise(exercise_id, sets=sets, reps=reps, hold=hold_seconds, frequency=how_often)
        for exercise_id in exercise_ids
    )
    return Prescription(
        patient=Patient(patient.strip()),
        exercises=exercises,
        language=language,
        date=date,
        notes=notes,
        conditions=tuple(d.condition for d in merged),
        source=source,
        condition_details=tuple(d for d in merged if is_qualified(d)),
    )


def with_overrides(
    prescription: Prescription, library: Library, allow: Sequence[str], reason: str
) -> Prescription:
    """Add ``--allow EXERCISE:CONDITION`` overrides, all with the same ``reason``."""
    problems: list[Problem] = []
    added: list[Override] = []
    for value in allow:
        exercise_id, colon, condition_text = value.partition(":")
        if not colon:
            problems.append(Problem("command line", None, "--allow", f'"{value}": write EXERCISE:CONDITION'))
            continue
        if exercise_id not in library.exercises:
            hint = did_you_mean(exercise_id, library.exercises)
            problems.append(
                Problem("command line", None, "--allow", f'unknown exercise "{exercise_id}"{hint}')
            )
        problem = describe_unmatched(library, condition_text)
        if problem is not None:
            problems.append(Problem("command line", None, "--allow", problem))
        elif exercise_id in library.exercises:
            added.append(Override(exercise_id, match_condition(library, condition_text)[0], reason))
    if problems:
        raise ValidationError(problems)
    return dataclasses.replace(prescription, overrides=(*prescription.overrides, *added))
