"""What a handout weighs: slim bundled fonts, and the size the 4-exercise example must stay under."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from rxstretch.api import load_prescription, render_handout
from rxstretch.model import Library
from rxstretch.resources import package_file

from .conftest import EXAMPLES, FIXED_DATE, normalize, pdf_text

BUNDLED_FONTS = sorted(package_file("fonts").glob("*.ttf"))
HINTING_TABLES = ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX")
# Issue 19's bound for the 4-exercise example with vector figures (it weighed 56 KB before the
# fonts were slimmed, 32 KB after).
MAX_EXAMPLE_BYTES = 48 * 1024


@pytest.mark.parametrize("path", BUNDLED_FONTS, ids=lambda path: path.name)
def test_bundled_fonts_carry_no_hinting_or_licence_copy(path: Path) -> None:
    # ReportLab copies these into every subset; tools/slim_fonts.py removes them. A font replaced
    # without running the tool fails here.
    with TTFont(path) as font:
        assert [tag for tag in HINTING_TABLES if tag in font] == []
        glyphs = font["glyf"]
        instructed = [name for name in font.getGlyphOrder() if _has_instructions(glyphs[name])]
        assert instructed == []
        name_ids = {record.nameID for record in font["name"].names}
    assert 13 not in name_ids  # the licence text: it ships in LICENSE-*.txt instead
    assert {0, 1, 2, 14} <= name_ids  # copyright, family, style and the licence URL stay


def _has_instructions(glyph: object) -> bool:
    program = getattr(glyph, "program", None)
    return program is not None and bool(program.getBytecode())


def test_bundled_font_licences_ship_beside_the_fonts() -> None:
    licences = {path.name for path in package_file("fonts").glob("LICENSE-*.txt")}
    assert licences == {"LICENSE-DejaVu.txt", "LICENSE-AtkinsonHyperlegible.txt"}


def test_four_exercise_example_stays_small_and_complete(library: Library) -> None:
    prescription = load_prescription(EXAMPLES / "low-back.yaml", library)
    pdf = render_handout(prescription, library=library, today=FIXED_DATE)
    assert len(pdf) <= MAX_EXAMPLE_BYTES
    # Small, but nothing dropped: every face used is embedded and the text is all there.
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        font.get_object()["/BaseFont"].split("+", 1)[1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold"}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            assert "/FontFile2" in font.get_object()["/FontDescriptor"]
    text = normalize(pdf_text(pdf))
    for exercise_id in ("knees-to-chest", "cat-cow", "piriformis-stretch", "hamstring-stretch-strap"):
        assert library.exercises[exercise_id].text["en"].name in text
