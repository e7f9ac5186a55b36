"""Open text files past their byte order mark and find bytes that do not decode, in constant memory."""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import BinaryIO, TextIO

from rxstretch.errors import RxStretchError


def bom_encoding(head: bytes) -> str | None:
    """Return the encoding the byte order mark at the start of ``head`` names, or None."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def encoding_problem(name: str) -> str | None:
    """Why text files cannot be opened in the encoding ``name``, or None if they can."""
    try:
        # The way the file will be opened, which also refuses bytes-to-bytes codecs (base64).
        io.TextIOWrapper(io.BytesIO(), encoding=name)
    except LookupError:
        return f'unknown encoding "{name}"; use e.g. utf-8, utf-8-sig or cp1252'
    return None


def check_encoding_name(name: str) -> None:
    """Raise RxStretchError unless ``name`` is an encoding text files can be opened in."""
    problem = encoding_problem(name)
    if problem is not None:
        raise RxStretchError(problem)


def undecodable(path: Path, encoding: str, chunk_size: int) -> tuple[int, str] | None:
    """Return the line and reason of the first bytes of ``path`` not in ``encoding``, or None.

    The file is read in chunks through an incremental decoder, in constant memory; a character
    cut in two between chunks is joined, not an error.
    """
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open_after_bom(path) as stream:
        while True:
            chunk = stream.read(chunk_size)
            state = decoder.getstate()
            try:
                line += decoder.decode(chunk, final=not chunk).count("\n")
            except UnicodeDecodeError as exc:
                return line + _breaks_before(decoder, state, chunk, exc), exc.reason
            except UnicodeError as exc:  # not about some bytes: "UTF-16 stream does not start with BOM"
                return line, str(exc)
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


def open_bytes(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes; a file that cannot be opened raises RxStretchError."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise RxStretchError(f"{path}: cannot read ({exc.strerror})") from exc


def open_after_bom(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes, past a UTF-8 byte order mark if it starts with one."""
    # A UTF-8 byte order mark is never data, whatever the encoding: read as cp1252 (a file
    # with a BOM that is not UTF-8 after all) it would become "ï»¿" before the first column name.
    stream = open_bytes(path)
    if stream.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
        stream.seek(0)
    return stream


def open_text(path: Path, encoding: str, newline: str | None) -> TextIO:
    """Open ``path`` as text in ``encoding``, past a UTF-8 byte order mark."""
    return io.TextIOWrapper(open_after_bom(path), encoding=encoding, newline=newline)
