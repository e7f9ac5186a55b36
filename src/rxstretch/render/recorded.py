"""Drawings turned into PDF operators once, then replayed into every document that shows them.

Walking a figure's few hundred shapes through ReportLab's renderer costs more than laying out
the text around it, and a batch shows the same figures hundreds of times. The operators a
drawing produces are plain path and colour commands, the same in every document, so they are
recorded once and added literally. Text is the exception: each document numbers its own fonts
and subsets, so strings are drawn live on top of the replayed shapes.
"""

from __future__ import annotations

import io
import re

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, String
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from rxstretch.model.frozen import frozen
from rxstretch.render.internals import canvas_operators

# Operators that name a document's resources (fonts, images, transparency, shadings,
# patterns): such operators would point at nothing, or at the wrong thing, in another document.
_RESOURCE_OPERATORS = re.compile(r"/\S+\s+(?:[\d.\s-]*)(?:Tf|Do|gs|sh|cs|CS|scn|SCN)\b")


def record_operators(drawing: Drawing) -> str | None:
    """The PDF operators that draw ``drawing`` at the origin, or None if they are not replayable."""
    canvas = Canvas(io.BytesIO(), invariant=1)
    # ReportLab has no public reader for a canvas's content stream; its list of operators
    # is the stream, in order, and only what this drawing appends to it is kept.
    code = canvas_operators(canvas)
    start = len(code)
    renderPDF.draw(drawing, canvas, 0, 0)
    operators = "\n".join(code[start:])
    return None if _RESOURCE_OPERATORS.search(operators) else operators


@frozen
class Recording:
    """What replays a drawing without building it: its size, its shapes' operators, and the
    strings drawn live on top (None: there are none). Plain data, so it can be kept between runs."""

    width: float
    height: float
    operators: str
    labels: Drawing | None


def record(drawing: Drawing) -> Recording | None:
    """``drawing`` recorded for replay, or None if its shapes' operators are not replayable."""
    shapes = Drawing(drawing.width, drawing.height)
    labels = Drawing(drawing.width, drawing.height)
    for name in ("initialFontName", "renderScale"):
        if hasattr(drawing, name):
            setattr(shapes, name, getattr(drawing, name))
            setattr(labels, name, getattr(drawing, name))
    for node in drawing.contents:
        (labels if isinstance(node, String) else shapes).add(node)
    operators = record_operators(shapes)
    if operators is None:
        return None
    width, height = drawing.wrap(0, 0)
    return Recording(width, height, operators, labels if labels.contents else None)


class RecordedDrawing(Flowable):
    """A Drawing as a flowable whose shapes are replayed from recorded operators.

    Its top-level strings (step numbers) are drawn live after the shapes. Should a drawing's
    operators not be replayable, it is drawn live, whole, every time. It is made from a Drawing,
    or from a Recording kept earlier (then no Drawing is built at all).
    """

    def __init__(self, drawing: Drawing | Recording) -> None:
        super().__init__()
        if isinstance(drawing, Recording):
            self.recording: Recording | None = drawing
            self.drawing: Drawing | None = None
            self.width, self.height = drawing.width, drawing.height
        else:
            self.recording = record(drawing)
            self.drawing = None if self.recording else drawing  # kept only to be drawn live
            self.width, self.height = drawing.wrap(0, 0)

    @property
    def replayable(self) -> bool:
        """Whether the shapes are replayed from recorded operators (False: drawn live)."""
        return self.recording is not None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        if self.drawing is not None:
            renderPDF.draw(self.drawing, self.canv, 0, 0)
        elif self.recording is not None:
            self.canv.addLiteral(self.recording.operators)
            if self.recording.labels is not None:
                renderPDF.draw(self.recording.labels, self.canv, 0, 0)
