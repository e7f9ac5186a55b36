"""What a renderer reuses between handouts (parsed paragraphs, recorded figures) changes nothing.

A batch worker keeps one renderer for thousands of handouts; each handout must come out
byte for byte as it would from a renderer that never drew anything before.
"""

from __future__ import annotations

import io
import re

import pypdfium2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from rxstretch.api import build_handout, load_prescription
from rxstretch.loaders.template import load_template
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription
from rxstretch.model.figure import FigureColors
from rxstretch.model.handout import Handout
from rxstretch.render.document import HandoutRenderer
from rxstretch.render.figures import figure_flowable, step_panels
from rxstretch.render.fonts import register_family
from rxstretch.render.recorded import RecordedDrawing
from rxstretch.render.shared_paragraphs import ParagraphCache, SharedParagraph
from rxstretch.render.text import markup

from .conftest import EXAMPLES, FIXED_DATE, pdf_text

COLORS = FigureColors(figure="#123456", accent="#ff6600", floor="#888888", prop="#cccccc")
LONG_NOTE = " ".join(f"Sentence {n} of a long note that runs over more than one page." for n in range(700))


def _renderer(template: str = "standard") -> HandoutRenderer:
    return HandoutRenderer(load_template(template), paper="A4")


def _handout(library: Library, prescription: Prescription) -> Handout:
    return build_handout(prescription, library, today=FIXED_DATE)


@pytest.mark.parametrize("template", ["standard", "compact", "large-print"])
def test_a_handout_is_the_same_after_the_renderer_drew_others(library: Library, template: str) -> None:
    example = _handout(library, load_prescription(EXAMPLES / "bas-du-dos.yaml", library))
    fresh = _renderer(template).render(example)

    shared = _renderer(template)
    every_exercise = tuple(PrescribedExercise(e) for e in library.exercises)
    others = [
        Prescription(patient=Patient("Every exercise"), exercises=every_exercise, language=language)
        for language in ("fr", "en", "ar")
    ]
    # A note long enough to be split across pages: ReportLab edits the fragments it splits.
    others.append(
        Prescription(
            patient=Patient("Long note"),
            exercises=every_exercise[:2],
            language="fr",
            notes=LONG_NOTE,
        )
    )
    for other in others:
        shared.render(_handout(library, other))
    assert shared.render(example) == fresh
    long_note = _handout(library, others[-1])
    assert shared.render(long_note) == _renderer(template).render(long_note)
    assert "Sentence 699" in pdf_text(shared.render(long_note))


STYLE = ParagraphStyle("body", fontSize=10, leading=13)
words = st.text(
    alphabet=st.characters(codec="latin-1", categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=30
)


def _page_operators(pdf: bytes) -> list[bytes]:
    """Each page's drawing operators, with the content stream's spacing made uniform."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [re.sub(rb"\s+", b" ", page.get_contents().get_data()) for page in pages]  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(
    title=words,
    body=st.lists(words, min_size=1, max_size=60).map(" ".join),
    width=st.integers(min_value=40, max_value=400),
    other_width=st.integers(min_value=40, max_value=400),
    frame_height=st.integers(min_value=40, max_value=120),
)
def test_shared_paragraphs_lay_out_like_plain_ones_whatever_came_before(
    title: str, body: str, width: int, other_width: int, frame_height: int
) -> None:
    """Three copies of one paragraph, split across small pages, drawn shared and plain.

    ReportLab re-breaks a plain paragraph from the words of its previous wrap, which can add
    empty runs (spacing in the content stream) around long words it had to cut; a shared
    paragraph always breaks from the parsed text. So the operators match plain ReportLab's,
    and the bytes match exactly whatever the cache saw before.
    """
    font = register_family({"regular", "bold"})
    style = ParagraphStyle("body", parent=STYLE, fontName=font.regular)
    text = f"<b>{markup(title)}</b> {markup(body)}"

    def build(make: type[Paragraph] | ParagraphCache, width: int) -> bytes:
        story: list[Flowable] = [
            make.paragraph(text, style) if isinstance(make, ParagraphCache) else make(text, style)
            for _ in range(3)
        ]
        buffer = io.BytesIO()
        page = (width + 20, frame_height + 20)
        margins = {f"{side}Margin": 10 for side in ("left", "right", "top", "bottom")}
        SimpleDocTemplate(buffer, pagesize=page, invariant=1, initialFontName=font.regular, **margins).build(
            story
        )
        return buffer.getvalue()

    fresh = build(ParagraphCache(), width)
    assert _page_operators(fresh) == _page_operators(build(Paragraph, width))
    warmed = ParagraphCache()
    build(warmed, other_width)
    assert build(warmed, width) == fresh
    assert build(warmed, width) == fresh  # every copy from the cache now


def test_paragraph_cache_starts_afresh_at_its_limit() -> None:
    cache = ParagraphCache(limit=3)
    first = cache.paragraph("one", STYLE)
    for n in range(10):
        cache.paragraph(f"text {n}", STYLE)
    assert len(cache._entries) <= 3
    again = cache.paragraph("one", STYLE)
    assert isinstance(again, SharedParagraph) and again.frags is not first.frags


def _pixels(flowable: Flowable, width: float, height: float) -> Image.Image:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=1)
    flowable.drawOn(canvas, 0, 0)
    canvas.showPage()
    canvas.save()
    return pypdfium2.PdfDocument(buffer.getvalue())[0].render(scale=2).to_pil().convert("RGB")


@pytest.mark.parametrize("exercise_id", ["cat-cow", "knees-to-chest", "chin-tuck", "calf-raises"])
def test_recorded_figures_look_exactly_like_live_ones(library: Library, exercise_id: str) -> None:
    figure = library.exercises[exercise_id].figure
    assert figure is not None
    for drawing in (
        step_panels(figure, width=400, height=110, colors=COLORS, font=register_family({"bold"}).bold),
        figure_flowable(figure, width=120, height=90, colors=COLORS),
    ):
        recorded = RecordedDrawing(drawing)
        assert recorded.replayable
        live = _pixels(drawing, drawing.width, drawing.height)
        replayed = _pixels(recorded, drawing.width, drawing.height)
        assert ImageChops.difference(live, replayed).getbbox() is None
        assert live.convert("L").getextrema()[0] < 128  # something was drawn


def test_every_bundled_figure_is_replayable(library: Library) -> None:
    font = register_family({"bold"}).bold
    for exercise in library.exercises.values():
        assert exercise.figure is not None
        drawing = step_panels(exercise.figure, width=400, height=110, colors=COLORS, font=font)
        assert RecordedDrawing(drawing).replayable, exercise.id


def test_drawings_that_name_document_resources_are_drawn_live() -> None:
    font = register_family({"regular"}).regular
    nested_text = Drawing(100, 40, Group(String(5, 5, "nested label", fontName=font, fontSize=9)))
    nested_text.initialFontName = font  # type: ignore[attr-defined]
    translucent = Drawing(100, 40, Rect(0, 0, 50, 20, fillOpacity=0.5))
    for drawing in (nested_text, translucent):
        recorded = RecordedDrawing(drawing)
        assert not recorded.replayable
        assert ImageChops.difference(_pixels(drawing, 100, 40), _pixels(recorded, 100, 40)).getbbox() is None
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1)
    RecordedDrawing(nested_text).drawOn(canvas, 0, 0)
    canvas.save()
    assert "nested label" in pdf_text(buffer.getvalue())


def test_styles_whose_lines_reportlab_edits_are_not_shared() -> None:
    cache = ParagraphCache()
    for style in (
        ParagraphStyle("rtl", parent=STYLE, wordWrap="RTL"),
        ParagraphStyle("hyphenated", parent=STYLE, hyphenationLang="en_GB"),
        ParagraphStyle("embedded", parent=STYLE, embeddedHyphenation=1),
        ParagraphStyle("uris", parent=STYLE, uriWasteReduce=0.3),
    ):
        assert type(cache.paragraph("text", style)) is Paragraph
    assert type(cache.paragraph("text", STYLE)) is SharedParagraph
