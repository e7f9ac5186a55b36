"""Every ReportLab internal rxstretch relies on, in one place.

ReportLab has no public API for these: the operators a canvas has written so far, its page
reset, the layout a Paragraph keeps after ``wrap``, and the ASCII85 stream setting (a process
global). tests/test_reportlab_internals.py checks each against the installed ReportLab and
fails loudly when one changes; pyproject.toml bounds ReportLab to the major version tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reportlab import rl_config
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
