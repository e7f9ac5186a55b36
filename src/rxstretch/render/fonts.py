"""Register the embedded TrueType family used for all text (never a base-14 font)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from rxstretch.resources import package_file

FAMILY = "DejaVuSans"
_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bold_italic": "DejaVuSans-BoldOblique.ttf",
}


@dataclass(frozen=True)
class FontFamily:
    """The registered names of one family's four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str

    def face(self, *, bold: bool, italic: bool) -> str:
        """Return the registered name of the face for a weight and slant."""
        return getattr(self, face_key(bold=bold, italic=italic))  # type: ignore[no-any-return]


def face_key(*, bold: bool, italic: bool) -> str:
    """Return the face for a weight and slant: regular, bold, italic or bold_italic."""
    if bold and italic:
        return "bold_italic"
    if bold:
        return "bold"
    return "italic" if italic else "regular"


_NAMES = {face: f"{FAMILY}-{face}" for face in _FILES}
FAMILY_FACES = FontFamily(**_NAMES)


@cache
def _register_face(face: str) -> None:
    pdfmetrics.registerFont(TTFont(_NAMES[face], str(package_file("fonts", _FILES[face]))))


def register_family(needed: Iterable[str]) -> FontFamily:
    """Register the ``needed`` faces (once per process) and return the family's face names.

    Parsing a TrueType file is a noticeable part of a cold start, so a template that never
    uses bold italic does not pay for it.
    """
    for face in needed:
        _register_face(face)
    # Paragraph's <b> and <i> switch faces through this mapping.
    addMapping(_NAMES["regular"], 0, 0, _NAMES["regular"])
    addMapping(_NAMES["regular"], 1, 0, _NAMES["bold"])
    addMapping(_NAMES["regular"], 0, 1, _NAMES["italic"])
    addMapping(_NAMES["regular"], 1, 1, _NAMES["bold_italic"])
    return FAMILY_FACES
