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


class RecordedDrawing(Flowable):
    """A Drawing as a flowable whose shapes are replayed from recorded operators.

    Its top-level strings (step numbers) are drawn live after the shapes. Should a drawing's
    operators not be replayable, it is drawn live, whole, every time.
    """

    def __init__(self, drawing: Drawing) -> None:
        super().__init__()
        self.width, self.height = drawing.wrap(0, 0)
        self.drawing = drawing
        shapes = Drawing(drawing.width, drawing.height)
        labels = Drawing(drawing.width, drawing.height)
        for name in ("initialFontName", "renderScale"):
            if hasattr(drawing, name):
                setattr(shapes, name, getattr(drawing, name))
                setattr(labels, name, getattr(drawing, name))
        for node in drawing.contents:
            (labels if isinstance(node, String) else shapes).add(node)
        self._operators = record_operators(shapes)
        self._labels = labels if labels.contents else None

    @property
    def replayable(self) -> bool:
        """Whether the shapes are replayed from recorded operators (False: drawn live)."""
        return self._operators is not None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        if self._operators is None:
            renderPDF.draw(self.drawing, self.canv, 0, 0)
            return
        self.canv.addLiteral(self._operators)
        if self._labels is not None:
            renderPDF.draw(self._labels, self.canv, 0, 0)
