"""Regenerate the README's page pictures: docs/handout-first-page.png and docs/layout-*.png.

Run from the repository root (needs the test extra, for pypdfium2):

    python docs/make_pages.py
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium

from rxstretch.api import load_library, load_prescription, render_handout
from rxstretch.output import write_atomic

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def page_png(pdf: bytes, *, width: int) -> bytes:
    """Page one of ``pdf`` as a PNG ``width`` pixels wide, in a palette (small files)."""
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    image = page.render(scale=width / page.get_width()).to_pil().convert("RGB")
    buffer = io.BytesIO()
    image.quantize(colors=128).save(buffer, "PNG", optimize=True)
    page.close()
    document.close()
    return buffer.getvalue()


def main() -> None:
    library = load_library(use_env=False)
    prescription = load_prescription(ROOT / "examples" / "low-back.yaml", library)
    brand = ROOT / "examples" / "brand.yaml"
    first = render_handout(prescription, library=library, brand=brand, paper="A4")
    write_atomic(DOCS / "handout-first-page.png", page_png(first, width=662), force=True)
    for template in ("standard", "compact", "large-print"):
        pdf = render_handout(prescription, library=library, brand=brand, template=template, paper="A4")
        write_atomic(DOCS / f"layout-{template}.png", page_png(pdf, width=497), force=True)


if __name__ == "__main__":
    main()
