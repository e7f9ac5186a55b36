"""Assemble the handout PDF: page frame, clinic header, patient block, cards, footer."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageTemplate,
    Table,
)

from rxstretch import __version__
from rxstretch.handout import Handout
from rxstretch.render.cards import CardBuilder
from rxstretch.render.fonts import BUNDLED_FONTS, register_fallback, register_family
from rxstretch.render.glyphs import check_glyphs, handout_strings
from rxstretch.render.paragraphs import Texts
from rxstretch.render.styles import paragraph_styles
from rxstretch.render.tables import make_table
from rxstretch.template import PAGE_SIZES_MM, Template

PRODUCER = f"rxstretch {__version__}"


class _FooterCanvas(Canvas):
    """Canvas that holds pages back until the end so each footer can say "page X of Y"."""

    def __init__(self, *args: Any, draw_footer: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._draw_footer = draw_footer
        self._pending_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pending_pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # ReportLab's own page reset

    def save(self) -> None:
        total = len(self._pending_pages)
        for number, state in enumerate(self._pending_pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(self, number, total)
            super().showPage()
        super().save()


class HandoutRenderer:
    """Renders Handouts with one template and font family; reusable across many handouts."""

    def __init__(self, template: Template, *, paper: str, fallback_font: Path | None = None) -> None:
        self.template = template
        self.fonts = register_family({"regular"}, BUNDLED_FONTS)
        self.fallback = register_fallback(fallback_font) if fallback_font else None
        self.styles = paragraph_styles(template, self.fonts)
        width_mm, height_mm = PAGE_SIZES_MM[paper]
        self.page_size = (width_mm * mm, height_mm * mm)
        margins = {side: value * mm for side, value in template.margins_mm.items()}
        self.margins = margins
        self.frame_width = self.page_size[0] - margins["left"] - margins["right"]

    def render(self, handout: Handout, *, invariant: bool = True) -> bytes:
        """Return the PDF bytes of ``handout``; ``invariant`` makes them reproducible.

        Raises MissingGlyphError when the font cannot draw some of the handout's text.
        """
        check_glyphs(
            handout_strings(handout), [self.fonts.regular, *([self.fallback] if self.fallback else [])]
        )
        text = Texts(self.styles, self.fonts, rtl=handout.rtl, fallback=self.fallback)
        buffer = io.BytesIO()
        doc = BaseDocTemplate(
            buffer,
            pagesize=self.page_size,
            leftMargin=self.margins["left"],
            rightMargin=self.margins["right"],
            topMargin=self.margins["top"],
            bottomMargin=self.margins["bottom"],
            title=handout.title,
            author=handout.brand.name or "",
            subject=handout.subject,
            creator=PRODUCER,
            producer=PRODUCER,
            lang=handout.language,
            invariant=1 if invariant else 0,
            initialFontName=self.fonts.regular,
            initialFontSize=10,
        )
        frame = Frame(
            doc.leftMargin,
            doc.bottomMargin,
            doc.width,
            doc.height,
            id="body",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        first = PageTemplate("first", [frame])
        later = PageTemplate(
            "later", [frame], onPage=lambda canvas, _doc: self._running_header(canvas, handout, text)
        )
        doc.addPageTemplates([first, later])

        def footer(canvas: Canvas, page: int, pages: int) -> None:
            self._footer(canvas, handout, text, page, pages)

        story = self._story(handout, text)
        doc.build(story, canvasmaker=lambda *a, **k: _FooterCanvas(*a, draw_footer=footer, **k))
        return buffer.getvalue()

    def _story(self, handout: Handout, text: Texts) -> list[Flowable]:
        story: list[Flowable] = [NextPageTemplate("later")]
        story += self._clinic_header(handout, text)
        story.append(text(handout.title, "title"))
        story.append(self._details(handout, text))
        story.append(text(handout.intro, "intro"))
        builder = CardBuilder(self.template, text, handout.labels, self.frame_width)
        story += [builder.card(card) for card in handout.cards]
        # After the cards: at the top it would push the first card off page one; the intro
        # already says to stop on sharp pain, numbness or tingling.
        if handout.safety_advice:
            story.append(builder.advice_box(handout.labels.safety, handout.safety_advice))
        if handout.general_notes:
            story += [
                text(handout.labels.general_notes, "section_title"),
                text(handout.general_notes, "body"),
            ]
        if handout.follow_up:
            story += [text(handout.labels.follow_up, "section_title"), text(handout.follow_up, "body")]
        return story

    def _clinic_header(self, handout: Handout, text: Texts) -> list[Flowable]:
        brand = handout.brand
        if not brand.name:
            return []
        contact = [value for value in (brand.address, brand.phone, brand.email, brand.website) if value]
        flowables: list[Flowable] = [text(brand.name, "clinic_name")]
        if contact:
            flowables.append(text(" \u00b7 ".join(contact), "contact"))
        return flowables

    def _details(self, handout: Handout, text: Texts) -> Table:
        cells = [
            [text(label, "detail_label"), text(value, "detail_value")] for label, value in handout.details
        ]
        # Two label/value pairs per row keep the patient block short.
        if len(cells) % 2:
            cells.append([text("", "detail_value")] * 2)
        rows = [text.row([*left, *right]) for left, right in zip(cells[::2], cells[1::2], strict=True)]
        quarter = self.frame_width / 4
        return make_table(
            rows,
            text.row([quarter * 0.75, quarter * 1.25] * 2),
            font=self.fonts.regular,
            commands=[
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.75, HexColor(self.template.colors["rule"])),
                ("LINEBELOW", (0, -1), (-1, -1), 0.75, HexColor(self.template.colors["rule"])),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
        )

    def _small_line(
        self, canvas: Canvas, text: Texts, style: ParagraphStyle, y: float, start: str, end: str
    ) -> None:
        """Draw ``start`` where reading starts and ``end`` at the other margin."""
        left, right = (end, start) if text.rtl else (start, end)
        canvas.saveState()
        canvas.setFillColor(style.textColor)
        text.draw_line(canvas, self.margins["left"], y, left, style, right=False)
        text.draw_line(canvas, self.page_size[0] - self.margins["right"], y, right, style, right=True)
        canvas.restoreState()

    def _running_header(self, canvas: Canvas, handout: Handout, text: Texts) -> None:
        y = self.page_size[1] - self.margins["top"] + 6 * mm
        name = handout.details[0][1]
        self._small_line(canvas, text, self.styles["running_header"], y, handout.brand.name or "", name)

    def _footer(self, canvas: Canvas, handout: Handout, text: Texts, page: int, pages: int) -> None:
        y = self.margins["bottom"] - 9 * mm
        phone = handout.brand.phone or ""
        self._small_line(canvas, text, self.styles["footer"], y, phone, handout.page_label(page, pages))
