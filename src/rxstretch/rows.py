"""Turn one flat record (a CSV row or a flat JSON object) into a Prescription.

Cells are read through a :class:`~rxstretch.mapping.ColumnMapping`; every problem is recorded
with the record's line and the field it concerns, so a bad row is reported, not fatal.
"""

from __future__ import annotations

import datetime
import importlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rxstretch.errors import ValidationError, did_you_mean
from rxstretch.folding import fold
from rxstretch.i18n import LocaleError, language_candidates, parse_locale
from rxstretch.mapping import ColumnMapping
from rxstretch.model import (
    SIDES,
    Clinician,
    Library,
    Override,
    Patient,
    PrescribedExercise,
    Prescription,
    Program,
)
from rxstretch.prescription import MAX_NOTE_CHARS
from rxstretch.quantities import QuantityError, parse_duration, parse_frequency
from rxstretch.reader import Reader

_DECIMAL = re.compile(r"^\s*(\d+)(?:[.,](\d+))?\s*([a-z]*)\s*$", re.IGNORECASE)
_MINUTES = {"m", "min", "mins", "minute", "minutes"}
_PUNCTUATION = re.compile(r"[^a-z0-9]+")
_OVERRIDE = re.compile(
    r"^\s*(?P<exercise>[^/:]+?)\s*/\s*(?P<condition>[^:]+?)\s*:\s*(?P<reason>.+?)\s*$", re.S
)


def match_key(text: str) -> str:
    """Return the form names are compared in: accents, case and punctuation ignored."""
    return _PUNCTUATION.sub(" ", fold(text)).strip()


def resolve_condition(library: Library, text: str) -> tuple[str, ...]:
    """Return the ids of the conditions ``text`` names: one, none, or several if ambiguous.

    The one place free text becomes a condition id. The library's own matcher
    (``match_condition`` in rxstretch.conditions or rxstretch.safety: names, synonyms, codes)
    is used when it exists; otherwise ids are matched ignoring case and accents.
    """
    for module_name in ("rxstretch.conditions", "rxstretch.safety"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        matcher: Callable[[Library, str], Any] | None = getattr(module, "match_condition", None)
        if matcher is not None:
            found = matcher(library, text.strip())
            return (found,) if isinstance(found, str) else tuple(found or ())
    wanted = match_key(text).replace(" ", "-")
    return tuple(cid for cid in library.conditions if match_key(cid).replace(" ", "-") == wanted)


class ExerciseMatcher:
    """Finds an exercise by id or by its name in a language, ignoring case and accents."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._by_language: dict[str, dict[str, str]] = {}

    def _names(self, language: str) -> dict[str, str]:
        if language not in self._by_language:
            names: dict[str, str] = {}
            for exercise_id in self.library.exercises:
                try:
                    text = self.library.exercises[exercise_id].text.get(language)
                except ValidationError:
                    continue  # a broken clinic file only fails the rows that name it by id
                if text is not None:
                    names.setdefault(match_key(text.name), exercise_id)
            self._by_language[language] = names
        return self._by_language[language]

    def find(self, text: str, language: str) -> str | None:
        """Return the id of the exercise ``text`` names in ``language`` (or by id), else None."""
        if text in self.library.exercises:
            return text
        key = match_key(text)
        by_id = key.replace(" ", "-")
        if by_id in self.library.exercises:
            return by_id
        for candidate in [*language_candidates(parse_locale(language)), self.library.default_language]:
            found = self._names(candidate).get(key)
            if found:
                return found
        return None

    def hint(self, text: str, language: str) -> str:
        """Return a "did you mean" hint among ids and names in ``language``."""
        names = self._names(parse_locale(language).language)
        return did_you_mean(match_key(text), [*names, *self.library.exercises])


class RowReader:
    """Reads flat records into Prescriptions with one mapping and one library."""

    def __init__(self, mapping: ColumnMapping, library: Library) -> None:
        self.mapping = mapping
        self.library = library
        self.exercises = ExerciseMatcher(library)

    def cell(self, fields: Mapping[str, Any], name: str) -> Any:
        """Return the value of field ``name``: text (several columns joined by a space) or a list."""
        values = [fields.get(column) for column in self.mapping.column_for(name)]
        values = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
        if len(values) == 1 and isinstance(values[0], list):
            return values[0]
        return " ".join(str(v).strip() for v in values) or None

    def items(self, fields: Mapping[str, Any], name: str) -> list[Any]:
        """Return field ``name`` as a list, split on the list separator when it is text."""
        value = self.cell(fields, name)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        separator = self.mapping.list_separator
        if separator is None:
            parts = re.split(r"[;|]" if self.mapping.decimal_comma else r"[,;|]", value)
        else:
            parts = value.split(separator)
        return [part.strip() for part in parts if part.strip()]

    def identity(self, fields: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """Return the patient id and name cells, as found (for names and error reports)."""
        patient_id, name = self.cell(fields, "patient_id"), self.cell(fields, "patient_name")
        return (str(patient_id) if patient_id else None, str(name) if name else None)

    def prescription(
        self, fields: Mapping[str, Any], reader: Reader, line: int | None
    ) -> Prescription | None:
        """Return the Prescription in ``fields``, or None after recording its problems."""
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
            conditions=conditions,
            overrides=overrides,
            notes=notes,
            follow_up=follow_up,
            source=reader.source,
        )

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
        text = str(value).strip().split(" ")[0]  # Excel may add " 00:00:00"
        for fmt in (self.mapping.date_format, "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        shown = self.mapping.date_format.replace("%d", "dd").replace("%m", "mm").replace("%Y", "yyyy")
        reader.problem(line, name, f'"{value}" is not a date written {shown}')
        return None

    def _conditions(self, fields: Mapping[str, Any], reader: Reader, line: int | None) -> tuple[str, ...]:
        found: list[str] = []
        for text in self.items(fields, "conditions"):
            matches = resolve_condition(self.library, str(text))
            if not matches:
                hint = did_you_mean(str(text), self.library.conditions)
                reader.problem(line, "conditions", f'unknown condition "{text}"{hint}')
            elif len(matches) > 1:
                reader.problem(line, "conditions", f'"{text}" could be {", ".join(matches)}; give the id')
            elif matches[0] not in found:
                found.append(matches[0])
        return tuple(found)

    def _overrides(
        self, fields: Mapping[str, Any], reader: Reader, line: int | None, language: str
    ) -> tuple[Override, ...]:
        """Read ``exercise / condition: reason`` items (exercise by id or name)."""
        found: list[Override] = []
        for text in self.items(fields, "overrides"):
            match = _OVERRIDE.match(str(text))
            if match is None:
                reader.problem(line, "overrides", f'"{text}" is not written "exercise / condition: reason"')
                continue
            exercise = self.exercises.find(match["exercise"], language)
            conditions = resolve_condition(self.library, match["condition"])
            condition = conditions[0] if len(conditions) == 1 else None
            if exercise is None or condition is None:
                unknown = match["exercise"] if exercise is None else match["condition"]
                reader.problem(line, "overrides", f'unknown exercise or condition "{unknown}"')
                continue
            found.append(Override(exercise, condition, match["reason"]))
        return tuple(found)

    def _exercises(
        self, fields: Mapping[str, Any], reader: Reader, line: int | None, language: str
    ) -> list[PrescribedExercise]:
        listed = self.items(fields, "exercises")
        if not listed:
            reader.problem(line, "exercises", "list at least one exercise")
        # A program named in the list brings its exercises with its own dosage.
        programs = [self._program(str(text)) for text in listed]
        names = [text for text, program in zip(listed, programs, strict=True) if program is None]
        from_programs = [item for program in programs if program is not None for item in program.exercises]
        ids = []
        for text in names:
            exercise_id = self.exercises.find(str(text), language)
            if exercise_id is None:
                hint = self.exercises.hint(str(text), language)
                reader.problem(line, "exercises", f'unknown exercise "{text}"{hint}')
            ids.append(exercise_id)
        dosage = {
            name: self._per_exercise(fields, name, len(names), reader, line, parse)
            for name, parse in (
                ("sets", self._whole),
                ("reps", self._whole),
                ("hold", self._hold),
                ("frequency", parse_frequency),
                ("side", self._side),
                ("exercise_notes", str),
            )
        }
        return [
            PrescribedExercise(
                exercise_id,
                sets=dosage["sets"][index],
                reps=dosage["reps"][index],
                hold=dosage["hold"][index],
                frequency=dosage["frequency"][index],
                side=dosage["side"][index],
                notes=dosage["exercise_notes"][index],
            )
            for index, exercise_id in enumerate(ids)
            if exercise_id is not None
        ] + from_programs

    def _program(self, text: str) -> Program | None:
        """The program ``text`` names, by id or by its title in any language."""
        if text in self.library.programs:
            return self.library.programs[text]
        key = match_key(text)
        for program in self.library.programs.values():
            if key.replace(" ", "-") == program.id or any(
                match_key(t.title) == key for t in program.text.values()
            ):
                return program
        return None

    def _per_exercise(
        self,
        fields: Mapping[str, Any],
        name: str,
        count: int,
        reader: Reader,
        line: int | None,
        parse: Callable[[Any], Any],
    ) -> Sequence[Any]:
        values = self.items(fields, name)
        if not values:
            return [None] * count
        if len(values) == 1:
            values = values * count
        elif len(values) != count:
            reader.problem(line, name, f"has {len(values)} values for {count} exercises")
            return [None] * count
        parsed = []
        for value in values:
            try:
                parsed.append(parse(value))
            except (QuantityError, ValueError) as exc:
                reader.problem(line, name, str(exc))
                parsed.append(None)
        return parsed

    def _number(self, value: Any) -> tuple[float, str]:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), ""
        text = str(value)
        if not self.mapping.decimal_comma and "," in text:
            raise QuantityError(f'"{value}" is not a number')
        match = _DECIMAL.match(text)
        if match is None:
            raise QuantityError(f'"{value}" is not a number')
        whole, fraction, unit = match.groups()
        return float(f"{whole}.{fraction or 0}"), unit.lower()

    def _whole(self, value: Any) -> int:
        number, unit = self._number(value)
        if unit or number != int(number) or number < 1:
            raise QuantityError(f'"{value}" is not a whole number of at least 1')
        return int(number)

    def _hold(self, value: Any) -> int:
        try:
            number, unit = self._number(value)
        except QuantityError:
            return parse_duration(str(value))  # "1 min 30 s"
        seconds = number * 60 if unit in _MINUTES else number
        if unit and unit not in _MINUTES and not unit.startswith("s"):
            raise QuantityError(f'"{value}" is not a duration')
        if seconds != int(seconds):
            raise QuantityError(f'"{value}" is not a whole number of seconds')
        return parse_duration(int(seconds))

    def _side(self, value: Any) -> str:
        key = str(value).strip().casefold()
        side = self.mapping.side_words.get(key, key)
        if side not in SIDES:
            hint = did_you_mean(key, [*SIDES, *self.mapping.side_words])
            raise QuantityError(f'unknown side "{value}"{hint}')
        return side
