"""How a handout uses its paper, measured from the PDF the way ``shared/tools/pdf-pages`` does.

For each page: how far down the body area ink reaches (fill), the smallest type, characters drawn
outside the page, and words of different lines printed over each other. Text drawn invisibly (a
figure's description for screen readers) is left out, as a reader never sees it.
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from PIL import ImageOps

HEADER_BAND = 0.06  # top share of the page that may hold a running header
FOOTER_BAND = 0.07  # bottom share that may hold the footer and page numbers
RENDER_SCALE = 0.35  # pixels per point: enough to find the lowest ink of a page

Box = tuple[float, float, float, float]  # left, bottom, right, top in points


@dataclass(frozen=True)
class Page:
    """What a reviewer holding the printed page would check."""

    number: int
    text: str
    fill: float
    min_pt: float | None
    outside: int
    overlaps: list[tuple[str, str]]


def _hidden_boxes(page: pdfium.PdfPage) -> list[Box]:
    boxes = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]):
        if raw.FPDFTextObj_GetTextRenderMode(obj.raw) == raw.FPDF_TEXTRENDERMODE_INVISIBLE:
            left, bottom, right, top = obj.get_bounds()
            boxes.append((left - 1, bottom - 1, right + 1, top + 1))
    return boxes


def _fill(page: pdfium.PdfPage, height: float) -> float:
    image = page.render(scale=RENDER_SCALE, grayscale=True).to_pil().convert("L")
    top = int(height * HEADER_BAND * RENDER_SCALE)
    bottom = int(height * (1 - FOOTER_BAND) * RENDER_SCALE)
    body = ImageOps.invert(image.crop((0, top, image.width, bottom))).point(lambda v: 255 if v > 20 else 0)
    box = body.getbbox()
    return 0.0 if box is None else box[3] / max(1, bottom - top)


def _words(page: pdfium.PdfPage, hidden: list[Box]) -> tuple[list[tuple[str, Box, float]], int, str]:
    """Visible words with their boxes and font sizes, the count of characters outside the page,
    and the page's text."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    count = textpage.count_chars()
    text = textpage.get_text_range()
    words: list[tuple[str, Box, float]] = []
    outside = 0
    current: list[tuple[str, Box, float]] = []

    def flush() -> None:
        if current:
            boxes = [b for _, b, _ in current]
            box = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            words.append(("".join(c for c, _, _ in current), box, min(s for _, _, s in current)))
            current.clear()

    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    for index in range(count):
        char = chr(raw.FPDFText_GetUnicode(textpage.raw, index))
        if unicodedata.category(char) == "Mn":
            continue  # a mark (Arabic vowel, accent) sits on its letter by design
        if char.isspace() or not raw.FPDFText_GetCharBox(textpage.raw, index, left, right, bottom, top):
            flush()
            continue
        box = (left.value, bottom.value, right.value, top.value)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in hidden):
            flush()
            continue
        if box[0] < -0.5 or box[2] > width + 0.5 or box[1] < -0.5 or box[3] > height + 0.5:
            outside += 1
        size = raw.FPDFText_GetFontSize(textpage.raw, index)
        if current and abs(current[-1][1][1] - box[1]) > size * 0.5:
            flush()  # a new line
        current.append((char, box, size))
    flush()
    return words, outside, text


def _overlaps(words: list[tuple[str, Box, float]]) -> list[tuple[str, str]]:
    """Pairs of words from different lines whose boxes overlap (text printed over text)."""
    found = []
    ordered = sorted(words, key=lambda w: -w[1][3])
    for i, (word_a, a, _) in enumerate(ordered):
        for word_b, b, _ in ordered[i + 1 :]:
            if b[3] <= a[1]:
                break
            height_a, height_b = a[3] - a[1], b[3] - b[1]
            if abs(a[3] - b[3]) < 0.5 * min(height_a, height_b):
                continue  # the same line: neighbours, not overprinting
            w = min(a[2], b[2]) - max(a[0], b[0])
            h = min(a[3], b[3]) - max(a[1], b[1])
            smaller = min((a[2] - a[0]) * height_a, (b[2] - b[0]) * height_b)
            if w > 0 and h > 0 and smaller > 0 and w * h > 0.3 * smaller:
                found.append((word_a, word_b))
    return found


def measure(pdf: bytes) -> list[Page]:
    """Measure every page of ``pdf``."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for number, page in enumerate(document, start=1):
        height = page.get_height()
        words, outside, text = _words(page, _hidden_boxes(page))
        sizes = [size for _, _, size in words]
        pages.append(
            Page(
                number=number,
                text=text,
                fill=_fill(page, height),
                min_pt=round(min(sizes), 1) if sizes else None,
                outside=outside,
                overlaps=_overlaps(words),
            )
        )
    document.close()
    return pages
