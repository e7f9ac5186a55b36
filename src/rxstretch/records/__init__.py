"""Read records exports one record at a time: CSV, JSON array, JSON Lines, a folder of YAML.

Owns: encodings, CSV, JSON, folders, the column mapping, rows -> Prescription, name matching
through loaders.names. Must never import render/, batch/, the API or the CLI.

Nothing is read whole: CSV goes through the csv module over a text stream, JSON arrays are
decoded element by element, JSON Lines line by line. The encoding is decided, and checked, over
the whole file (1 MB at a time) before the first record, so reading never fails halfway through
a batch. A file that cannot be read as records at all (a format that does not fit the path, text
not in its encoding, missing columns, no records) raises RxStretchError when :func:`iter_records`
is called, before anything is written. Each record becomes a :class:`Record` holding either a
Prescription or the problems that stopped it.
"""

from __future__ import annotations

import codecs
import dataclasses
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from rxstretch.errors import Problem, RxStretchError, UsageError, ValidationError
from rxstretch.fhir.bundle_import import read_bundle
from rxstretch.loaders.reader import Reader
from rxstretch.loaders.yamlio import LocatedList, LocatedMap, load_yaml_file
from rxstretch.model import Library, Prescription
from rxstretch.model.frozen import frozen
from rxstretch.prescription import read_prescription
from rxstretch.records.csvfile import csv_raws
from rxstretch.records.encoding import (
    SAMPLE_BYTES,
    bom_encoding,
    check_encoding_name,
    guess_code_page,
    open_after_bom,
    open_bytes,
    open_text,
    undecodable,
)
from rxstretch.records.fhirfile import load_bundle_file
from rxstretch.records.jsonfile import MAX_JSON_RECORD, json_array_raws, jsonl_raws
from rxstretch.records.mapping import ColumnMapping
from rxstretch.records.raw import RawRecord
from rxstretch.records.rows import RowReader
from rxstretch.records.spreadsheet import SPREADSHEET_SUFFIXES, spreadsheet_raws

Format = Literal["auto", "csv", "json", "jsonl", "spreadsheet", "folder"]
# Set here and handed to the readers rather than kept beside them: the tests lower
# rxstretch.records.MAX_LINE and DECODE_CHUNK to reach the limits with small files.
# No real export has a line this long; a longer one is a corrupt or hostile file, not read whole.
MAX_LINE = 1024 * 1024
DECODE_CHUNK = 1024 * 1024


@frozen
class Record:
    """One record of an export: its position, who it is for, and its prescription or problems."""

    row: int
    line: int | None
    patient_id: str | None
    patient_name: str | None
    prescription: Prescription | None
    problems: tuple[Problem, ...] = ()


def detect_encoding(path: Path) -> str:
    """Return the encoding of a text export: a BOM wins, then UTF-8 if all of it decodes, else a code page.

    The code page is cp1252 when the text reads as Western names, else the one charset-normalizer
    is sure of; when it is not sure, RxStretchError names the candidates (:func:`guess_code_page`).
    """
    with open_bytes(path) as stream:
        head = stream.read(SAMPLE_BYTES)
    bom = bom_encoding(head)
    if bom == "utf-16":
        return bom
    if undecodable(path, "utf-8", DECODE_CHUNK) is not None:
        mixed = _mixed_lines(path)
        if mixed is not None:
            # Read as cp1252, the UTF-8 lines would print "HÃ©lÃ¨ne" on a patient's sheet.
            where = (
                f"line {mixed[0]} is UTF-8 but line {mixed[1]} is not"
                if mixed[0] != mixed[1]
                else f"line {mixed[0]} has UTF-8 and other bytes"
            )
            raise RxStretchError(
                f"{path}: mixes encodings: {where}; save the file again in one encoding (UTF-8), "
                "or give it with --encoding"
            )
        # cp1252 is what Excel writes for "CSV (separator: semicolon)" on Western Windows.
        return guess_code_page(path, head[len(codecs.BOM_UTF8) :] if bom else head)
    return bom or "utf-8"


def _mixed_lines(path: Path) -> tuple[int, int] | None:
    """The first line that is UTF-8 beyond ASCII and the first that is not UTF-8, if both exist."""
    utf8 = other = None
    with open_after_bom(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if raw.isascii():
                continue
            text = raw.decode("utf-8", errors="replace")
            if "\ufffd" in text:
                other = other or number
            if any(ord(c) > 127 and c != "\ufffd" for c in text):
                utf8 = utf8 or number
            if utf8 and other:
                return utf8, other
    return None


def detect_format(path: Path) -> Format:
    """Guess the format from the path: a folder, a spreadsheet, .jsonl/.ndjson, .json, else CSV."""
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return "spreadsheet"
    with open_bytes(path) as stream:
        magic = stream.read(len(_OLE_MAGIC))
    if magic.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        # A workbook saved under another name: read as text, it "mixes encodings".
        return "spreadsheet"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".json":
        with open_bytes(path) as stream:
            head = stream.read(4096)
        # Only where "[" is matters: any ASCII-compatible encoding will do without a BOM.
        start = head.decode(bom_encoding(head) or "latin-1", errors="ignore").lstrip(" \t\r\n")
        if start.startswith("["):
            return "json"
        if start.startswith("{") and not _first_line_is_json(path):
            # One object spread over lines ({"patients": [...]}): read as JSON Lines, every line
            # would be a broken record and the few that parse would be rendered.
            raise RxStretchError(
                f"{path} is one JSON object over several lines, not a list of records: export an "
                "array of records ([{...}, {...}]) or JSON Lines (one record per line)"
            )
        return "jsonl"
    return "csv"


# A zip file (.xlsx, .ods) and an OLE compound file (.xls) start with these bytes.
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _first_line_is_json(path: Path) -> bool:
    """Whether the first non-blank line of ``path`` is a whole JSON value (JSON Lines)."""
    with open_bytes(path) as stream:
        encoding = bom_encoding(stream.read(len(codecs.BOM_UTF8))) or "utf-8"
    try:
        with open_text(path, encoding, None) as text:
            for _ in range(1000):  # blank lines first are fine; a thousand of them are no record
                line = text.readline(MAX_JSON_RECORD)
                if not line or line.strip():
                    break
    except UnicodeError:
        return True  # not UTF-8: the JSON Lines reader detects the encoding and reports it
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


def iter_records(
    path: Path,
    library: Library,
    mapping: ColumnMapping,
    *,
    input_format: Format = "auto",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> Iterator[Record]:
    """Return the records of ``path`` in order, read one at a time; a broken record carries its problems.

    Raises RxStretchError at once, before any record is used, when ``path`` cannot be read as
    records at all: a format that does not fit it, text not in its encoding, missing columns
    (ValidationError), or no records. ``encoding`` is for every text format; the mapping's
    encoding and delimiter are for CSV; ``sheet`` (a name, or a number from 1) for a spreadsheet.
    """
    kind = _kind(path, input_format, sheet=sheet, text_options=bool(encoding or delimiter))
    if kind == "folder":
        return _folder_records(path, library)
    rows = RowReader(mapping, library)
    if kind == "spreadsheet":
        sheet_raws = spreadsheet_raws(path, sheet, mapping)
        return (_record(raw, str(path), rows, library) for raw in _nonempty(sheet_raws, path))
    chosen = _text_encoding(path, encoding or (mapping.encoding if kind == "csv" else None))
    if kind == "csv":
        raws = csv_raws(path, chosen, mapping, delimiter or mapping.delimiter, MAX_LINE)
    elif kind == "json":
        raws = json_array_raws(path, chosen)
    else:
        raws = jsonl_raws(path, chosen)
    return (_record(raw, str(path), rows, library) for raw in _nonempty(raws, path))


def count_records(
    path: Path, *, input_format: Format = "auto", encoding: str | None = None, sheet: str | None = None
) -> int:
    """Count the records of ``path`` (for a progress bar) without building prescriptions."""
    kind = _kind(path, input_format, sheet=sheet, text_options=bool(encoding))
    if kind == "folder":
        return len(_yaml_files(path))
    if kind == "spreadsheet":
        return sum(1 for _ in spreadsheet_raws(path, sheet, None))
    chosen = _text_encoding(path, encoding)
    if kind == "csv":
        raws = csv_raws(path, chosen, None, None, MAX_LINE)
    elif kind == "json":
        raws = json_array_raws(path, chosen)
    else:
        raws = jsonl_raws(path, chosen)
    return sum(1 for _ in raws)


def _kind(
    path: Path, input_format: Format, *, sheet: str | None = None, text_options: bool = False
) -> Format:
    """Return the format to read ``path`` as; a given format must fit a file or a folder."""
    if not path.exists():
        raise RxStretchError(f"{path}: no such file or folder")
    kind = _given_kind(path, input_format)
    if sheet is not None and kind != "spreadsheet":
        raise UsageError(
            f"{path}: --sheet is for spreadsheets (.xlsx, .xlsm, .xls, .ods), not {kind} exports"
        )
    if text_options and kind == "spreadsheet":
        raise UsageError(
            f"{path} is a spreadsheet: its cells have no encoding or delimiter; "
            "leave out --encoding and --delimiter"
        )
    return kind


def _given_kind(path: Path, input_format: Format) -> Format:
    if input_format == "auto":
        return detect_format(path)
    if input_format == "folder" and not path.is_dir():
        raise UsageError(
            f'{path}: the format "folder" needs a folder of prescription files (.yaml), but this is '
            "a file; use the format auto, csv, json or jsonl"
        )
    if input_format != "folder" and path.is_dir():
        raise UsageError(
            f'{path}: the format "{input_format}" needs a file, but this is a folder; use the format '
            "auto or folder (a folder of prescription files, .yaml)"
        )
    return input_format


def _nonempty(raws: Iterator[RawRecord], path: Path) -> Iterator[RawRecord]:
    # Reading the first record now raises a file's own errors (columns, encoding) at once, too.
    first = next(raws, None)
    if first is None:
        raise RxStretchError(f"{path} has no records")
    return itertools.chain([first], raws)


def _record(raw: RawRecord, source: str, rows: RowReader, library: Library) -> Record:
    reader = Reader(source)
    if raw.error is not None:
        # The cells read before the error still say whose record it is, for errors.csv.
        patient_id, name = rows.identity(raw.data) if isinstance(raw.data, Mapping) else (None, None)
        problem = Problem(source, raw.line, raw.field, raw.error)
        return Record(raw.row, raw.line, patient_id, name, None, (problem,))
    data = raw.data
    if not isinstance(data, Mapping):
        reader.problem(raw.line, "", "a record must be an object of fields")
        return Record(raw.row, raw.line, None, None, None, tuple(reader.problems))
    if data.get("resourceType") == "Bundle":  # a FHIR Bundle, one per line of NDJSON
        return _bundle_record(raw.row, raw.line, lambda: read_bundle(data, library, source=source))
    if isinstance(data.get("patient"), Mapping):
        # A whole prescription in the prescription-file layout (JSON records from a script).
        patient = data["patient"]
        patient_id = str(patient["id"]) if patient.get("id") is not None else None
        name = str(patient["name"]) if patient.get("name") is not None else None
        prescription = _whole_prescription(data, raw.line, reader, library)
    else:
        patient_id, name = rows.identity(data)
        prescription = rows.prescription(data, reader, raw.line)
    if reader.problems:
        prescription = None
    return Record(raw.row, raw.line, patient_id, name, prescription, tuple(reader.problems))


def _whole_prescription(
    data: Mapping[str, Any], line: int | None, reader: Reader, library: Library
) -> Prescription | None:
    try:
        located = _located(data, line or 0)
    except RecursionError:  # json accepts some nesting deeper than Python's stack allows here
        reader.problem(line, "", "the record is nested too deeply to be a prescription")
        return None
    return read_prescription(located, reader, library)


def _located(value: Any, line: int) -> Any:
    """Wrap parsed JSON in the Located containers the prescription reader expects."""
    if isinstance(value, dict):
        located = LocatedMap(line)
        located.update({key: _located(item, line) for key, item in value.items()})
        return located
    if isinstance(value, list):
        items = LocatedList(line)
        items.extend(_located(item, line) for item in value)
        return items
    return value


# --- encodings -------------------------------------------------------------------------------


def _text_encoding(path: Path, explicit: str | None) -> str:
    """Return ``explicit`` or the detected encoding, checked to decode the whole of ``path``.

    Checking before the first record means a byte that does not decode is reported with its
    line before anything is written, not after hundreds of handouts.
    """
    if explicit:
        check_encoding_name(explicit)
    chosen = explicit or detect_encoding(path)
    if not explicit and chosen in ("utf-8", "utf-8-sig"):
        return chosen  # detecting UTF-8 has already decoded the whole file
    found = undecodable(path, chosen, DECODE_CHUNK)
    if found is None:
        return chosen
    line, reason = found
    advice = (
        "check the encoding given (--encoding, or the mapping's csv: encoding:)"
        if explicit
        else "give the file's encoding with --encoding"
    )
    raise RxStretchError(f"{path}:{line}: not {chosen} text ({reason}); {advice}")


# --- folder of prescription files ------------------------------------------------------------


def _yaml_files(folder: Path) -> list[Path]:
    try:
        return sorted(
            p for p in folder.iterdir() if p.suffix.lower() in {".yaml", ".yml", ".json"} and p.is_file()
        )
    except OSError as exc:
        raise RxStretchError(f"{folder}: cannot read ({exc.strerror})") from exc


def _folder_records(folder: Path, library: Library) -> Iterator[Record]:
    files = _yaml_files(folder)
    if not files:
        raise RxStretchError(f"{folder} has no records: no .yaml, .yml or .json (FHIR Bundle) file in it")
    return (_folder_record(row, path, library) for row, path in enumerate(files, start=1))


def _folder_record(row: int, path: Path, library: Library) -> Record:
    if path.suffix.lower() == ".json":
        return _bundle_record(row, None, lambda: load_bundle_file(path, library), path)
    reader = Reader(str(path))
    try:
        data = load_yaml_file(path)
    except ValidationError as exc:
        return _failed_file(row, path, exc.problems, None, None)
    prescription = read_prescription(data, reader, library)
    patient = data.get("patient") if isinstance(data, Mapping) else None
    patient = patient if isinstance(patient, Mapping) else {}
    found_id, found_name = patient.get("id"), patient.get("name")
    patient_id = str(found_id) if found_id is not None else None
    name = str(found_name) if found_name is not None else None
    if reader.problems:
        return _failed_file(row, path, reader.problems, patient_id, name)
    return Record(row, 1, patient_id, name, prescription)


def _bundle_record(
    row: int, line: int | None, read: Callable[[], Prescription], path: Path | None = None
) -> Record:
    """A record that is a FHIR Bundle (a file of a folder, or a line of NDJSON)."""
    try:
        prescription = read()
    except ValidationError as exc:
        if path is not None:
            return _failed_file(row, path, exc.problems, None, None)
        return Record(
            row, line, None, None, None, tuple(dataclasses.replace(p, line=line) for p in exc.problems)
        )
    patient = prescription.patient
    return Record(row, line, patient.id, patient.name, prescription)


def _failed_file(
    row: int, path: Path, problems: Iterable[Problem], patient_id: str | None, name: str | None
) -> Record:
    """A folder record that failed: its line is its first problem's, each message names file and line.

    errors.csv has one line per record and no file column, so without the prefix a folder's
    errors.csv would not say which file failed, nor where in it a second problem is.
    """
    located = tuple(dataclasses.replace(p, message=f"{_where(path, p.line)}: {p.message}") for p in problems)
    return Record(row, located[0].line if located else None, patient_id, name, None, located)


def _where(path: Path, line: int | None) -> str:
    return path.name if line is None else f"{path.name}:{line}"
