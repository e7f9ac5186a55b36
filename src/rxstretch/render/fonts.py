"""Register the embedded TrueType family used for all text (never a base-14 font).

The bundled family is DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew and more); a clinic can
give its own TrueType files (``--font``), for example to cover Chinese or Japanese.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError

from rxstretch.errors import RxStretchError
from rxstretch.model.frozen import frozen
from rxstretch.render.facecache import load_face
from rxstretch.render.internals import font_with_face
from rxstretch.resources import package_file

FACES = ("regular", "bold", "italic", "bold_italic")


class FontError(RxStretchError):
    """Raised when a font file cannot be used."""


@frozen
class FontFiles:
    """The TrueType files of one family; a face without a file uses the regular one."""

    name: str
    regular: Path
    bold: Path | None = None
    italic: Path | None = None
    bold_italic: Path | None = None

    def path(self, face: str) -> Path:
        """The file drawing ``face``."""
        chosen: Path | None = getattr(self, face)
        if face == "bold_italic" and chosen is None:
            chosen = self.bold or self.italic
        return chosen or self.regular


_DEJAVU = package_file("fonts")
BUNDLED_FONTS = FontFiles(
    "DejaVuSans",
    _DEJAVU / "DejaVuSans.ttf",
    _DEJAVU / "DejaVuSans-Bold.ttf",
    _DEJAVU / "DejaVuSans-Oblique.ttf",
    _DEJAVU / "DejaVuSans-BoldOblique.ttf",
)


_ATKINSON = "AtkinsonHyperlegible"
# Atkinson Hyperlegible (Braille Institute, OFL) is drawn for low vision: large-print handouts.
BUNDLED_FAMILIES = {
    "dejavu-sans": BUNDLED_FONTS,
    "atkinson-hyperlegible": FontFiles(
        _ATKINSON,
        _DEJAVU / f"{_ATKINSON}-Regular.ttf",
        _DEJAVU / f"{_ATKINSON}-Bold.ttf",
        _DEJAVU / f"{_ATKINSON}-Italic.ttf",
        _DEJAVU / f"{_ATKINSON}-BoldItalic.ttf",
    ),
}


def _digest(*paths: Path) -> str:
    # Registered names must be unique per file, and stable so output stays reproducible.
    return hashlib.sha256("|".join(str(p.resolve()) for p in paths).encode()).hexdigest()[:8]


def brand_font(faces: dict[str, Path]) -> FontFiles:
    """A clinic's own family from its brand file (regular required, other faces optional)."""
    return FontFiles(
        f"Brand{_digest(*faces.values())}",
        faces["regular"],
        faces.get("bold"),
        faces.get("italic"),
        faces.get("bold_italic"),
    )


def register_fallback(path: Path) -> str:
    """Register a user TrueType file drawing what the bundled font cannot; return its name."""
    files = FontFiles(f"Fallback{_digest(path)}", path)
    _register_face(files, "regular")
    return _face_name(files, "regular")


@frozen
class FontFamily:
    """The registered names of one family's four faces."""

    files: FontFiles
    regular: str
    bold: str
    italic: str
    bold_italic: str

    def face(self, *, bold: bool, italic: bool) -> str:
        """Return the registered name of the face for a weight and slant (registering it)."""
        key = face_key(bold=bold, italic=italic)
        _register_face(self.files, key)
        return str(getattr(self, key))


def face_key(*, bold: bool, italic: bool) -> str:
    """Return the face for a weight and slant: regular, bold, italic or bold_italic."""
    if bold and italic:
        return "bold_italic"
    if bold:
        return "bold"
    return "italic" if italic else "regular"


def _face_name(files: FontFiles, face: str) -> str:
    return f"{files.name}-{face}"


@cache
def _register_face(files: FontFiles, face: str) -> None:
    path = files.path(face)
    try:
        # TTFont(name, path), but the face parsed in an earlier run when the file is unchanged.
        pdfmetrics.registerFont(font_with_face(_face_name(files, face), load_face(path)))
    except (OSError, TTFError) as exc:
        raise FontError(f"{path}: cannot use this font ({exc}); give a TrueType (.ttf) file") from exc


def register_family(needed: tuple[str, ...] | set[str], files: FontFiles = BUNDLED_FONTS) -> FontFamily:
    """Register the ``needed`` faces now (others on first use) and return the family's names.

    Parsing a TrueType file is a noticeable part of a cold start, so a template that never
    uses bold italic does not pay for it.
    """
    for face in sorted(needed):
        _register_face(files, face)
    names = {face: _face_name(files, face) for face in FACES}
    # Paragraph's <b> and <i> switch faces through this mapping.
    addMapping(names["regular"], 0, 0, names["regular"])
    addMapping(names["regular"], 1, 0, names["bold"])
    addMapping(names["regular"], 0, 1, names["italic"])
    addMapping(names["regular"], 1, 1, names["bold_italic"])
    return FontFamily(files, **names)
