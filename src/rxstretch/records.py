"""Read records exports one record at a time: CSV, JSON array, JSON Lines, a folder of YAML.

Nothing is read whole: CSV goes through the csv module over a text stream, JSON arrays are
decoded element by element, JSON Lines line by line. Each record becomes a :class:`Record`
holding either a Prescription or the problems that stopped it.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, TextIO

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
DELIMITERS = ";,\t|"
_CHUNK = 64 * 1024


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


def detect_encoding(path: Path) -> str:
    """Return the encoding of a text export: a BOM wins, then UTF-8 if the start decodes, else cp1252."""
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # An incremental decoder tolerates a character cut in two at the end of the sample.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < SNIFF_BYTES)
    except UnicodeDecodeError:
        return "cp1252"  # what Excel writes for "CSV (separator: semicolon)" on Western Windows
    return "utf-8"


def detect_delimiter(sample: str) -> str:
    """Return the delimiter of a CSV sample: the candidate most frequent in its header line."""
    header = sample.splitlines()[0] if sample else ""
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
        with path.open("rb") as stream:
            start = stream.read(4096).lstrip(codecs.BOM_UTF8 + b" \t\r\n")
        return "json" if start.startswith(b"[") else "jsonl"
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
    """Yield every record of ``path`` in order; a broken record carries its problems."""
    kind = detect_format(path) if input_format == "auto" else input_format
    if kind == "folder":
        yield from _folder_records(path, library)
        return
    rows = RowReader(mapping, library)
    if kind == "csv":
        raws = _csv_raws(path, mapping, encoding or mapping.encoding, delimiter or mapping.delimiter)
    elif kind == "json":
        raws = _json_array_raws(path)
    else:
        raws = _jsonl_raws(path)
    for raw in raws:
        yield _record(raw, str(path), rows, library)


def count_records(path: Path, *, input_format: Format = "auto", encoding: str | None = None) -> int:
    """Count the records of ``path`` (for a progress bar) without building prescriptions."""
    kind = detect_format(path) if input_format == "auto" else input_format
    if kind == "folder":
        return len(_yaml_files(path))
    if kind == "csv":
        with _open_text(path, encoding) as stream:
            return max(sum(1 for _ in csv.reader(stream, delimiter=_sniff_delimiter(stream))) - 1, 0)
    raws = _json_array_raws(path) if kind == "json" else _jsonl_raws(path)
    return sum(1 for _ in raws)


def _record(raw: _Raw, source: str, rows: RowReader, library: Library) -> Record:
    reader = Reader(source)
    if raw.error is not None:
        problem = Problem(source, raw.line, "", raw.error)
        return Record(raw.row, raw.line, None, None, None, (problem,))
    data = raw.data
    if not isinstance(data, Mapping):
        reader.problem(raw.line, "", "a record must be an object of fields")
        return Record(raw.row, raw.line, None, None, None, tuple(reader.problems))
    if isinstance(data.get("patient"), Mapping):
        # A whole prescription in the prescription-file layout (JSON records from a script).
        patient = data["patient"]
        patient_id = str(patient["id"]) if patient.get("id") is not None else None
        name = str(patient["name"]) if patient.get("name") is not None else None
        prescription = read_prescription(_located(data, raw.line or 0), reader, library)
    else:
        patient_id, name = rows.identity(data)
        prescription = rows.prescription(data, reader, raw.line)
    if reader.problems:
        prescription = None
    return Record(raw.row, raw.line, patient_id, name, prescription, tuple(reader.problems))


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


def _open_text(path: Path, encoding: str | None) -> TextIO:
    chosen = encoding or detect_encoding(path)
    try:
        codecs.lookup(chosen)
    except LookupError as exc:
        raise RxStretchError(f'unknown encoding "{chosen}"; use utf-8, utf-8-sig or cp1252') from exc
    return path.open("r", encoding=chosen, newline="")


def _sniff_delimiter(stream: TextIO) -> str:
    sample = stream.read(SNIFF_BYTES)
    stream.seek(0)
    return detect_delimiter(sample)


def _csv_raws(
    path: Path, mapping: ColumnMapping, encoding: str | None, delimiter: str | None
) -> Iterator[_Raw]:
    with _open_text(path, encoding) as stream:
        reader = csv.reader(stream, delimiter=delimiter or _sniff_delimiter(stream))
        try:
            headers = next(reader, None)
            if headers is None:
                raise RxStretchError(f"{path}: the file is empty")
            mapping.check_headers(headers, str(path))
            keys = [header_key(h) for h in headers]
            yield from _csv_rows(reader, keys)
        except UnicodeDecodeError as exc:
            raise RxStretchError(
                f"{path}:{reader.line_num + 1}: not {stream.encoding} text ({exc.reason}); give --encoding"
            ) from exc


def _csv_rows(reader: Any, keys: list[str]) -> Iterator[_Raw]:
    row = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            # The csv module cannot resynchronize reliably; report and stop reading.
            yield _Raw(row + 1, line, error=f"unreadable CSV, stopped reading here: {exc}")
            return
        if cells is None:
            return
        row += 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(keys):
            yield _Raw(row, line, error=f"has {len(cells)} cells but the header has {len(keys)}")
            continue
        yield _Raw(row, line, data=dict(zip(keys, cells, strict=False)))


def _jsonl_raws(path: Path) -> Iterator[_Raw]:
    with path.open("r", encoding="utf-8-sig") as stream:
        row = 0
        for number, text in enumerate(stream, start=1):
            if not text.strip():
                continue
            row += 1
            if len(text) > MAX_JSON_RECORD:
                yield _Raw(row, number, error=f"record is larger than {MAX_JSON_RECORD} bytes")
                continue
            try:
                yield _Raw(row, number, data=json.loads(text))
            except json.JSONDecodeError as exc:
                yield _Raw(row, number, error=f"malformed JSON: {exc.msg} (column {exc.colno})")


def _json_array_raws(path: Path) -> Iterator[_Raw]:
    decoder = json.JSONDecoder()
    with path.open("r", encoding="utf-8-sig") as stream:
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
            except ValueError as exc:
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


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in {".yaml", ".yml"} and p.is_file())


def _folder_records(folder: Path, library: Library) -> Iterator[Record]:
    for row, path in enumerate(_yaml_files(folder), start=1):
        reader = Reader(str(path))
        try:
            data = load_yaml_file(path)
        except ValidationError as exc:
            yield Record(row, None, None, None, None, exc.problems)
            continue
        prescription = read_prescription(data, reader, library)
        patient = data.get("patient") if isinstance(data, Mapping) else None
        patient = patient if isinstance(patient, Mapping) else {}
        found_id, found_name = patient.get("id"), patient.get("name")
        yield Record(
            row,
            1,
            str(found_id) if found_id is not None else None,
            str(found_name) if found_name is not None else None,
            prescription if not reader.problems else None,
            tuple(reader.problems),
        )
