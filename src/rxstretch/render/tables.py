"""Tables that never fall back to ReportLab's unembedded default font."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Table, TableStyle


def make_table(
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    font: str,
    commands: Sequence[tuple[Any, ...]] = (),
) -> Table:
    """Return a Table whose cells use ``font``.

    A Table sets its cell font on the canvas even for cells holding Paragraphs; left at its
    default that is Helvetica, which would put an unembedded base-14 font into the PDF.
    """
    table = Table([list(row) for row in rows], colWidths=list(widths), hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands]))
    return table
