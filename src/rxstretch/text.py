"""The one place text is normalised for matching: names folded across accents, case and punctuation
("Hernie discale" matches "hernie  DISCALE" and "hernié"), column headers as written."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lowercase, strip accents and turn every run of punctuation or spaces into one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare).strip()


def match_key(text: str) -> str:
    """Return the form names are compared in: accents, case and punctuation ignored."""
    return fold(text.replace("_", " "))  # fold keeps "_", a word character; ids use it as a space


def header_key(name: str) -> str:
    """Normalize a column header for matching: no BOM, trimmed, case-folded, NFC.

    Accents are kept: a header is matched as written, unlike a name (see match_key).
    """
    return unicodedata.normalize("NFC", name.replace("\ufeff", "").strip()).casefold()
