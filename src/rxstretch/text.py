"""Fold text for forgiving comparisons: "Hernie discale" matches "hernie  DISCALE" and "hernié"."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lowercase, strip accents and turn every run of punctuation or spaces into one space."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", bare).strip()
