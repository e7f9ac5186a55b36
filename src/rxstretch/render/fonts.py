"""Register the embedded TrueType family used for all text (never a base-14 font)."""

from __future__ import annotations

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
        """Return the face name for a weight and slant."""
        if bold and italic:
            return self.bold_italic
        if bold:
            return self.bold
        return self.italic if italic else self.regular


@cache
def register_family() -> FontFamily:
    """Register the bundled family once per process and return its face names."""
    names = {face: f"{FAMILY}-{face}" for face in _FILES}
    for face, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(names[face], str(package_file("fonts", filename))))
    # Paragraph's <b> and <i> switch faces through this mapping.
    addMapping(names["regular"], 0, 0, names["regular"])
    addMapping(names["regular"], 1, 0, names["bold"])
    addMapping(names["regular"], 0, 1, names["italic"])
    addMapping(names["regular"], 1, 1, names["bold_italic"])
    return FontFamily(**names)
