"""Column mapping: which cells of a records export hold which part of a prescription.

A mapping file (``--map mapping.yaml``) names the export's columns and how its values are
written (list separator, date format, decimal comma, words for sides). Without one, columns
are expected under the field names themselves (``patient_name``, ``exercises``, …); a column
that looks like a misspelt field is an error, any other is ignored and listed in
:attr:`ColumnMapping.ignored_columns`.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import field
from pathlib import Path
from typing import Any

from rxstretch.errors import Problem, ValidationError, closest
from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.yamlio import LocatedMap, load_yaml_file
from rxstretch.model import SIDES
from rxstretch.model.frozen import frozen
from rxstretch.prescription import read_language
from rxstretch.records.encoding import encoding_problem
from rxstretch.text import fold, header_key

# Fields a column can feed; dosage fields may hold one value for every exercise, or one per
# exercise separated like the exercises themselves.
FIELDS = (
    "patient_id",
    "patient_name",
    "language",
    "date",
    "clinician",
    "conditions",
    "exercises",
    "sets",
    "reps",
    "hold",
    "frequency",
    "side",
    "exercise_notes",
    "notes",
    "follow_up",
    "overrides",
)
REQUIRED_FIELDS = ("patient_name", "exercises")
_TOP_KEYS = ("columns", "list_separator", "date_format", "decimal_comma", "language", "values", "csv")
_CSV_KEYS = ("delimiter", "encoding")
_DATE_TOKENS = (("yyyy", "%Y"), ("yy", "%y"), ("dd", "%d"), ("mm", "%m"))
# A header starting with one of these words (or its first three letters or more) is that
# field with a unit or a qualifier ("hold_seconds", "freq_per_day", "exercise_ids"), or the
# field under another name: programs are listed in the exercises column.
_LEADING_WORDS = {
    "set": "sets",
    "sets": "sets",
    "rep": "reps",
    "reps": "reps",
    "repetitions": "reps",
    "program": "exercises",
    "programme": "exercises",
    "hold": "hold",
    "frequency": "frequency",
    "side": "side",
    "exercise": "exercises",
    "exercises": "exercises",
}
# Closer than reader.py's 0.6: at 0.6 everyday export columns such as "status" (sets),
# "state" (date) or "reason" (reps) would stop the batch; typos still score 0.75 or more.
_CLOSE_FIELD = 0.75
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# A date every directive changes when formatted (day > 12, four-digit year), to check formats.
_PROBE_DATE = datetime.date(2031, 11, 26)


def or_list(words: Sequence[str]) -> str:
    """Return ``a, b or c`` for messages."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


@functools.lru_cache(maxsize=1024)
def probable_field(name: str) -> str | None:
    """Return the field a column or key that is not a field name probably means, else None.

    "Patient Name", "frequncy", "hold_seconds" and "exercise_ids" are fields written
    differently; "phone" and "address" are not.
    """
    words = [word for word in _NOT_ALNUM.split(fold(name)) if word]
    written = "_".join(words)
    if written in FIELDS:
        return written
    abbreviated = _abbreviated(written, FIELDS)  # "lang", "freq", "cond"
    if abbreviated:
        return abbreviated
    leading = _abbreviated(words[0], _LEADING_WORDS) if words else None  # "hold_seconds", "freq_per_day"
    if leading:
        return _LEADING_WORDS[leading]
    return closest(written, FIELDS, cutoff=_CLOSE_FIELD)


def _abbreviated(word: str, names: Iterable[str]) -> str | None:
    """Return the first of ``names`` that is ``word`` or starts with it (three letters or more)."""
    return next((n for n in names if n == word or (len(word) >= 3 and n.startswith(word))), None)


def strptime_format(pattern: str) -> str:
    """Turn ``dd/mm/yyyy`` into ``%d/%m/%Y``; a pattern already using ``%`` is kept."""
    if "%" in pattern:
        return pattern
    result = pattern.lower()
    for token, directive in _DATE_TOKENS:
        result = result.replace(token, directive)
    return result


@frozen
class ColumnMapping:
    """Which columns feed which field, and how cell values are written."""

    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Separates the items of list cells (exercises, conditions); None: any of , ; |. Dosage
    # cells with several values use ; or | (a comma too when no decimal_comma: see rows.py).
    list_separator: str | None = None
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False
    language: str | None = None
    side_words: Mapping[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    source: str = "default mapping"
    # Header key → column as written, for every column or key the default mapping ignored
    # while reading; filled as records are read, so it takes no part in comparisons.
    _ignored: dict[str, str] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def ignored_columns(self) -> tuple[str, ...]:
        """The columns (or JSON keys) read so far that feed no field, as written, in order.

        Only without a mapping file: a mapping names its columns, so others are expected.
        """
        return tuple(self._ignored.values())

    def column_for(self, name: str) -> tuple[str, ...]:
        """Return the header keys of the columns feeding field ``name`` (empty if none)."""
        if self.columns:
            return self.columns.get(name, ())
        return (header_key(name),)

    def check_headers(self, headers: Sequence[str], source: str, line: int = 1) -> None:
        """Raise ValidationError for a header row (at ``line``) the records cannot be read through.

        Names every mapped column the export does not have, every column feeding a field
        twice (the second would hide the first) and, without a mapping file, every required
        field missing and every header that looks like a misspelt field.
        """
        present = {header_key(h) for h in headers}
        problems = [
            Problem(self.source, None, f"columns.{name}", f'column "{column}" is not in {source}')
            for name, columns in self.columns.items()
            for column in columns
            if column not in present
        ]
        if not self.columns:
            problems += [
                Problem(source, line, name, "column is required (or give --map)")
                for name in REQUIRED_FIELDS
                if name not in present
            ]
        feeding = {column for name in FIELDS for column in self.column_for(name)}
        keys = [header_key(h) for h in headers]
        problems += [
            Problem(source, line, header.strip(), "column appears twice; keep one")
            for index, (header, key) in enumerate(zip(headers, keys, strict=True))
            if key in feeding and key in keys[:index]
        ]
        problems += self.check_names(headers, source, line)
        if problems:
            raise ValidationError(problems)

    def check_names(self, names: Iterable[str], source: str, line: int | None) -> list[Problem]:
        """Return a problem for each column or key that looks like a misspelt field.

        Without a mapping file, a "frequncy" column would otherwise be skipped and its
        dosage lost from the sheet. Names resembling no field are noted in
        :attr:`ignored_columns`. A mapping names its columns, so nothing is checked then.
        """
        if self.columns:
            return []
        problems = []
        for name in names:
            key = header_key(name)
            if key in FIELDS or key in self._ignored:
                continue
            meant = probable_field(name)
            if meant is None:
                self._ignored[key] = name.replace("\ufeff", "").strip() or "(unnamed column)"
                continue
            problems.append(
                Problem(
                    source,
                    line,
                    name.strip(),
                    f'is not a field name (did you mean "{meant}"?) and would be ignored; '
                    "rename it, or give --map to name the columns",
                )
            )
        return problems


def load_mapping(path: Path) -> ColumnMapping:
    """Read and validate a mapping file; raise ValidationError listing every problem."""
    reader = Reader(str(path))
    doc = reader.mapping(load_yaml_file(path), "", line=1, required=("columns",), optional=_TOP_KEYS)
    if doc is None:
        reader.raise_if_problems()
    assert doc is not None
    columns = _read_columns(doc, reader)
    options: dict[str, Any] = {}
    for key in ("list_separator", "date_format"):
        if key in doc:
            options[key] = reader.typed(doc, key, "", str)
    if options.get("list_separator") == "":
        # str.split("") raises; an empty separator is a slip, not "no separator".
        reader.problem(doc.line_of("list_separator"), "list_separator", "must not be empty")
    if "decimal_comma" in doc:
        options["decimal_comma"] = reader.typed(doc, "decimal_comma", "", bool)
    if "language" in doc:
        options["language"] = read_language(doc, reader)
    if "values" in doc:
        options["side_words"] = _read_side_words(doc, reader)
    csv_options = reader.section(doc, "csv", "", optional=_CSV_KEYS)
    if csv_options is not None:
        options.update(_read_csv_options(csv_options, reader))
    if options.get("date_format"):
        options["date_format"] = _read_date_format(doc, options["date_format"], reader)
    reader.raise_if_problems()
    clean = {key: value for key, value in options.items() if value is not None}
    return ColumnMapping(columns=columns, source=str(path), **clean)


def _read_columns(doc: LocatedMap, reader: Reader) -> dict[str, tuple[str, ...]]:
    node = reader.section(doc, "columns", "", required=("patient_name", "exercises"), optional=FIELDS)
    columns: dict[str, tuple[str, ...]] = {}
    for name in FIELDS:
        if node is None or name not in node:
            continue
        value = node[name]
        if isinstance(value, list):
            names = reader.texts(node, name, "columns")
        else:
            text = reader.text(node, name, "columns")
            names = (text,) if text else ()
        if names:
            columns[name] = tuple(header_key(n) for n in names)
    return columns


def delimiter_problem(delimiter: str) -> str | None:
    """Why ``delimiter`` cannot separate CSV cells, or None if it can."""
    if len(delimiter) != 1 or delimiter in '"\r\n':
        return f'"{delimiter}" must be one character other than a quote or a line break, e.g. ; or , or a tab'
    return None


def _read_csv_options(node: LocatedMap, reader: Reader) -> dict[str, str | None]:
    """``csv: {delimiter, encoding}``, checked here so that a bad value names this file."""
    checks = {"delimiter": delimiter_problem, "encoding": encoding_problem}
    options: dict[str, str | None] = {}
    for key, problem_of in checks.items():
        value = reader.typed(node, key, "csv", str) if key in node else None
        problem = problem_of(value) if value is not None else None
        if problem is not None:
            reader.problem(node.line_of(key), f"csv.{key}", problem)
            value = None
        options[key] = value
    return options


def _read_date_format(doc: LocatedMap, pattern: str, reader: Reader) -> str | None:
    """The strptime format of ``date_format``, which must give the day, month and year.

    Checked by formatting a probe date and reading it back: "jj/mm/aaaa" (French for
    dd/mm/yyyy) or a format without the day would otherwise fail, or misread, every row.
    """
    fmt = strptime_format(pattern)
    try:
        readable = datetime.datetime.strptime(_PROBE_DATE.strftime(fmt), fmt).date() == _PROBE_DATE
    except ValueError:
        readable = False
    if not readable:
        reader.problem(
            doc.line_of("date_format"),
            "date_format",
            f'"{pattern}" must give the day, month and year: dd, mm and yyyy (or yy), e.g. dd/mm/yyyy',
        )
        return None
    return fmt


def _read_side_words(doc: LocatedMap, reader: Reader) -> dict[str, str]:
    values = reader.section(doc, "values", "", optional=("side",))
    sides = reader.free_mapping(values.get("side"), "values.side", line=values.line) if values else None
    words: dict[str, str] = {}
    if sides is None:
        return words
    for word, side in sides.items():
        if side not in SIDES:
            reader.problem(
                sides.line_of(word), join_path("values.side", str(word)), f"must be one of {or_list(SIDES)}"
            )
        else:
            words[header_key(str(word))] = side
    return words
