"""Turn one flat record (a CSV row or a flat JSON object) into a Prescription.

Cells are read through a :class:`~rxstretch.records.mapping.ColumnMapping`; every problem is recorded
with the record's line and the field it concerns, so a bad row is reported, not fatal.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rxstretch import MAX_REPS, MAX_SETS
from rxstretch.errors import did_you_mean
from rxstretch.i18n import LocaleError, parse_locale
from rxstretch.loaders.matching import (
    ConditionTextError,
    is_qualified,
    match_condition,
    merge_details,
    parse_condition,
    qualifier_texts,
)
from rxstretch.loaders.names import ExerciseMatcher, ProgramMatcher, close_hint
from rxstretch.loaders.reader import Reader
from rxstretch.model import (
    SIDES,
    Clinician,
    Library,
    Override,
    Patient,
    PatientCondition,
    PrescribedExercise,
    Prescription,
    Program,
)
from rxstretch.prescription import MAX_NOTE_CHARS
from rxstretch.prescription.quantities import (
    QuantityError,
    cell_count,
    cell_hold,
    parse_frequency,
)
from rxstretch.records.mapping import ColumnMapping, or_list
from rxstretch.text import header_key

_OVERRIDE = re.compile(
    r"^\s*(?P<exercise>[^/:]+?)\s*/\s*(?P<condition>[^:]+?)\s*:\s*(?P<reason>.+?)\s*$", re.S
)
_OVERRIDE_KEYS = {"exercise", "condition", "reason"}
# Fields that hold one text; a JSON list or object there is a mistake, not a value to print.
_TEXT_FIELDS = ("patient_id", "patient_name", "language", "date", "clinician", "notes", "follow_up")
_DOSAGE_FIELDS = ("sets", "reps", "hold", "frequency", "side", "exercise_notes")


def plural(count: int, noun: str) -> str:
    """Return ``1 exercise`` or ``2 exercises``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def shown(value: Any) -> str:
    """Return a cell value as written: text as is, other JSON values as JSON, not Python reprs."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


_MOST_PIECES_IN_A_NAME = 4
# A time Excel adds after a date: "26/11/2026 00:00:00".
_EXCEL_TIME = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?$")


def _rejoin(pieces: Sequence[str], known: Callable[[str], bool]) -> list[str]:
    """Join adjacent comma-separated pieces that together are a known name, longest first.

    "Shoulder mobility, early phase" is one program title, not two unknown exercises.
    """
    joined: list[str] = []
    start = 0
    while start < len(pieces):
        # No known name has more than a few commas: trying every longer join would make a
        # cell of 600 items take seconds, in the process that reads every record.
        ends = range(min(len(pieces), start + _MOST_PIECES_IN_A_NAME), start + 1, -1)
        end = next((end for end in ends if known(",".join(pieces[start:end]))), start + 1)
        joined.append(",".join(pieces[start:end]))
        start = end
    return joined


class RowReader:
    """Reads flat records into Prescriptions with one mapping and one library."""

    def __init__(self, mapping: ColumnMapping, library: Library) -> None:
        self.mapping = mapping
        self.library = library
        self.exercises = ExerciseMatcher(library)
        self.programs = ProgramMatcher(library)

    def cell(self, fields: Mapping[str, Any], name: str) -> Any:
        """Return the value of field ``name``: text (several columns joined by a space) or a list."""
        values = [fields.get(column) for column in self.mapping.column_for(name)]
        values = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
        if len(values) == 1 and isinstance(values[0], list):
            return values[0]
        return " ".join(shown(v).strip() for v in values) or None

    def items(
        self,
        fields: Mapping[str, Any],
        name: str,
        *,
        known: Callable[[str], bool] | None = None,
        prose: bool = False,
    ) -> list[Any]:
        """Return field ``name`` as a list, split on the list separator when it is text.

        ``known`` tells a name: pieces split on a comma that together are one (a title with a
        comma) stay together. With ``prose`` the default separators leave commas alone.
        """
        value = self.cell(fields, name)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        separator = self.mapping.list_separator
        if separator is None:
            chunks = re.split(r"[;|]", value)
            comma = not (self.mapping.decimal_comma or prose)
        else:
            chunks = [value] if separator == "," else value.split(separator)
            comma = separator == ","
        parts: list[str] = []
        for chunk in chunks:
            pieces = chunk.split(",") if comma else [chunk]
            parts += _rejoin(pieces, known) if known is not None else pieces
        return [part.strip() for part in parts if part.strip()]

    def identity(self, fields: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """Return the patient id and name cells, as found (for names and error reports)."""
        keyed = self._keyed(fields)
        patient_id, name = self.cell(keyed, "patient_id"), self.cell(keyed, "patient_name")
        return (shown(patient_id) if patient_id else None, shown(name) if name else None)

    def prescription(
        self, fields: Mapping[str, Any], reader: Reader, line: int | None
    ) -> Prescription | None:
        """Return the Prescription in ``fields``, or None after recording its problems."""
        reader.problems.extend(self.mapping.check_names(fields, reader.source, line))
        fields = self._keyed(fields, reader, line)
        for text_field in _TEXT_FIELDS:
            if any(isinstance(fields.get(c), list | dict) for c in self.mapping.column_for(text_field)):
                reader.problem(line, text_field, "must be text or a number, not a list or an object")
        patient_id, name = self.identity(fields)
        if not name:
            reader.problem(line, "patient_name", "is empty")
        language = self._language(fields, reader, line)
        exercises = self._exercises(fields, reader, line, language or self.library.default_language)
        conditions = self._conditions(fields, reader, line)
        date = self._date(fields, "date", reader, line)
        follow_up = self._date(fields, "follow_up", reader, line)
        clinician = self.cell(fields, "clinician")
        notes = self._note(fields, "notes", reader, line)
        overrides = self._overrides(fields, reader, line, language or self.library.default_language)
        if reader.problems or not name:
            return None
        return Prescription(
            patient=Patient(name, patient_id),
            exercises=tuple(exercises),
            language=language,
            date=date,
            clinician=Clinician(str(clinician)) if clinician else None,
            conditions=tuple(c.condition for c in conditions),
            overrides=overrides,
            notes=notes,
            follow_up=follow_up,
            source=reader.source,
            condition_details=tuple(c for c in conditions if is_qualified(c)),
        )

    def _keyed(
        self, fields: Mapping[str, Any], reader: Reader | None = None, line: int | None = None
    ) -> dict[str, Any]:
        """Key ``fields`` like CSV headers (case and surrounding spaces ignored): "Sets" is sets.

        Two keys that become one would hide a value: that is recorded in ``reader``.
        """
        keyed: dict[str, Any] = {}
        for key, value in fields.items():
            name = header_key(str(key))
            if name in keyed and reader is not None:
                reader.problem(line, str(key), "is given twice (keys differing only in case)")
            keyed[name] = value
        return keyed

    def _language(self, fields: Mapping[str, Any], reader: Reader, line: int | None) -> str | None:
        language = self.cell(fields, "language") or self.mapping.language
        if language is None:
            return None
        try:
            parse_locale(str(language))
        except LocaleError as exc:
            reader.problem(line, "language", str(exc))
            return None
        return str(language)

    def _note(self, fields: Mapping[str, Any], name: str, reader: Reader, line: int | None) -> str | None:
        note = self.cell(fields, name)
        if note is not None and len(str(note)) > MAX_NOTE_CHARS:
            reader.problem(line, name, f"is longer than {MAX_NOTE_CHARS} characters")
            return None
        return str(note).strip() if note is not None else None

    def _date(
        self, fields: Mapping[str, Any], name: str, reader: Reader, line: int | None
    ) -> datetime.date | None:
        value = self.cell(fields, name)
        if value is None:
            return None
        text = _EXCEL_TIME.sub("", str(value).strip())
        for fmt in (self.mapping.date_format, "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        shown_format = self.mapping.date_format.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")
        reader.problem(line, name, f'"{value}" is not a date written {shown_format}')
        return None

    def _conditions(
        self, fields: Mapping[str, Any], reader: Reader, line: int | None
    ) -> tuple[PatientCondition, ...]:
        """The row's conditions, read like a prescription file's (qualifiers included)."""
        found: list[PatientCondition] = []
        for item in self.items(fields, "conditions", known=self._is_condition):
            text, kind = _item_text(item)
            extra: list[str] = []
            if isinstance(item, Mapping) and isinstance(item.get("condition"), str):
                text, kind = item["condition"], "any"
            if text is None or kind == "program":
                reader.problem(
                    line, "conditions", f'{shown(item)} is not a condition id, name or {{"id": ...}}'
                )
                continue
            try:
                if isinstance(item, Mapping) and "condition" in item:
                    extra = qualifier_texts({str(k): v for k, v in item.items() if k != "condition"})
                found.append(parse_condition(self.library, text, extra))
            except ConditionTextError as exc:
                reader.problem(line, "conditions", str(exc))
        return merge_details(found)

    def _is_condition(self, text: str) -> bool:
        return bool(match_condition(self.library, text))

    def _overrides(
        self, fields: Mapping[str, Any], reader: Reader, line: int | None, language: str
    ) -> tuple[Override, ...]:
        """Read ``exercise / condition: reason`` items (exercise by id or name), or JSON objects."""
        found: list[Override] = []
        for item in self.items(fields, "overrides"):
            if isinstance(item, Mapping) and set(item) == _OVERRIDE_KEYS:
                parts = {key: shown(item[key]) for key in _OVERRIDE_KEYS}
            elif (match := _OVERRIDE.match(shown(item))) is not None:
                parts = match.groupdict()
            else:
                reader.problem(
                    line, "overrides", f'"{shown(item)}" is not written "exercise / condition: reason"'
                )
                continue
            exercise = self.exercises.find(parts["exercise"], language)
            conditions = match_condition(self.library, parts["condition"])
            condition = conditions[0] if len(conditions) == 1 else None
            if exercise is None or condition is None:
                unknown = parts["exercise"] if exercise is None else parts["condition"]
                reader.problem(line, "overrides", f'unknown exercise or condition "{unknown}"')
                continue
            found.append(Override(exercise, condition, parts["reason"]))
        return tuple(found)

    def _exercises(
        self, fields: Mapping[str, Any], reader: Reader, line: int | None, language: str
    ) -> list[PrescribedExercise]:
        """The row's exercises, a program's in its place, each with the row's dosage cells.

        A dosage cell's single value is for every exercise, a program's included (the
        clinician wrote it for this patient); per-exercise values follow the exercises in
        order once programs are expanded. Where a cell is empty a program keeps its own dosage.
        """

        def known(text: str) -> bool:
            return self.programs.find(text) is not None or bool(self.exercises.lookup(text, language))

        listed = self.items(fields, "exercises", known=known)
        if not listed:
            reader.problem(line, "exercises", "list at least one exercise")
        # One entry per exercise; None holds the place of one that could not be read, so that
        # per-exercise values stay aligned with what the clinician wrote.
        slots: list[PrescribedExercise | None] = []
        from_programs: dict[str, int] = {}
        for item in listed:
            program = self._listed_program(item)
            if program is not None:
                slots += program.exercises
                from_programs[program.id] = from_programs.get(program.id, 0) + len(program.exercises)
            else:
                slots.append(self._listed_exercise(item, reader, line, language))
        origin = ", ".join(f"{count} from {program_id}" for program_id, count in from_programs.items())
        described = plural(len(slots), "exercise") + (f" ({origin})" if origin else "")
        dosage = {
            name: self._per_exercise(fields, name, len(slots), described, reader, line, parse)
            for name, parse in (
                ("sets", lambda value: self._whole(value, MAX_SETS)),
                ("reps", lambda value: self._whole(value, MAX_REPS)),
                ("hold", self._hold),
                ("frequency", parse_frequency),
                ("side", self._side),
                ("exercise_notes", _exercise_note),
            )
        }
        exercises = []
        for index, slot in enumerate(slots):
            if slot is None:
                continue
            given = {name: values[index] for name, values in dosage.items() if values[index] is not None}
            note = given.pop("exercise_notes", None)
            if note is not None and slot.notes:
                note = f"{slot.notes}\n{note}"  # a program's own note may be an instruction: keep it
            exercises.append(dataclasses.replace(slot, **given, notes=note or slot.notes, line=line))
        return exercises

    def _listed_program(self, item: Any) -> Program | None:
        text, kind = _item_text(item)
        return self.programs.find(text) if text is not None and kind != "id" else None

    def _listed_exercise(
        self, item: Any, reader: Reader, line: int | None, language: str
    ) -> PrescribedExercise | None:
        """The exercise an item of the exercises list names (it names no program), else None."""
        text, kind = _item_text(item)
        if text is None:
            what = (
                'takes only "id" (or "program"); give its dosage in the record\'s '
                f"{or_list(_DOSAGE_FIELDS)} fields"
                if isinstance(item, Mapping)
                else 'is not an exercise id or name, a program, or {"id": ...}'
            )
            reader.problem(line, "exercises", f"{shown(item)} {what}")
            return None
        if kind == "program":
            hint = close_hint(text, self.programs.choices(language))
            reader.problem(line, "exercises", f'unknown program "{text}"{hint}')
            return None
        found = self.exercises.lookup(text, language)
        if len(found) == 1:
            return PrescribedExercise(found[0])
        if found:
            reader.problem(line, "exercises", f'"{text}" could be {or_list(found)}; write the id')
        else:
            hint = close_hint(text, {**self.exercises.choices(language), **self.programs.choices(language)})
            reader.problem(line, "exercises", f'unknown exercise "{text}"{hint}')
        return None

    def _per_exercise(
        self,
        fields: Mapping[str, Any],
        name: str,
        count: int,
        described: str,
        reader: Reader,
        line: int | None,
        parse: Callable[[Any], Any],
    ) -> Sequence[Any]:
        # Commas never separate dosage values unless the mapping says so: in "1,5" or "1,5 min"
        # a comma is far more often a decimal comma than a list (| and ; still separate).
        values = self.items(fields, name, prose=True)
        if not values:
            return [None] * count
        if len(values) not in (1, count):
            reader.problem(line, name, f"has {len(values)} values for {described}")
            return [None] * count
        parsed = []
        for value in values:
            try:
                parsed.append(parse(value))
            except (QuantityError, ValueError) as exc:
                reader.problem(line, name, str(exc))
                parsed.append(None)
        return parsed * count if len(values) == 1 else parsed  # one value: every exercise's

    def _whole(self, value: Any, maximum: int) -> int:
        return cell_count(value, shown(value), maximum, decimal_comma=self.mapping.decimal_comma)

    def _hold(self, value: Any) -> int:
        return cell_hold(value, shown(value), decimal_comma=self.mapping.decimal_comma)

    def _side(self, value: Any) -> str:
        key = header_key(shown(value))
        side = self.mapping.side_words.get(key, key)
        if side not in SIDES:
            hint = did_you_mean(key, [*SIDES, *self.mapping.side_words])
            raise QuantityError(f'unknown side "{shown(value)}"{hint}')
        return side


def _item_text(item: Any) -> tuple[str | None, str]:
    """Return the text of a list item and what it may name: "any", "id" or "program".

    JSON exports write exercises as ``"bridge"`` or ``{"id": "bridge"}``; ``{"program": ...}``
    is a program, as in prescription files. Anything else gives None.
    """
    if isinstance(item, str):
        return item, "any"
    if isinstance(item, int) and not isinstance(item, bool):
        return str(item), "any"  # a condition's SNOMED CT code
    if isinstance(item, Mapping) and len(item) == 1:
        ((key, value),) = item.items()
        if key in ("id", "program") and isinstance(value, str):
            return value, key
    return None, ""


def _exercise_note(value: Any) -> str:
    note = shown(value).strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValueError(f"is longer than {MAX_NOTE_CHARS} characters")
    return note
