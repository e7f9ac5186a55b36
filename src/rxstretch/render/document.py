"""Assemble the handout PDF: page frame, clinic header, patient block, cards, footer."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
)
from reportlab.platypus.doctemplate import LayoutError

from rxstretch import __version__
from rxstretch.errors import RxStretchError
from rxstretch.model.frozen import frozen
from rxstretch.model.handout import Card, Handout
from rxstretch.model.template import PAGE_SIZES_MM, Template
from rxstretch.render.cards import CardBuilder, CardMarks, ClosingMark
from rxstretch.render.fonts import BUNDLED_FONTS, FontFiles, register_fallback, register_family
from rxstretch.render.glyphs import handout_strings, missing_glyphs
from rxstretch.render.header import clinic_header, patient_details
from rxstretch.render.internals import frame_cursor, plain_streams, restart_page
from rxstretch.render.paragraphs import Texts
from rxstretch.render.styles import paragraph_styles
from rxstretch.render.tables import make_table
from rxstretch.render.tracker import tracker_flowables

PRODUCER = f"rxstretch {__version__}"
COLUMN_GAP = 6 * mm
SECOND_COLUMNS = ("first-2", "later-2")  # the frames on the right of two-column pages


def _frame(x: float, y: float, width: float, height: float, name: str) -> Frame:
    return Frame(x, y, width, height, id=name, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def _height(flowables: list[Flowable], width: float) -> float:
    """The height ``flowables`` take stacked in ``width`` (spaces included), plus a little air."""
    total = 0.0
    for flowable in flowables:
        total += flowable.wrap(width, 10_000)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total + 4


class _FooterCanvas(Canvas):
    """Canvas that holds pages back until the end so each footer can say "page X of Y"."""

    def __init__(self, *args: Any, draw_footer: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._draw_footer = draw_footer
        self._pending_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pending_pages.append(dict(self.__dict__))
        restart_page(self)

    def save(self) -> None:
        """Called by the document when its layout is done: the pages wait for finish(), so
        that a layout pass that is not chosen is never written (fonts subset, streams
        compressed), only laid out."""

    def finish(self) -> None:
        """Draw the footers and write the PDF."""
        total = len(self._pending_pages)
        for number, state in enumerate(self._pending_pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(self, number, total)
            super().showPage()
        super().save()


@frozen
class _Layout:
    """One layout pass: its pages laid out but not yet written (only the pass chosen is), its
    page count, whether the closing sections stand alone on the last page, and how many pages
    of cards before the last are under half filled."""

    canvas: _FooterCanvas
    buffer: io.BytesIO
    pages: int
    closing_alone: bool
    short_pages: int

    def faults(self) -> tuple[bool, int, int]:
        """What makes a layout worse, in order: a lone closing, short pages, more pages."""
        return self.closing_alone, self.short_pages, self.pages

    def pdf(self) -> bytes:
        """The PDF of this pass, written now (once)."""
        self.canvas.finish()
        return self.buffer.getvalue()


class HandoutRenderer:
    """Renders Handouts with one template and font family; reusable across many handouts."""

    def __init__(
        self,
        template: Template,
        *,
        paper: str,
        family: FontFiles = BUNDLED_FONTS,
        fallback_fonts: tuple[Path, ...] = (),
    ) -> None:
        self.template = template
        self._options = (paper, family, fallback_fonts)
        self._tight: HandoutRenderer | None = None
        self.fonts = register_family({"regular"}, family)
        # DejaVu Sans draws what another family lacks (Arabic in a large-print handout...).
        self.backup = register_family({"regular"}, BUNDLED_FONTS)
        # Then the chain: each file drawing what the fonts before it cannot (CJK, emoji...).
        self.fallbacks = tuple(register_fallback(path) for path in fallback_fonts)
        self.styles = paragraph_styles(template, self.fonts)
        width_mm, height_mm = PAGE_SIZES_MM[paper]
        self.page_size = (width_mm * mm, height_mm * mm)
        margins = {side: value * mm for side, value in template.margins_mm.items()}
        self.margins = margins
        self.frame_width = self.page_size[0] - margins["left"] - margins["right"]
        self._texts: dict[bool, Texts] = {}

    def _texts_for(self, rtl: bool) -> Texts:
        """The paragraph maker for one direction, kept so a batch reuses its parsed paragraphs."""
        if rtl not in self._texts:
            self._texts[rtl] = Texts(
                self.styles, self.fonts, rtl=rtl, fallbacks=self.fallbacks, backup=self.backup
            )
        return self._texts[rtl]

    def render(self, handout: Handout, *, invariant: bool = True) -> bytes:
        """Return the PDF bytes of ``handout``; ``invariant`` makes them reproducible.

        A character no font of the chain has is drawn as a replacement mark; see
        :meth:`missing_glyphs` for the warnings saying where.
        """
        with plain_streams():
            return self._render(handout, invariant=invariant)

    def missing_glyphs(self, handout: Handout) -> list[str]:
        """A warning for each part of ``handout`` holding characters no font of the chain has."""
        fonts = (self.fonts.regular, self.backup.regular, *self.fallbacks)
        return missing_glyphs(handout_strings(handout), fonts)

    def _render(self, handout: Handout, *, invariant: bool) -> bytes:
        """Lay ``handout`` out with its closing sections never alone on the last page and no
        page before the last under half filled.

        When the first layout has either fault, the handout is laid out again with less air
        (Template.tightened), which usually brings the closing sections onto the page before
        and evens out the pages. If they still stand alone, they are kept with the last card's
        last part (a tip, a step). The layout with the fewest faults, then pages, wins, the
        earlier one on a tie. Only handouts that need it pay for the extra passes, and each
        pass is deterministic.
        """
        first = self._layout(handout, invariant=invariant)
        if not first.closing_alone and not first.short_pages:
            return first.pdf()
        tight = self._tightened()._layout(handout, invariant=invariant)
        best = min(first, tight, key=_Layout.faults)
        if best.closing_alone:
            renderer = self if best is first else self._tightened()
            kept = renderer._layout(handout, invariant=invariant, keep_closing=True)
            best = min(best, kept, key=_Layout.faults)
        return best.pdf()

    def _tightened(self) -> HandoutRenderer:
        """This renderer with the tightened template, made once and kept for the next handouts."""
        if self._tight is None:
            paper, family, fallback_fonts = self._options
            self._tight = HandoutRenderer(
                self.template.tightened(), paper=paper, family=family, fallback_fonts=fallback_fonts
            )
        return self._tight

    def _layout(self, handout: Handout, *, invariant: bool, keep_closing: bool = False) -> _Layout:
        """One layout pass; ``keep_closing`` keeps the closing sections with the last card's end."""
        text = self._texts_for(handout.rtl)
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
        header = self._header(handout, text)
        header_height = _height(header, doc.width)
        marks = CardMarks()
        doc.addPageTemplates(self._page_templates(doc, handout, text, header_height, marks))

        def footer(canvas: Canvas, page: int, pages: int) -> None:
            self._footer(canvas, handout, text, page, pages)

        room = doc.height - (0 if self.template.columns > 1 else header_height)
        body = self._body(handout, text, marks, room, keep_closing=keep_closing)
        story = [NextPageTemplate("later"), *header, *body]
        canvases: list[_FooterCanvas] = []

        def make_canvas(*args: Any, **kwargs: Any) -> _FooterCanvas:
            canvases.append(_FooterCanvas(*args, draw_footer=footer, **kwargs))
            return canvases[-1]

        try:
            doc.build(story, canvasmaker=make_canvas)
        except LayoutError as exc:
            # A block taller than a page (a giant note, a huge picture box in a user template).
            raise RxStretchError(
                f"the handout cannot be laid out with the {self.template.name} template: some part "
                "is taller than a page (shorten the notes, or use a template with more room)"
            ) from exc
        return _Layout(canvases[-1], buffer, doc.page, marks.closing_alone, marks.short_pages)

    def _page_templates(
        self, doc: BaseDocTemplate, handout: Handout, text: Texts, header_height: float, marks: CardMarks
    ) -> list[PageTemplate]:
        """First page, later pages and the full-width diary pages, in one or two columns."""

        def running_header(canvas: Canvas, _doc: BaseDocTemplate) -> None:
            self._running_header(canvas, handout, text, marks.current)

        left, bottom, width, height = doc.leftMargin, doc.bottomMargin, doc.width, doc.height

        def page_end(_canvas: Canvas, doc: BaseDocTemplate) -> None:
            # A page ending in its second column has its first one full.
            frame = doc.frame
            used = (bottom + height - frame_cursor(frame)) / height
            marks.page_used.append(1.0 if frame.id in SECOND_COLUMNS else used)

        def page(name: str, frames: list[Frame], **header: Any) -> PageTemplate:
            return PageTemplate(name, frames, onPageEnd=page_end, **header)

        wide = PageTemplate("wide", [_frame(left, bottom, width, height, "wide")], onPage=running_header)
        if self.template.columns == 1:
            body = _frame(left, bottom, width, height, "body")
            return [page("first", [body]), page("later", [body], onPage=running_header), wide]
        column = self.column_width
        gap = width - 2 * column
        below = height - header_height
        first = [
            _frame(left, bottom + below, width, header_height, "header"),
            _frame(left, bottom, column, below, "first-1"),
            _frame(left + column + gap, bottom, column, below, SECOND_COLUMNS[0]),
        ]
        later = [
            _frame(left, bottom, column, height, "later-1"),
            _frame(left + column + gap, bottom, column, height, SECOND_COLUMNS[1]),
        ]
        return [page("first", first), page("later", later, onPage=running_header), wide]

    @property
    def column_width(self) -> float:
        """The width a card gets: the whole frame, or one of two columns with a gutter."""
        if self.template.columns == 1:
            return self.frame_width
        return (self.frame_width - COLUMN_GAP) / 2

    def _header(self, handout: Handout, text: Texts) -> list[Flowable]:
        width = self.frame_width
        return [
            *clinic_header(handout, text, self.template, width),
            text(handout.title, "title"),
            patient_details(handout, text, self.template, width, self.fonts.regular),
            text(handout.intro, "intro"),
        ]

    def _body(
        self, handout: Handout, text: Texts, marks: CardMarks, room: float, *, keep_closing: bool
    ) -> list[Flowable]:
        builder = CardBuilder(self.template, text, handout.labels, self.column_width, marks)
        story: list[Flowable] = [FrameBreak()] if self.template.columns > 1 else []
        # After the cards: at the top it would push the first card off page one; the intro
        # already says to stop on sharp pain, numbness or tingling.
        closing = [*self._closing(handout, text, builder), ClosingMark(marks)]
        last = len(handout.cards) - 1
        for index, card in enumerate(handout.cards):
            kept = closing if keep_closing and index == last else []
            story += builder.card(card, first_page_room=None if index else room, closing=kept)
        if not keep_closing:
            story += closing
        if handout.tracker is not None:
            story += [
                NextPageTemplate("wide"),
                *tracker_flowables(handout.tracker, text, self.template, self.frame_width),
            ]
        return story

    def _closing(self, handout: Handout, text: Texts, builder: CardBuilder) -> list[Flowable]:
        """The closing sections: "when to stop", the notes and the next appointment.

        Each stays with its heading, and they follow the last card on its page when there is room.
        """
        story: list[Flowable] = []
        if handout.safety_advice:
            story.append(builder.advice_box(handout.labels.safety, handout.safety_advice))
        closing = [
            [text(title, "section_title"), text(body, "body")]
            for title, body in (
                (handout.labels.general_notes, handout.general_notes),
                (handout.labels.follow_up, handout.follow_up),
            )
            if body
        ]
        side_by_side = self._side_by_side(text, closing) if len(closing) == 2 else None
        page_height = self.page_size[1] - self.margins["top"] - self.margins["bottom"]
        if (
            side_by_side is not None
            and side_by_side.wrap(self.column_width, page_height)[1] < page_height / 3
        ):
            # Notes and the next appointment side by side: one block, in the height of the notes.
            # Long notes are stacked instead, so they can flow on over the page break.
            story.append(KeepTogether([side_by_side]))
        else:
            story += [KeepTogether(section) for section in closing]
        return story

    def _side_by_side(self, text: Texts, sections: list[list[Flowable]]) -> Flowable:
        """Two closing sections side by side, in one table."""
        width = self.column_width
        table = make_table(
            [text.row(sections)],
            text.row([width * 0.62, width * 0.38]),
            font=self.styles["body"].fontName,
            commands=[
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ],
        )
        return table

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

    def _running_header(self, canvas: Canvas, handout: Handout, text: Texts, card: Card | None) -> None:
        """Clinic at the start, the card a page continues in the middle, the patient at the end;
        each shortened with an ellipsis to its own share of the line."""
        style = self.styles["running_header"]
        # Inside the top margin, but never so high that a tall glyph (an Arabic alef with its
        # hamza and shadda) reaches the printer's unprintable edge: its top stays 3 mm clear.
        y = min(
            self.page_size[1] - self.margins["top"] + 6 * mm,
            self.page_size[1] - 3 * mm - 1.3 * style.fontSize,
        )
        gap = 4 * mm
        width = self.frame_width
        clinic = handout.brand.name or ""
        patient = handout.details[0][1]
        middle = handout.labels.continued % {"name": f"{card.number}.\u2002{card.name}"} if card else ""
        shares = (0.28, 0.44, 0.28) if middle else (0.5, 0.0, 0.5)
        start, centre, end = (
            text.fit_line(value, style, width * share - gap)
            for value, share in zip((clinic, middle, patient), shares, strict=True)
        )
        self._small_line(canvas, text, style, y, start, end)
        if centre:
            canvas.saveState()
            canvas.setFillColor(style.textColor)
            middle_x = self.margins["left"] + width * shares[0]
            text.draw_line(canvas, middle_x + gap / 2, y, centre, style, right=False, bold=True)
            canvas.restoreState()

    def _footer(self, canvas: Canvas, handout: Handout, text: Texts, page: int, pages: int) -> None:
        y = self.margins["bottom"] - 9 * mm
        phone = handout.brand.phone or ""
        self._small_line(canvas, text, self.styles["footer"], y, phone, handout.page_label(page, pages))
        if handout.disclaimer:
            disclaimer = text(handout.disclaimer, "disclaimer")
            disclaimer.wrapOn(canvas, self.frame_width, self.margins["bottom"])
            disclaimer.drawOn(canvas, self.margins["left"], y + 10)
