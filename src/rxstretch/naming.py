"""Safe, distinct output file names made from patient ids and names.

A records export is hostile input: a patient "name" may be ``../../etc/passwd``, ``CON`` or
empty. A slug keeps only ``[a-z0-9-]`` after folding accents to ASCII, so it can hold no path
separator and no ``..``; Windows device names get a suffix; collisions get ``-2``, ``-3`` ….
"""

from __future__ import annotations

import re

from rxstretch.text import fold

MAX_SLUG_LENGTH = 80
EMPTY_SLUG = "patient"
# Windows refuses these as file names whatever the extension (con.pdf is the console).
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(10)} | {f"lpt{n}" for n in range(10)}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Return a file-name-safe slug of ``text``: ``[a-z0-9-]``, never empty, never reserved."""
    ascii_text = fold(text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    slug = slug[:max_length].rstrip("-") or EMPTY_SLUG
    if slug in RESERVED_NAMES:
        slug = f"{slug}-file"
    return slug


def patient_slug(patient_id: str | None, patient_name: str | None) -> str:
    """Return the base name of a patient's handout: id and name, e.g. ``p-0042-jeanne-dupont``."""
    parts = [part for part in (patient_id, patient_name) if part and part.strip()]
    return slugify(" ".join(parts))


class NameAllocator:
    """Hands out distinct names: the second ``jeanne-dupont`` becomes ``jeanne-dupont-2``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def allocate(self, base: str) -> str:
        """Return ``base``, or ``base-N`` with the smallest free N ≥ 2, and mark it taken."""
        name = base
        number = 1
        while name in self._taken:
            number += 1
            suffix = f"-{number}"
            name = base[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        self._taken.add(name)
        return name
