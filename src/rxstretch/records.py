"""Read records exports one record at a time: CSV, JSON array, JSON Lines, a folder of YAML.

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
import csv
import dataclasses
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO

from rxstretch.errors import Problem, RxStretchError, ValidationError
from rxstretch.mapping import ColumnMapping, header_key
from rxstretch.model import Library, Prescription
from rxstretch.prescription import read_prescription
from rxstretch.reader import Reader
from rxstretch.rows import RowReader
from rxstretch.yamlio import LocatedList, LocatedMap, load_yaml_file

Format = Literal["auto", "csv", "json", "jsonl", "folder"]
SNIFF_BYTES = 64 * 1024
MAX_JSON_RECORD = 1024 * 1024
# No real export has a line this long; a longer one is a corrupt or hostile file, not read whole.
MAX_LINE = 1024 * 1024
DECODE_CHUNK = 1024 * 1024
DELIMITERS = ";,\t|"
_CHUNK = 64 * 1024
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Record:
    """One record of an export: its position, who it is for, and its prescription or problems."""

    row: int
    line: int | None
    patient_id: str | None
    patient_name: str | None
    prescription: Prescription | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class _Raw:
    row: int
    line: int | None
    data: Any = None
    error: str | None = None
    field: str = ""


def detect_encoding(path: Path) -> str:
    """Return the encoding of a text export: a BOM wins, then UTF-8 if all of it decodes, else cp1252."""
    with _open_bytes(path) as stream:
        bom = _bom_encoding(stream.read(len(codecs.BOM_UTF8)))
    if bom == "utf-16":
        return bom
    if _undecodable(path, "utf-8") is not None:
        return "cp1252"  # what Excel writes for "CSV (separator: semicolon)" on Western Windows
    return bom or "utf-8"


def detect_delimiter(sample: str) -> str:
    """Return the delimiter of a CSV sample: the candidate most frequent in its header line."""
    header = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def detect_format(path: Path) -> Format:
    """Guess the format from the path: a folder, .jsonl/.ndjson, .json (array or lines), else CSV."""
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".json":
        with _open_bytes(path) as stream:
            head = stream.read(4096)
        # Only where "[" is matters: any ASCII-compatible encoding will do without a BOM.
        start = head.decode(_bom_encoding(head) or "latin-1", errors="ignore").lstrip(" \t\r\n")
        return "json" if start.startswith("[") else "jsonl"
    return "csv"


def iter_records(
    path: Path,
    library: Library,
    mapping: ColumnMapping,
    *,
    input_format: Format = "auto",
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Iterator[Record]:
    """Return the records of ``path`` in order, read one at a time; a broken record carries its problems.

    Raises RxStretchError at once, before any record is used, when ``path`` cannot be read as
    records at all: a format that does not fit it, text not in its encoding, missing columns
    (ValidationError), or no records. ``encoding`` is for every text format; the mapping's
    encoding and delimiter are for CSV.
    """
    kind = _kind(path, input_format)
    if kind == "folder":
        return _folder_records(path, library)
    chosen = _text_encoding(path, encoding or (mapping.encoding if kind == "csv" else None))
    if kind == "csv":
        raws = _csv_raws(path, chosen, mapping, delimiter or mapping.delimiter)
    elif kind == "json":
        raws = _json_array_raws(path, chosen)
    else:
        raws = _jsonl_raws(path, chosen)
    rows = RowReader(mapping, library)
    return (_record(raw, str(path), rows, library) for raw in _nonempty(raws, path))


def count_records(path: Path, *, input_format: Format = "auto", encoding: str | None = None) -> int:
    """Count the records of ``path`` (for a progress bar) without building prescriptions."""
    kind = _kind(path, input_format)
    if kind == "folder":
        return len(_yaml_files(path))
    chosen = _text_encoding(path, encoding)
    if kind == "csv":
        raws = _csv_raws(path, chosen, None, None)
    elif kind == "json":
        raws = _json_array_raws(path, chosen)
    else:
        raws = _jsonl_raws(path, chosen)
    return sum(1 for _ in raws)


def _kind(path: Path, input_format: Format) -> Format:
    """Return the format to read ``path`` as; a given format must fit a file or a folder."""
    if not path.exists():
        raise RxStretchError(f"{path}: no such file or folder")
    if input_format == "auto":
        return detect_format(path)
    if input_format == "folder" and not path.is_dir():
        raise RxStretchError(
            f'{path}: the format "folder" needs a folder of prescription files (.yaml), but this is '
            "a file; use the format auto, csv, json or jsonl"
        )
    if input_format != "folder" and path.is_dir():
        raise RxStretchError(
            f'{path}: the format "{input_format}" needs a file, but this is a folder; use the format '
            "auto or folder (a folder of prescription files, .yaml)"
        )
    return input_format


def _nonempty(raws: Iterator[_Raw], path: Path) -> Iterator[_Raw]:
    # Reading the first record now raises a file's own errors (columns, encoding) at once, too.
    first = next(raws, None)
    if first is None:
        raise RxStretchError(f"{path} has no records")
    return itertools.chain([first], raws)


def _record(raw: _Raw, source: str, rows: RowReader, library: Library) -> Record:
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


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _text_encoding(path: Path, explicit: str | None) -> str:
    """Return ``explicit`` or the detected encoding, checked to decode the whole of ``path``.

    Checking before the first record means a byte that does not decode is reported with its
    line before anything is written, not after hundreds of handouts.
    """
    if explicit:
        _check_text_encoding(explicit)
    chosen = explicit or detect_encoding(path)
    found = _undecodable(path, chosen)
    if found is None:
        return chosen
    line, reason = found
    advice = (
        "check the encoding given (--encoding, or the mapping's csv: encoding:)"
        if explicit
        else "give the file's encoding with --encoding"
    )
    raise RxStretchError(f"{path}:{line}: not {chosen} text ({reason}); {advice}")


def _check_text_encoding(name: str) -> None:
    try:
        # The way the file will be opened, which also refuses bytes-to-bytes codecs (base64).
        io.TextIOWrapper(io.BytesIO(), encoding=name)
    except LookupError as exc:
        raise RxStretchError(f'unknown encoding "{name}"; use e.g. utf-8, utf-8-sig or cp1252') from exc


def _undecodable(path: Path, encoding: str) -> tuple[int, str] | None:
    """Return the line and reason of the first bytes of ``path`` not in ``encoding``, or None.

    The file is read in chunks through an incremental decoder, in constant memory; a character
    cut in two between chunks is joined, not an error.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with _open_after_bom(path) as stream:
        while True:
            chunk = stream.read(DECODE_CHUNK)
            state = decoder.getstate()
            try:
                line += decoder.decode(chunk, final=not chunk).count("\n")
            except UnicodeDecodeError as exc:
                return line + _breaks_before(decoder, state, chunk, exc), exc.reason
            if not chunk:
                return None


def _breaks_before(
    decoder: codecs.IncrementalDecoder, state: tuple[bytes, int], chunk: bytes, exc: UnicodeDecodeError
) -> int:
    """Count the line breaks of ``chunk`` before the bytes that ``exc`` found undecodable."""
    # The error's position counts the bytes the decoder held back from the previous chunk too.
    decoder.setstate(state)
    decoder.errors = "replace"
    return decoder.decode(chunk[: max(exc.start - len(state[0]), 0)]).count("\n")


def _open_bytes(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise RxStretchError(f"{path}: cannot read ({exc.strerror})") from exc


def _open_after_bom(path: Path) -> BinaryIO:
    # A UTF-8 byte order mark is never data, whatever the encoding: read as cp1252 (a file
    # with a BOM that is not UTF-8 after all) it would become "ï»¿" before the first column name.
    stream = _open_bytes(path)
    if stream.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
        stream.seek(0)
    return stream


def _open_text(path: Path, encoding: str, newline: str | None) -> TextIO:
    return io.TextIOWrapper(_open_after_bom(path), encoding=encoding, newline=newline)


# --- CSV -------------------------------------------------------------------------------------


class _Lines:
    """The lines of a text stream for csv.reader, noting whether it asked for one past the end.

    In the middle of a record, csv.reader asks past the last line only while a quoted cell is
    still open: that tells a quote never closed from one closed on the last line.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.ended = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise csv.Error(f"a line is longer than {MAX_LINE} characters")
        if not line:
            self.ended = True
            raise StopIteration
        return line


def _sniffed_delimiter(path: Path, encoding: str) -> str:
    with _open_text(path, encoding, "") as stream:
        return detect_delimiter(stream.read(SNIFF_BYTES))


def _csv_raws(
    path: Path, encoding: str, mapping: ColumnMapping | None, delimiter: str | None
) -> Iterator[_Raw]:
    """Yield the raw records of a CSV file; without a mapping (to count them) any columns will do."""
    separator = delimiter or _sniffed_delimiter(path, encoding)
    with _open_text(path, encoding, "") as stream:
        lines = _Lines(stream)
        reader = csv.reader(lines, delimiter=separator)
        headers = _header(reader, path)
        if headers is None:
            return
        if mapping is not None:
            mapping.check_headers(headers, str(path))
        yield from _csv_rows(reader, lines, [header_key(h) for h in headers], separator)


def _header(reader: Any, path: Path) -> list[str] | None:
    """Return the column names: the first row that is not blank (None if there is none)."""
    try:
        return next((cells for cells in reader if any(cell.strip() for cell in cells)), None)
    except csv.Error as exc:
        raise RxStretchError(
            f"{path}:{max(reader.line_num, 1)}: cannot read the column names: {exc}"
        ) from exc


def _csv_rows(reader: Any, lines: _Lines, keys: list[str], delimiter: str) -> Iterator[_Raw]:
    row = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            # The csv module cannot resynchronize reliably; report and stop reading.
            yield _Raw(row + 1, line, error=_unreadable(exc, line, reader.line_num))
            return
        if cells is None:
            return
        row += 1
        if not any(cell.strip() for cell in cells):
            continue
        # Only a record over several lines can have swallowed the rows after it.
        spans_lines = lines.ended or reader.line_num > line
        runaway = _runaway_quote(row, line, cells, keys, lines.ended, delimiter) if spans_lines else None
        if runaway is not None:
            yield runaway
        elif len(cells) > len(keys):
            yield _Raw(row, line, error=f"has {len(cells)} cells but the header has {len(keys)}")
        else:
            yield _Raw(row, line, data=dict(zip(keys, cells, strict=False)))


def _unreadable(exc: csv.Error, line: int, last_line: int) -> str:
    if last_line > line:
        # Only a quoted cell runs over lines; one still open this far down was probably never closed.
        return (
            f"a quoted cell of this record is still open on line {last_line} ({exc}): "
            "is a quote never closed? Stopped reading here"
        )
    return f"unreadable CSV, stopped reading here: {exc}"


def _runaway_quote(
    row: int, line: int, cells: list[str], keys: list[str], ran_to_end: bool, delimiter: str
) -> _Raw | None:
    """Report a quoted cell that swallowed the rows after it, at the line where its quote opened.

    The csv module reads a quote never closed to the end of the file (``ran_to_end``); a stray
    quote further down closes it sooner, and the cell then holds lines that have a whole row's
    delimiters. Notes over a few lines, with fewer delimiters, are what multi-line cells are for.
    """
    whole_row = max(len(keys) - 1, 2)
    opened = line
    for index, cell in enumerate(cells):
        pieces = _LINE_BREAK.split(cell)
        closed = opened + len(pieces) - 1
        if ran_to_end and index == len(cells) - 1:
            message = (
                f"a quote opened on line {opened} is never closed: the rest of the file was read as one cell"
            )
        elif any(piece.count(delimiter) >= whole_row for piece in pieces[1:]):
            message = (
                f"a quote opened on line {opened} is closed only on line {closed}: what looks like "
                f"whole rows on {_lines(opened + 1, closed)} was read into this cell"
            )
        else:
            opened = closed
            continue
        field = keys[index] if index < len(keys) else ""
        return _Raw(row, opened, dict(zip(keys, cells[:index], strict=False)), message, field)
    return None


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first} to {last}"


# --- JSON ------------------------------------------------------------------------------------


def _jsonl_raws(path: Path, encoding: str) -> Iterator[_Raw]:
    with _open_text(path, encoding, None) as stream:
        row = 0
        for number, text in enumerate(_bounded_lines(stream), start=1):
            if text is not None and not text.strip():
                continue
            row += 1
            if text is None:
                yield _Raw(row, number, error=f"record is larger than {MAX_JSON_RECORD} characters")
            else:
                yield _json_line(row, number, text)


def _bounded_lines(stream: TextIO) -> Iterator[str | None]:
    """Yield each line of ``stream``, or None for a line longer than MAX_JSON_RECORD (never held whole)."""
    while line := stream.readline(MAX_JSON_RECORD + 1):
        if len(line) <= MAX_JSON_RECORD:
            yield line
            continue
        while line and not line.endswith("\n"):
            line = stream.readline(MAX_JSON_RECORD)
        yield None


def _json_line(row: int, number: int, text: str) -> _Raw:
    try:
        return _Raw(row, number, data=json.loads(text))
    except json.JSONDecodeError as exc:
        return _Raw(row, number, error=f"malformed JSON: {exc.msg} (column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        # What json raises for a number of thousands of digits, or thousands of nested [.
        return _Raw(row, number, error=f"unreadable JSON: {exc}")


def _json_array_raws(path: Path, encoding: str) -> Iterator[_Raw]:
    decoder = json.JSONDecoder()
    with _open_text(path, encoding, None) as stream:
        chunks = _Chunks(stream)
        if chunks.next_char() != "[":
            yield _Raw(1, chunks.line, error="a JSON array must start with [")
            return
        chunks.take()
        if chunks.next_char() == "]":
            return
        row = 0
        while True:
            row += 1
            chunks.next_char()
            line = chunks.line
            try:
                value = chunks.decode(decoder)
            except (ValueError, RecursionError) as exc:
                yield _Raw(row, line, error=f"malformed JSON, stopped reading here: {exc}")
                return
            yield _Raw(row, line, data=value)
            following = chunks.next_char()
            if following == "]":
                return
            if following != ",":
                yield _Raw(row + 1, chunks.line, error="malformed JSON: expected , or ] after a record")
                return
            chunks.take()


class _Chunks:
    """A text stream read in chunks, tracking the line of the next unread character."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.buffer = ""
        self.line = 1

    def next_char(self) -> str:
        """Skip whitespace and return the next character, or "" at the end."""
        while True:
            stripped = self.buffer.lstrip()
            self.line += self.buffer[: len(self.buffer) - len(stripped)].count("\n")
            self.buffer = stripped
            if self.buffer:
                return self.buffer[0]
            self.buffer = self.stream.read(_CHUNK)
            if not self.buffer:
                return ""

    def take(self) -> None:
        """Consume the next character."""
        self.buffer = self.buffer[1:]

    def decode(self, decoder: json.JSONDecoder) -> Any:
        """Decode the next value, reading more of the stream while it is incomplete."""
        while True:
            try:
                value, end = decoder.raw_decode(self.buffer)
            except json.JSONDecodeError as exc:
                more = self.stream.read(_CHUNK)
                if not more or len(self.buffer) > MAX_JSON_RECORD:
                    raise ValueError(f"{exc.msg} (line {self.line + exc.lineno - 1})") from exc
                self.buffer += more
                continue
            self.line += self.buffer[:end].count("\n")
            self.buffer = self.buffer[end:]
            return value


# --- folder of prescription files ------------------------------------------------------------


def _yaml_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".yaml", ".yml"} and p.is_file())
    except OSError as exc:
        raise RxStretchError(f"{folder}: cannot read ({exc.strerror})") from exc


def _folder_records(folder: Path, library: Library) -> Iterator[Record]:
    files = _yaml_files(folder)
    if not files:
        raise RxStretchError(f"{folder} has no records: no .yaml or .yml file in it")
    return (_folder_record(row, path, library) for row, path in enumerate(files, start=1))


def _folder_record(row: int, path: Path, library: Library) -> Record:
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
