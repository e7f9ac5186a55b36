"""The ReportLab internals behind rxstretch.render.internals, checked against the installed ReportLab.

Each test names what an upgrade broke, so a new ReportLab fails here first and loudly, rather
than as a shifted byte in a handout.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
import tomllib
from reportlab import Version, rl_config
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Frame, KeepTogether, Paragraph

from rxstretch.render import internals
from rxstretch.render.fonts import BUNDLED_FAMILIES, BUNDLED_FONTS

from .conftest import REPO


def test_reportlab_is_the_major_version_tested_and_bounded() -> None:
    assert int(Version.split(".")[0]) == internals.TESTED_MAJOR, "check render/internals.py, then bump"
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    reportlab = [d for d in pyproject["project"]["dependencies"] if d.startswith("reportlab")]
    assert reportlab == [f"reportlab>=4.2,<{internals.TESTED_MAJOR + 1}"]


def test_a_canvas_keeps_its_operators_in_a_list_it_appends_to() -> None:
    canvas = Canvas(io.BytesIO(), invariant=1)
    operators = internals.canvas_operators(canvas)
    assert isinstance(operators, list), "Canvas._code is no longer the list of operators"
    before = len(operators)
    canvas.line(0, 0, 10, 10)
    assert len(internals.canvas_operators(canvas)) > before, "drawing no longer appends to Canvas._code"
    assert any(re.search(r"\bl\b", op) for op in operators[before:]), "Canvas._code holds no path operators"


def test_a_canvas_restarts_a_page_without_emitting_it() -> None:
    canvas = Canvas(io.BytesIO(), invariant=1)
    canvas.line(0, 0, 10, 10)
    internals.restart_page(canvas)
    assert not any(re.search(r"\bl\b", op) for op in internals.canvas_operators(canvas)), (
        "Canvas._startPage no longer starts a fresh page"
    )
    assert canvas.getPageNumber() == 2, "Canvas._startPage no longer moves to the next page number"


def test_a_paragraph_keeps_its_layout_after_wrap_and_takes_it_back() -> None:
    style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12)
    text = "Lie on your back, bend both knees and bring them towards your chest. " * 3
    first = Paragraph(text, style)
    size = first.wrap(120, 1000)
    widths, lines, height, frags = internals.paragraph_layout(first)
    assert isinstance(widths, list) and height == size[1] and isinstance(frags, list)
    assert len(lines.lines) > 1, "Paragraph.blPara no longer holds the broken lines"
    second = Paragraph(text, style)
    second.width = 120
    internals.restore_paragraph_layout(second, (widths, lines, height, frags))
    assert [p.getPlainText() for p in second.split(120, 30)] == [
        p.getPlainText() for p in first.split(120, 30)
    ], "a restored layout no longer splits like the original"


def test_plain_streams_drop_ascii85_for_one_document_only() -> None:
    assert rl_config.useA85 == 1
    buffer = io.BytesIO()
    with internals.plain_streams():
        canvas = Canvas(buffer, invariant=1)
        canvas.drawString(10, 10, "x")
        canvas.save()
    assert rl_config.useA85 == 1, "the setting leaked out of the document"
    assert b"ASCII85Decode" not in buffer.getvalue()
    assert b"FlateDecode" in buffer.getvalue()


def test_importing_the_renderer_changes_no_global_setting() -> None:
    code = "from reportlab import rl_config; import rxstretch.render.document; print(rl_config.useA85)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"


def test_a_keep_together_holds_its_flowables_and_a_frame_its_cursor() -> None:
    style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12)
    inner = [Paragraph("one", style), Paragraph("two", style)]
    assert internals.kept_flowables(KeepTogether(inner)) == inner, "KeepTogether._content changed"
    frame = Frame(0, 0, 100, 200, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    assert internals.frame_cursor(frame) == 200, "Frame._y no longer starts at the frame's top"
    canvas = Canvas(io.BytesIO(), invariant=1)
    assert frame.add(Paragraph("one", style), canvas)
    assert internals.frame_cursor(frame) == 188, "Frame._y no longer moves down as flowables are added"
    assert internals.frame_height(inner[0]) is None


@pytest.mark.parametrize("family", ["dejavu-sans", "atkinson-hyperlegible"])
def test_a_face_rebuilt_from_its_attributes_is_the_parsed_face(family: str) -> None:
    path = str(BUNDLED_FAMILIES[family].regular)  # 2048 units per em, and 1000
    parsed = TTFontFace(path)
    assert {"_ttf_data", "_pdfScale", "unitsPerEm", "charWidths"} <= vars(parsed).keys(), (
        "TTFontFile.extractInfo no longer leaves the file bytes, scale and metrics on the face"
    )
    attributes = internals.face_attributes(parsed)
    assert "_ttf_data" not in attributes and "_pdfScale" not in attributes
    rebuilt = internals.restored_face(attributes, parsed._ttf_data)
    assert vars(rebuilt).keys() == vars(parsed).keys()
    assert all(getattr(rebuilt, name) is value for name, value in attributes.items())
    for units in (0, 1, 1000, 2048, 37.5):
        assert rebuilt._pdfScale(units) == parsed._pdfScale(units), "extractInfo scales otherwise"
    assert rebuilt.getCharWidth(ord("A")) == parsed.getCharWidth(ord("A"))


def test_a_font_made_with_a_parsed_face_is_the_font_made_from_the_file() -> None:
    path = str(BUNDLED_FONTS.bold)
    made = TTFont("Made-bold", path)
    face = TTFontFace(path)
    given = internals.font_with_face("Made-bold", face)
    assert given.face is face
    assert vars(given).keys() == vars(made).keys(), "TTFont.__init__ sets other attributes now"
    for name, value in vars(made).items():
        if name != "face":
            assert type(getattr(given, name)) is type(value), name
            assert name in ("encoding", "state") or getattr(given, name) == value, name
    assert given.stringWidth("Knees to chest", 10) == made.stringWidth("Knees to chest", 10)
