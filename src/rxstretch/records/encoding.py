"""Open text files past their byte order mark and find bytes that do not decode, in constant memory."""

from __future__ import annotations

import codecs
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
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


# --- code pages ------------------------------------------------------------------------------
# The code pages clinics' exports come in when they are neither UTF-8 nor marked by a BOM.
CODE_PAGES = (
    *(f"cp{n}" for n in range(1250, 1259)),
    *(f"iso8859_{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16)),
    "mac_roman",
)
# How much of a file the code page is judged on: names repeat their letters within a few rows.
SAMPLE_BYTES = 256 * 1024
MAX_CANDIDATES = 6  # readings named in the error; the detector's likeliest come first
# Letters of Western European names in cp1252. Ð ð Þ þ Ý ý (Icelandic) are left out: they are
# what Turkish ğ ş ı İ become when a cp1254 file is read as cp1252.
_WESTERN_LETTERS = frozenset("ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜßàáâãäåæçèéêëìíîïñòóôõöøùúûüÿŒœŠšŽžŸªº")
# Punctuation that may touch a letter ("“Walk”", "Müller’s"); any other symbol beside a letter
# ("£ukasz" for Łukasz, "¯ó³æ" for Żółć) is a letter of another code page misread.
# "N°" (numéro) heads French columns; ° is 0xB0 in every Western and Central European code page.
_QUOTES = frozenset("‘’“”«»‹›„‚°")
# The letters beyond ASCII of the languages written in the Latin script with these code pages
# (lower case). A name's word uses one language's letters: "Jiøí" (Czech "Jiří" read as cp1252)
# is no word of any Western language, and a whole export usually keeps to one language's set,
# which tells "Żółć" (cp1250, Polish) from "Żółæ" (ISO-8859-16 misread).
_WESTERN_ALPHABETS = {
    "fr": "àâæçéèêëîïôœùûüÿ",
    "de": "äöüß",
    "es": "áéíñóúü",
    "pt": "áâãàçéêíóôõú",
    "it": "àèéìíîòóùú",
    "nl": "áéíóúàèëïöü",
    "ca": "àçèéíïòóúü",
    "da": "æøåéó",
    "sv": "åäöé",
    "fi": "äöåšž",
    "ga": "áéíóú",
}
_ALPHABETS = {
    **_WESTERN_ALPHABETS,
    "pl": "ąćęłńóśźż",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "hu": "áéíóöőúüű",
    "ro": "ăâîșțşţ",
    "hr": "čćđšž",
    "tr": "çğıöşüâîû",
    "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž",
    "et": "äöõüšž",
    "sq": "çë",
    "vi": "àáâãèéêìíòóôõùúýăđĩũơư",
}
_ORDINALS = frozenset("ªº")  # "Nº", "1ª": in any Western text
# Portuguese writes õ before e ("Simões"); elsewhere it is Hungarian ő read as cp1252 ("Erdõs").
_HUNGARIAN_AS_WESTERN = re.compile("õ(?!e)", re.IGNORECASE)
# A word: ASCII letters and any non-ASCII characters; ASCII digits, spaces and punctuation end it.
_WORD = re.compile(r"[A-Za-z\u0080-\U0010ffff]+")


def guess_code_page(path: Path, head: bytes) -> str:
    """Return the code page ``head`` (the start of ``path``, not UTF-8) is in, or refuse.

    cp1252 when the text reads as Western European names; otherwise the one reading
    charset-normalizer offers that is plausible text. When several readings are plausible
    (cp1253 Greek also reads as Cyrillic; cp1254 Turkish as Western), RxStretchError names them
    with a sample word each and asks for ``--encoding``: a guess would print mojibake on
    handouts with exit status 0.
    """
    head = head[: head.rfind(b"\n") + 1] or head  # not a character cut in two at the end
    western = head.decode("cp1252", errors="ignore")  # undefined bytes are reported by line later
    if _plausible(western, western=True):
        return "cp1252"
    from charset_normalizer import from_bytes  # only for files that are neither UTF-8 nor cp1252

    readings: dict[str, str] = {}  # text -> first code page giving it, in the detector's order
    for match in from_bytes(head, cp_isolation=list(CODE_PAGES)):
        text = str(match)
        if text not in readings and _plausible(text, western=False):
            readings[text] = match.encoding
    if len(readings) > 1:
        # Several readings are names; one in a single language's letters is the text as
        # written (the others mix the letters of several: what a wrong code page gives).
        in_one_language = {text: name for text, name in readings.items() if _one_language(text)}
        if len(in_one_language) == 1:
            readings = in_one_language
    if len(readings) == 1:
        return next(iter(readings.values()))
    if not readings:
        raise RxStretchError(
            f"{path}: cannot tell the file's encoding (it is not UTF-8, and no code page reads it "
            "as names); give it with --encoding, or save the file again as UTF-8"
        )
    samples = _differing_words(list(readings))
    shown = list(zip(readings.values(), samples, strict=True))[:MAX_CANDIDATES]
    candidates = ", ".join(f'{name} ("{sample}")' for name, sample in shown)
    if len(readings) > MAX_CANDIDATES:
        candidates += f" and {len(readings) - MAX_CANDIDATES} more"
    raise RxStretchError(
        f"{path}: cannot tell the file's encoding for sure: it reads as {candidates}; "
        "give the right one with --encoding, or save the file again as UTF-8"
    )


def _plausible(text: str, *, western: bool) -> bool:
    """Whether ``text`` reads as names: each word in one script, no symbol inside a word."""
    for word in _non_ascii_words(text):
        if western and len(word) > 1 and word.isalpha() and not any(c.isascii() for c in word):
            return False  # "ãåã": Hebrew, Arabic or Cyrillic letters read as accented Latin ones
        scripts = set()
        for index, char in enumerate(word):
            if char.isalpha():
                if western and not char.isascii() and char not in _WESTERN_LETTERS:
                    return False
                scripts.add(unicodedata.name(char, "?").split()[0])
            elif char not in _QUOTES and _touches_letter(word, index):
                return False
        if len(scripts) > 1:
            return False
        if western and not _western_word(word):
            return False
    return True


def _letters(text: str) -> set[str]:
    """The distinct letters beyond ASCII of ``text``, in lower case."""
    found: set[str] = set()
    for word in _non_ascii_words(text):
        found.update(c.lower()[0] for c in word if c.isalpha() and not c.isascii() and c not in _ORDINALS)
    return {c for c in found if not c.isascii()}  # "İ".lower() is "i" and a combining dot


def _in_one(letters: set[str], alphabets: dict[str, str]) -> bool:
    return any(letters <= set(alphabet) for alphabet in alphabets.values())


def _one_language(text: str) -> bool:
    """Whether the letters of ``text`` beyond ASCII are one language's: a Latin alphabet above,
    or (other scripts) letters of a single script."""
    letters = _letters(text)
    scripts = {unicodedata.name(c, "?").split()[0] for c in letters}
    if scripts == {"LATIN"}:
        return _in_one(letters, _ALPHABETS)
    return len(scripts) <= 1


def _western_word(word: str) -> bool:
    """Whether ``word`` is written in one Western language's letters: "Jiøí" and "Dvoøák" (Czech
    read as cp1252) and "Erdõs" (Hungarian) are not."""
    return _in_one(_letters(word), _WESTERN_ALPHABETS) and not _HUNGARIAN_AS_WESTERN.search(word)


def _non_ascii_words(text: str) -> Iterator[str]:
    """The runs of letters and non-ASCII characters in ``text`` that have a non-ASCII one."""
    for match in _WORD.finditer(text):
        if not match.group().isascii():
            yield match.group()


def _touches_letter(word: str, index: int) -> bool:
    return any(0 <= at < len(word) and word[at].isalpha() for at in (index - 1, index + 1))


def _differing_words(texts: list[str]) -> list[str]:
    """For each reading in ``texts``, the first word it reads differently from another reading."""
    words = [list(_non_ascii_words(text)) for text in texts]
    samples = []
    for index, own in enumerate(words):
        other = words[1 if index == 0 else 0]
        pairs = itertools.zip_longest(own, other, fillvalue="")
        samples.append(next((mine[:30] for mine, theirs in pairs if mine != theirs), ""))
    return samples
