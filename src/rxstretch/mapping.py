"""Column mapping: which cells of a records export hold which part of a prescription.

A mapping file (``--map mapping.yaml``) names the export's columns and how its values are
written (list separator, date format, decimal comma, words for sides). Without one, columns
are expected under the field names themselves (``patient_name``, ``exercises``, …).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rxstretch.errors import Problem, ValidationError
from rxstretch.model import SIDES
from rxstretch.prescription import read_language
from rxstretch.reader import Reader, join_path
from rxstretch.yamlio import LocatedMap, load_yaml_file

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


def header_key(name: str) -> str:
    """Normalize a column header for matching: no BOM, trimmed, case-folded, NFC."""
    return unicodedata.normalize("NFC", name.replace("\ufeff", "").strip()).casefold()


def strptime_format(pattern: str) -> str:
    """Turn ``dd/mm/yyyy`` into ``%d/%m/%Y``; a pattern already using ``%`` is kept."""
    if "%" in pattern:
        return pattern
    result = pattern.lower()
    for token, directive in _DATE_TOKENS:
        result = result.replace(token, directive)
    return result


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns feed which field, and how cell values are written."""

    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    list_separator: str | None = None  # None: any of , ; | (no comma with decimal_comma)
    date_format: str = "%Y-%m-%d"
    decimal_comma: bool = False
    language: str | None = None
    side_words: Mapping[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    source: str = "default mapping"

    def column_for(self, name: str) -> tuple[str, ...]:
        """Return the header keys of the columns feeding field ``name`` (empty if none)."""
        if self.columns:
            return self.columns.get(name, ())
        return (header_key(name),)

    def check_headers(self, headers: Sequence[str], source: str) -> None:
        """Raise ValidationError naming every mapped column the export does not have."""
        present = {header_key(h) for h in headers}
        problems = [
            Problem(self.source, None, f"columns.{name}", f'column "{column}" is not in {source}')
            for name, columns in self.columns.items()
            for column in columns
            if column not in present
        ]
        if not self.columns:
            problems += [
                Problem(source, 1, name, "column is required (or give --map)")
                for name in REQUIRED_FIELDS
                if name not in present
            ]
        if problems:
            raise ValidationError(problems)


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
    if "decimal_comma" in doc:
        options["decimal_comma"] = reader.typed(doc, "decimal_comma", "", bool)
    if "language" in doc:
        options["language"] = read_language(doc, reader)
    if "values" in doc:
        options["side_words"] = _read_side_words(doc, reader)
    csv_options = reader.section(doc, "csv", "", optional=_CSV_KEYS)
    for key in _CSV_KEYS:
        if csv_options is not None and key in csv_options:
            options[key] = reader.typed(csv_options, key, "csv", str)
    if options.get("date_format"):
        options["date_format"] = strptime_format(options["date_format"])
    if options.get("decimal_comma") and options.get("list_separator") == ",":
        reader.problem(
            doc.line_of("list_separator"), "list_separator", "must not be a comma with decimal_comma"
        )
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


def _read_side_words(doc: LocatedMap, reader: Reader) -> dict[str, str]:
    values = reader.section(doc, "values", "", optional=("side",))
    sides = reader.free_mapping(values.get("side"), "values.side", line=values.line) if values else None
    words: dict[str, str] = {}
    if sides is None:
        return words
    for word, side in sides.items():
        if side not in SIDES:
            reader.problem(
                sides.line_of(word), join_path("values.side", str(word)), f"must be one of {SIDES}"
            )
        else:
            words[header_key(str(word))] = side
    return words
