"""Read the records of a CSV export one row at a time, reporting a quote that swallowed rows."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from rxstretch.errors import RxStretchError
from rxstretch.records.encoding import open_text
from rxstretch.records.mapping import ColumnMapping
from rxstretch.records.raw import RawRecord
from rxstretch.text import header_key

SNIFF_BYTES = 64 * 1024
DELIMITERS = ";,\t|"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


# The first line Excel writes to say which delimiter a CSV uses: "sep=;".
_EXCEL_SEP = re.compile(r"sep=.", re.IGNORECASE)


def detect_delimiter(sample: str) -> str:
    """Return the delimiter of a CSV sample: the candidate most frequent in its header line."""
    header = next((line for line in sample.splitlines() if line.strip()), "")
    if _EXCEL_SEP.fullmatch(header.strip()):
        return header.strip()[-1]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Lines:
    """The lines of a text stream for csv.reader, noting whether it asked for one past the end.

    In the middle of a record, csv.reader asks past the last line only while a quoted cell is
    still open: that tells a quote never closed from one closed on the last line.
    """

    def __init__(self, stream: TextIO, max_line: int) -> None:
        self.stream = stream
        self.max_line = max_line
        self.ended = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.stream.readline(self.max_line + 1)
        if len(line) > self.max_line:
            raise csv.Error(f"a line is longer than {self.max_line} characters")
        if not line:
            self.ended = True
            raise StopIteration
        return line


def _sniffed_delimiter(path: Path, encoding: str) -> str:
    with open_text(path, encoding, "") as stream:
        return detect_delimiter(stream.read(SNIFF_BYTES))


def csv_raws(
    path: Path, encoding: str, mapping: ColumnMapping | None, delimiter: str | None, max_line: int
) -> Iterator[RawRecord]:
    """Yield the raw records of a CSV file; without a mapping (to count them) any columns will do.

    A line longer than ``max_line`` characters stops reading with a problem, never read whole.
    """
    separator = delimiter or _sniffed_delimiter(path, encoding)
    with open_text(path, encoding, "") as stream:
        lines = _Lines(stream, max_line)
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
        rows = (cells for cells in reader if any(cell.strip() for cell in cells))
        first = next(rows, None)
        if first is not None and _is_excel_sep(first):
            first = next(rows, None)
        return first
    except csv.Error as exc:
        raise RxStretchError(
            f"{path}:{max(reader.line_num, 1)}: cannot read the column names: {exc}"
        ) from exc


def _is_excel_sep(cells: list[str]) -> bool:
    """Whether a row is Excel's "sep=;" line, which names the delimiter, not the columns (split
    on that delimiter, it reads as the cells "sep=" and "")."""
    text = "".join(cells).strip()
    return text.lower() == "sep=" or bool(_EXCEL_SEP.fullmatch(text))


def _csv_rows(reader: Any, lines: _Lines, keys: list[str], delimiter: str) -> Iterator[RawRecord]:
    row = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            # The csv module cannot resynchronize reliably; report and stop reading.
            yield RawRecord(row + 1, line, error=_unreadable(exc, line, reader.line_num))
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
            yield RawRecord(row, line, error=f"has {len(cells)} cells but the header has {len(keys)}")
        else:
            yield RawRecord(row, line, data=dict(zip(keys, cells, strict=False)))


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
) -> RawRecord | None:
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
        return RawRecord(row, opened, dict(zip(keys, cells[:index], strict=False)), message, field)
    return None


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first} to {last}"
