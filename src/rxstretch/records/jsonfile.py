"""Read the records of a JSON array or a JSON Lines file one at a time, each of bounded size."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, TextIO

from rxstretch.records.encoding import open_text
from rxstretch.records.raw import RawRecord

MAX_JSON_RECORD = 1024 * 1024
_CHUNK = 64 * 1024


def jsonl_raws(path: Path, encoding: str) -> Iterator[RawRecord]:
    """Yield the raw records of a JSON Lines file, one a line; blank lines are not records."""
    with open_text(path, encoding, None) as stream:
        row = 0
        for number, text in enumerate(_bounded_lines(stream), start=1):
            if text is not None and not text.strip():
                continue
            row += 1
            if text is None:
                yield RawRecord(row, number, error=f"record is larger than {MAX_JSON_RECORD} characters")
            else:
                yield json_record(row, number, text)


def _bounded_lines(stream: TextIO) -> Iterator[str | None]:
    """Yield each line of ``stream``, or None for a line longer than MAX_JSON_RECORD (never held whole)."""
    while line := stream.readline(MAX_JSON_RECORD + 1):
        if len(line) <= MAX_JSON_RECORD:
            yield line
            continue
        while line and not line.endswith("\n"):
            line = stream.readline(MAX_JSON_RECORD)
        yield None


class _KeysTwice(dict[str, Any]):
    """A JSON object in which a key is written more than once; json keeps only the last value."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    twice = _KeysTwice(found)
    twice.repeated = tuple(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
    return twice


def _repeated_keys(value: Any) -> list[str]:
    """Keys written twice in any object of ``value`` (a dosage given twice must not pass quietly).

    Walked with a stack, not recursion: a hostile record may nest thousands of levels deep.
    """
    found: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            found += item.repeated if isinstance(item, _KeysTwice) else ()
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return found


def _checked(row: int, line: int, value: Any) -> RawRecord:
    repeated = _repeated_keys(value)
    if repeated:
        keys = ", ".join(f'"{key}"' for key in dict.fromkeys(repeated))
        return RawRecord(row, line, error=f"{keys} written twice in this record; give each key once")
    return RawRecord(row, line, data=value)


def json_record(row: int, number: int, text: str) -> RawRecord:
    """Parse one JSON record (a line, or a whole file such as a FHIR Bundle): its data, or why not."""
    try:
        return _checked(row, number, json.loads(text, object_pairs_hook=_object))
    except json.JSONDecodeError as exc:
        return RawRecord(row, number, error=f"malformed JSON: {exc.msg} (column {exc.colno})")
    except (ValueError, RecursionError) as exc:
        # What json raises for a number of thousands of digits, or thousands of nested [.
        return RawRecord(row, number, error=f"unreadable JSON: {exc}")


def json_array_raws(path: Path, encoding: str) -> Iterator[RawRecord]:
    """Yield the raw records of a JSON array, decoded element by element; malformed JSON stops it."""
    decoder = json.JSONDecoder(object_pairs_hook=_object)
    with open_text(path, encoding, None) as stream:
        chunks = _Chunks(stream)
        if chunks.next_char() != "[":
            yield RawRecord(1, chunks.line, error="a JSON array must start with [")
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
                yield RawRecord(row, line, error=f"malformed JSON, stopped reading here: {exc}")
                return
            yield _checked(row, line, value)
            following = chunks.next_char()
            if following == "]":
                return
            if following != ",":
                yield RawRecord(row + 1, chunks.line, error="malformed JSON: expected , or ] after a record")
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
