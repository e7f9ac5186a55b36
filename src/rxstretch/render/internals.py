"""Every ReportLab internal rxstretch relies on, in one place.

ReportLab has no public API for these: the operators a canvas has written so far, its page
reset, the layout a Paragraph keeps after ``wrap``, the ASCII85 stream setting (a process
global), and what a parsed TrueType face holds (kept between runs by render/facecache.py).
tests/test_reportlab_internals.py checks each against the installed ReportLab and fails loudly
when one changes; pyproject.toml bounds ReportLab to the major version tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fnmatch import fnmatch
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.pdfbase.ttfonts import TTEncoding, TTFont, TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, KeepTogether, Paragraph

# The ReportLab major version these internals were checked against (see pyproject.toml).
TESTED_MAJOR = 5

# A paragraph laid out at one width: ReportLab's _wrapWidths, blPara and height, and the
# fragments its line breaks index into (ReportLab's breakLines replaces a paragraph's frags
# with the words it broke them into, and a later split slices those).
ParagraphLayout = tuple[list[float], Any, float, list[Any]]


def canvas_operators(canvas: Canvas) -> list[str]:
    """The canvas's content stream so far: its list of operators, appended to in order."""
    code: list[str] = canvas._code  # type: ignore[attr-defined]
    return code


def restart_page(canvas: Canvas) -> None:
    """Start a fresh page on ``canvas`` without emitting the current one (ReportLab's own reset)."""
    canvas._startPage()  # type: ignore[attr-defined]


def paragraph_layout(paragraph: Paragraph) -> ParagraphLayout:
    """The layout ``paragraph.wrap`` left on ``paragraph``."""
    held: Any = paragraph
    return held._wrapWidths, held.blPara, held.height, held.frags


def restore_paragraph_layout(paragraph: Paragraph, layout: ParagraphLayout) -> None:
    """Put back a layout taken by :func:`paragraph_layout` at the same width."""
    held: Any = paragraph
    held._wrapWidths, held.blPara, held.height, held.frags = layout


def kept_flowables(keep: KeepTogether) -> list[Flowable]:
    """The flowables ``keep`` holds together (its ``wrap`` only says "split me": a height of
    0xffffff, which makes any KeepTogether holding another one think itself taller than a page)."""
    content: list[Flowable] = keep._content  # type: ignore[attr-defined]
    return content


def frame_height(flowable: Flowable) -> float | None:
    """The height of the frame ``flowable`` is being laid out in; None before layout."""
    frame: Any = getattr(flowable, "_frame", None)
    return None if frame is None else float(frame._height)


def frame_cursor(frame: Frame) -> float:
    """Where on the page the next flowable in ``frame`` would go: the top of the space left."""
    held: Any = frame
    return float(held._y)


@contextmanager
def plain_streams() -> Iterator[None]:
    """Write Flate-compressed streams without ASCII85 on top while one document is made.

    ASCII85 only makes streams bigger and slower to write. ReportLab reads the setting from a
    process-global while it builds and saves, so it is set for the document and put back after.
    """
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


# What a TrueType face holds that is not worth keeping: the file's bytes (read again, cheaply)
# and the function scaling font units to PDF units (a lambda; rebuilt by restored_face).
_FACE_REBUILT = ("_ttf_data", "_pdfScale")


def face_attributes(face: TTFontFace) -> dict[str, Any]:
    """What ReportLab's parse (``TTFontFile.extractInfo``) left on ``face``, but the file bytes
    and the scale function."""
    return {name: value for name, value in vars(face).items() if name not in _FACE_REBUILT}


def _identity(x: Any) -> Any:
    return x


def _em_scaled(factor: float, x: Any) -> Any:
    return x * factor


def restored_face(attributes: dict[str, Any], data: bytes) -> TTFontFace:
    """A face as ReportLab's parse leaves it, from :func:`face_attributes` and the file's bytes."""
    face: TTFontFace = TTFontFace.__new__(TTFontFace)
    vars(face).update(attributes)
    face._ttf_data = data  # type: ignore[attr-defined]
    units: int = attributes["unitsPerEm"]
    # As extractInfo does: font units are 1/unitsPerEm of an em, PDF units 1/1000.
    face._pdfScale = _identity if units == 1000 else partial(_em_scaled, 1000 / units)  # type: ignore[attr-defined]
    return face


def font_with_face(name: str, face: TTFontFace) -> TTFont:
    """``TTFont(name, path)`` for a face already parsed: what TTFont.__init__ sets, but the face."""
    font: TTFont = TTFont.__new__(TTFont)
    font.fontName = name
    font.face = face
    font.encoding = TTEncoding()
    font.state = WeakKeyDictionary()
    font._asciiReadable = rl_config.ttfAsciiReadable  # type: ignore[attr-defined]
    font.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob or ())
    return font
