"""QR codes drawn by ReportLab itself (no network, no image files)."""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor


def qr_code(url: str, *, size: float, color: str = "#000000") -> Drawing:
    """A square QR code of ``size`` points encoding ``url`` (a Drawing is a Flowable)."""
    # Imported here: ReportLab's barcode package costs ~9 ms, and most handouts have no QR code.
    from reportlab.graphics.barcode.qr import QrCodeWidget

    widget = QrCodeWidget(url, barFillColor=HexColor(color), barBorder=2)
    left, bottom, right, top = widget.getBounds()
    width, height = right - left, top - bottom
    drawing = Drawing(size, size, transform=[size / width, 0, 0, size / height, -left * size / width, 0])
    drawing.add(widget)
    return drawing
