"""Lay out one exercise card: title bar, summary, cautions, dosage, steps, tips and notes."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, FrameBreak, KeepTogether, Spacer, Table
from reportlab.platypus.doctemplate import NullActionFlowable

from rxstretch.model.figure import Figure, FigureColors
from rxstretch.model.handout import Card, Labels
from rxstretch.model.template import Template
from rxstretch.render.images import load_image
from rxstretch.render.internals import frame_height, kept_flowables
from rxstretch.render.kept_figures import kept_drawing
from rxstretch.render.paragraphs import Texts
from rxstretch.render.qr import qr_code
from rxstretch.render.recorded import RecordedDrawing
from rxstretch.render.tables import make_table

QR_SIZE_MM = 22.0
# A large-print card that does not fit in the space left moves to the next page only when less
# than this share of the page is left: a page must be at least half filled, and 55 % leaves a
# margin for the header and footer bands, which pdf-pages leaves out of the page it measures.
KEEP_WHOLE_ROOM = 0.45
# A page before the last used under this share of its height is wasted paper: pdf-pages asks
# for half of the page it measures, which leaves out the running header and footer bands.
SHORT_PAGE = 0.55


class Picture(Flowable):
    """An image drawn from an already decoded and cached ImageReader."""

    def __init__(self, reader: ImageReader, width: float, height: float) -> None:
        super().__init__()
        self.reader = reader
        self.drawWidth = width
        self.drawHeight = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 0, self.drawWidth, self.drawHeight, mask="auto")


# A figure's drawing depends only on its arguments, and a batch draws the same few figures
# hundreds of times: each is built and recorded as PDF operators once per process (and kept
# between runs, see kept_figures). Figures hold dicts (unhashable), so the key here is the
# object's identity, kept alive beside the drawing so that the identity cannot be reused by
# another figure; it is checked first, so a batch never computes the lasting key twice.
_DRAWINGS: dict[tuple[Any, ...], tuple[Figure, RecordedDrawing]] = {}
_MAX_DRAWINGS = 256


def _draw(kind: str, figure: Figure, arguments: dict[str, Any]) -> Drawing:
    """Draw ``figure`` with the function ``kind``: only when the cache does not hold it, so a run
    whose figures are all kept never imports the drawing code."""
    from rxstretch.render import figures

    makers: dict[str, Callable[..., Drawing]] = {
        "panels": figures.step_panels,
        "single": figures.figure_flowable,
    }
    return makers[kind](figure, **arguments)


def _cached_drawing(figure: Figure, kind: str, **arguments: Any) -> RecordedDrawing:
    """The figure drawn by the function ``kind`` with ``arguments``, which are all the key holds."""
    key = (id(figure), kind, *sorted(arguments.items()))
    entry = _DRAWINGS.get(key)
    if entry is None or entry[0] is not figure:
        if len(_DRAWINGS) >= _MAX_DRAWINGS:
            _DRAWINGS.clear()
        make = functools.partial(_draw, kind, figure, arguments)
        entry = (figure, kept_drawing(figure, kind, arguments, make))
        _DRAWINGS[key] = entry
    return entry[1]


def _cached_panels(
    figure: Figure, width: float, height: float, colors: FigureColors, font: str, rtl: bool
) -> RecordedDrawing:
    return _cached_drawing(
        figure, "panels", width=width, height=height, colors=colors, font=font, rtl=rtl, trim=True
    )


def _cached_figure(figure: Figure, width: float, height: float, colors: FigureColors) -> RecordedDrawing:
    return _cached_drawing(figure, "single", width=width, height=height, colors=colors, trim=True)


class Described(Flowable):
    """A figure with its alternative text written invisibly over it, so that screen readers and
    text extraction find a description where the picture stands."""

    def __init__(self, picture: Flowable, description: str | None, font_name: str, font_size: float) -> None:
        super().__init__()
        self.picture = picture
        self.description = description
        self.font_name = font_name
        self.font_size = font_size
        # Known before layout, so the card can leave the picture its column.
        self.drawWidth = float(getattr(picture, "width", 0))

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.picture.wrap(available_width, available_height)
        return self.width, self.height

    def draw(self) -> None:
        self.picture.drawOn(self.canv, 0, 0)
        if self.description:
            # Wrapped to the picture's width: one long line would run past the page's edge,
            # where a reader's text selection and page checks find it.
            lines = simpleSplit(self.description, self.font_name, self.font_size, max(self.width, 1))
            leading = min(self.font_size * 1.15, self.height / max(len(lines), 1))
            text = self.canv.beginText(0, max(self.height - self.font_size, 0))
            text.setTextRenderMode(3)  # invisible: read, never seen
            text.setFont(self.font_name, self.font_size, leading)
            text.textLines(lines)
            self.canv.drawText(text)


class CardMarks:
    """Where the layout has got to: the card the page being laid out is in the middle of (for
    the running header), the page the last card drawn ended on, the page the closing sections
    ended on, and how much of each page of cards was used (to judge the layout)."""

    def __init__(self) -> None:
        self.current: Card | None = None
        self.card_end_page = 0
        self.closing_end_page = 0
        self.page_used: list[float] = []

    @property
    def closing_alone(self) -> bool:
        """Whether the closing sections end on a page holding nothing of any card."""
        return self.closing_end_page > self.card_end_page

    @property
    def short_pages(self) -> int:
        """How many pages of cards, the last one aside, are used under SHORT_PAGE."""
        return sum(used < SHORT_PAGE for used in self.page_used[:-1])


class CardMark(Flowable):
    """An invisible mark where a card starts (``card``) or ends (None) in the flow."""

    def __init__(self, marks: CardMarks, card: Card | None) -> None:
        super().__init__()
        self.marks = marks
        self.card = card
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.marks.current = self.card
        if self.card is None:
            self.marks.card_end_page = self.canv.getPageNumber()


class ClosingMark(CardMark):
    """An invisible mark where the closing sections end."""

    def __init__(self, marks: CardMarks) -> None:
        super().__init__(marks, None)

    def draw(self) -> None:
        self.marks.closing_end_page = self.canv.getPageNumber()


class KeepWhole(KeepTogether):
    """Flowables kept on one page where they fit: they start a new page when they do not fit in
    the space left, unless more than ``flow_room`` of the page is left (then, as when they are
    taller than a page, they continue across the page break at their own break points).

    Unlike KeepTogether, it measures the KeepTogethers it holds by their content.
    """

    def __init__(self, flowables: list[Flowable], *, flow_room: float = 1.0) -> None:
        super().__init__(flowables)
        self.flow_room = flow_room

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        content = kept_flowables(self)
        page_height = frame_height(self) or available_height
        moves = (
            available_height < self.flow_room * page_height
            and _stacked_height(content, available_width) > available_height
        )
        # The first piece is an action, so that ReportLab never asks whether it fits as it is.
        return [FrameBreak() if moves else NullActionFlowable(), *content]


class CardGap(Spacer):
    """The space between two cards, dropped at the top of a frame."""

    def __init__(self, height: float) -> None:
        super().__init__(1, height)
        self.spaceBefore = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return 0, 0
        return self.width, min(self.height, available_height)


def _stacked_height(flowables: Sequence[Flowable], width: float) -> float:
    """The height ``flowables`` take stacked in ``width``, spaces between them included."""
    return sum(
        _stacked_height(kept_flowables(f), width)
        if isinstance(f, KeepTogether)
        else f.wrap(width, 100_000)[1] + f.getSpaceBefore() + f.getSpaceAfter()
        for f in flowables
    )


class CardBuilder:
    """Lays out cards for one template, page width and reading direction."""

    def __init__(
        self, template: Template, texts: Texts, labels: Labels, width: float, marks: CardMarks | None = None
    ) -> None:
        self.marks = marks or CardMarks()
        self.template = template
        self.texts = texts
        self.styles = texts.styles
        self.labels = labels
        self.width = width
        self.padding = template.spacing["box_padding"]

    def card(
        self, card: Card, *, first_page_room: float | None = None, closing: Sequence[Flowable] = ()
    ) -> list[Flowable]:
        """Return the card's flowables, which may break only at good points.

        The opening (title bar, summary, cautions, dosage and pictures) is one block, and so is
        each heading with the line after it: no heading, dosage strip or picture is left alone
        at a page foot. The card may continue on the next page after its opening, between steps
        and between tips; in large print it is kept whole where it fits (see KeepWhole). Marks
        around the card tell the running header which card a page continues.
        ``first_page_room`` is the height under the header on page one, given for the first
        card. ``closing`` (the closing sections) is kept with the card's last part, so that it
        never stands alone on the last page.
        """
        text = self.texts
        about: list[Flowable] = [text(card.summary, "summary")] if self._summaries else []
        panels = self._panels(card)
        side = self._side(card)
        rows = self._step_rows(card)
        steps: list[Flowable]
        if side and self.template.figures != "single":
            # A single picture stands beside the summary and dosage, in no extra height; the
            # steps below it stay free to continue on the next page.
            side_width = max(getattr(f, "drawWidth", getattr(f, "width", 0)) for f in side)
            beside = self.width - side_width - self.padding
            about += [self._caution(caution, beside) for caution in card.cautions]
            # A strip, or label/value rows where a strip squeezed beside the picture is taller.
            strip, rows_table = self._dosage(card, beside), self._dosage_rows(card, beside)
            dosage = min((strip, rows_table), key=lambda table: table.wrap(beside, 10_000)[1])
            about = [self._side_by_side([*about, dosage], side, beside)]
            steps = [self._steps([row], self.width) for row in rows]
        elif side:
            # In compact columns a small picture stands beside the steps, where it adds no height.
            side_width = max(getattr(f, "drawWidth", getattr(f, "width", 0)) for f in side)
            steps_width = self.width - side_width - 2 * self.padding
            about += [self._caution(caution, self.width) for caution in card.cautions]
            about.append(self._dosage(card, self.width))
            steps = [self._side_by_side([self._steps(rows, steps_width)], side, steps_width)]
        else:
            about += [self._caution(caution, self.width) for caution in card.cautions]
            about.append(self._dosage(card, self.width))
            steps = [self._steps([row], self.width) for row in rows]
        opening = [CardMark(self.marks, card), self._title_bar(card), *about]
        first_steps = [text(self.labels.steps, "heading"), steps[0]]
        parts = self._beginning(opening, [] if panels is None else [panels], first_steps, first_page_room)
        parts += steps[1:]
        tips = card.tips if self._tips else ()
        if tips:
            bullets = [text(tip, "tip", bullet=True) for tip in tips]
            parts += [KeepTogether([text(self.labels.tips, "heading"), bullets[0]]), *bullets[1:]]
        if card.notes:
            parts.append(KeepTogether([text(self.labels.notes, "heading"), text(card.notes, "notes")]))
        ending = [CardMark(self.marks, None), CardGap(self.template.spacing["card_gap"])]
        if closing:
            parts[-1] = KeepWhole([parts[-1], *ending, *closing])
        else:
            parts += ending
        # The first card starts on page one whatever its height (it holds the first exercise).
        if self.template.exercise_per_page and first_page_room is None:
            return [KeepWhole(parts, flow_room=KEEP_WHOLE_ROOM)]
        return parts

    def _beginning(
        self,
        opening: list[Flowable],
        panels: list[Flowable],
        first_steps: list[Flowable],
        first_page_room: float | None,
    ) -> list[Flowable]:
        """The card's first blocks: its opening, step panels and first step, kept in one or two."""
        if not self.template.exercise_per_page:
            return [KeepTogether([*opening, *panels]), KeepTogether(first_steps)]
        together = [*opening, *panels, *first_steps]
        if first_page_room is not None:
            # Large print: the pictures stay with the first step, unless that would push the
            # first card off page one (its title, dosage and pictures always start there).
            if _stacked_height(together, self.width) <= first_page_room:
                return [KeepTogether(together)]
            return [KeepTogether([*opening, *panels]), KeepTogether(first_steps)]
        # A later card is kept whole where it fits (see KeepWhole); when it cannot be, it may
        # begin at a page foot with its title and dosage (and a picture beside them) rather
        # than leave the page under half filled. Step panels stay with the steps they show.
        return [KeepTogether(opening), KeepTogether([*panels, *first_steps])]

    @property
    def _summaries(self) -> bool:
        """Compact leaves out each card's summary line: the steps say what to do."""
        return self.template.columns == 1

    @property
    def _tips(self) -> bool:
        """Compact and large print leave out the per-exercise safety tips, so that a card fits
        its column or page; the "when to stop" safety box is printed once for the sheet."""
        return self.template.columns == 1 and not self.template.exercise_per_page

    def advice_box(self, title: str, lines: Sequence[str]) -> Flowable:
        """A boxed, bulleted section in the caution colours (the general safety advice)."""
        rows = [[self.texts(title, "section_title")]]
        rows += [[self.texts(line, "tip", bullet=True)] for line in lines]
        box = self._boxed(
            rows,
            [self.width],
            self.template.colors["caution"],
            self.template.colors["caution_border"],
            extra=(("TOPPADDING", (0, 0), (-1, 0), 0),),
        )
        return KeepTogether([box])

    def _title_bar(self, card: Card) -> Table:
        return self._table(
            [[self.texts(f"{card.number}.\u2002{card.name}", "card_title")]],
            [self.width],
            [
                ("BACKGROUND", (0, 0), (-1, -1), HexColor(self.template.colors["primary"])),
                ("TOPPADDING", (0, 0), (-1, -1), self.padding - 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), self.padding + 1),
                ("LEFTPADDING", (0, 0), (-1, -1), self.padding + 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), self.padding + 2),
            ],
        )

    def _table(self, rows: list[list[Any]], widths: list[float], commands: list[tuple[Any, ...]]) -> Table:
        return make_table(rows, widths, font=self.styles["body"].fontName, commands=commands)

    def _picture(self, card: Card) -> Picture | None:
        if card.image is None:
            return None
        max_width, max_height = (side * mm for side in self.template.image_max_mm)
        reader = load_image(card.image, printed_width=max_width, printed_height=max_height)
        pixel_width, pixel_height = reader.getSize()
        scale = min(max_width / pixel_width, max_height / pixel_height)
        return Picture(reader, pixel_width * scale, pixel_height * scale)

    def _figure_colors(self) -> FigureColors:
        color = self.template.color
        return FigureColors(
            figure=color("primary"), accent=color("caution_border"), floor=color("muted"), prop=color("rule")
        )

    def _wants_panels(self, card: Card) -> bool:
        figure = card.figure
        return (
            card.image is None and figure is not None and figure.stepped and self.template.figures == "panels"
        )

    def _panels(self, card: Card) -> Flowable | None:
        """One drawn panel per step, across the card, when the template and the figure have them."""
        if not self._wants_panels(card) or card.figure is None:
            return None
        height = self.template.image_max_mm[1] * mm * 0.8
        numbers_font = self.texts.fonts.face(bold=True, italic=False)
        panels = _cached_panels(
            card.figure, self.width, height, self._figure_colors(), numbers_font, self.texts.rtl
        )
        return Described(panels, card.alt, self.styles["body"].fontName, self.styles["body"].fontSize)

    def _side(self, card: Card) -> list[Flowable]:
        """What stands beside the card's text: its picture or figure, and a QR code to its video."""
        side: list[Flowable] = []
        picture = self._picture(card)
        if picture is not None:
            side.append(picture)
        elif card.figure is not None and not self._wants_panels(card) and self.template.figures != "none":
            width, height = (side * mm for side in self.template.image_max_mm)
            drawing = _cached_figure(card.figure, width, height, self._figure_colors())
            side.append(
                Described(drawing, card.alt, self.styles["body"].fontName, self.styles["body"].fontSize)
            )
        if card.video:
            side.append(qr_code(card.video, size=QR_SIZE_MM * mm, color=self.template.color("text")))
            side.append(self.texts(self.labels.video, "tip"))
        return side

    def _side_by_side(self, flowables: list[Flowable], side: list[Flowable], text_width: float) -> Table:
        picture_column = 0 if self.texts.rtl else 1
        return self._table(
            [self.texts.row([flowables, side])],
            self.texts.row([text_width, self.width - text_width]),
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (picture_column, 0), (picture_column, 0), "LEFT" if self.texts.rtl else "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (picture_column, 0), (picture_column, 0), self.padding),
            ],
        )

    def _boxed(
        self,
        rows: list[list[Any]],
        widths: list[float],
        background: str,
        border: str | None = None,
        extra: tuple[tuple[Any, ...], ...] = (),
    ) -> Table:
        style: list[tuple[Any, ...]] = [
            ("BACKGROUND", (0, 0), (-1, -1), HexColor(background)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), self.padding / 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), self.padding / 2),
            ("LEFTPADDING", (0, 0), (-1, -1), self.padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), self.padding),
        ]
        if border:
            # The accent rule stands where reading starts: left, or right in Arabic and Hebrew.
            edge = ("LINEAFTER", (-1, 0), (-1, -1)) if self.texts.rtl else ("LINEBEFORE", (0, 0), (0, -1))
            style.append((*edge, 3, HexColor(border)))
        return self._table(rows, widths, [*style, *extra])

    def _caution(self, text: str, width: float) -> Table:
        stacked = [self.texts(self.labels.caution, "body", strong=True), self.texts(text, "body")]
        return self._boxed(
            [[stacked]],
            [width],
            self.template.colors["caution"],
            self.template.colors["caution_border"],
        )

    def _dosage(self, card: Card, width: float) -> Table:
        """A one-row strip: the heading, then one label-over-value cell per dosage item."""
        heading = self.texts.style_for(self.labels.dosage, "heading")
        longest = max(
            stringWidth(word, heading.fontName, heading.fontSize) for word in self.labels.dosage.split()
        )
        # Wide enough for the heading's longest word: large print must not break "dosage".
        # Compact columns leave the heading out: the labels say what each value is.
        heading_width = (
            max(0.17 * width, longest + 2 * self.padding + 1) if self.template.columns == 1 else 0.0
        )
        cells: list[Any] = [self.texts(self.labels.dosage, "heading")] if heading_width else []
        cells += [
            [self.texts(label, "dosage_label"), self.texts(value, "dosage_value")]
            for label, value in card.dosage
        ]
        # Measured in the faces that draw them: Arabic in a large-print card is set in DejaVu.
        style_for = self.texts.style_for
        measured = [
            ((label, style_for(label, "dosage_label")), (value, style_for(value, "dosage_value")))
            for label, value in card.dosage
        ]
        widths = share_width(width - heading_width, measured, padding=2 * self.padding)
        if widths is None:  # large print: one row per item rather than words broken in two
            return self._dosage_rows(card, width)
        heading_column = len(cells) - 1 if self.texts.rtl else 0
        return self._boxed(
            [self.texts.row(cells)],
            self.texts.row([heading_width, *widths] if heading_width else widths),
            self.template.colors["accent"],
            extra=(("TOPPADDING", (heading_column, 0), (heading_column, 0), 0),) if heading_width else (),
        )

    def _dosage_rows(self, card: Card, width: float) -> Table:
        """The dosage as a heading over label/value rows, for when one strip cannot hold it."""
        label_width = max(
            stringWidth(label, style.fontName, style.fontSize)
            for label, _ in card.dosage
            for style in [self.texts.style_for(label, "dosage_label")]
        )
        label_width = min(label_width + 2 * self.padding + 1, width * 0.45)
        rows: list[list[Any]] = [self.texts.row([self.texts(self.labels.dosage, "heading"), ""])]
        rows += [
            self.texts.row([self.texts(label, "dosage_label"), self.texts(value, "dosage_value")])
            for label, value in card.dosage
        ]
        return self._boxed(
            rows,
            self.texts.row([label_width, width - label_width]),
            self.template.colors["accent"],
            extra=(("SPAN", (0, 0), (-1, 0)),),
        )

    def _step_rows(self, card: Card) -> list[list[Any]]:
        """One table row per step: its number, then its title and text."""
        return [
            self.texts.row(
                [self.texts(f"{index}.", "step_number"), self.texts.titled(step.title, step.text, "body")]
            )
            for index, step in enumerate(card.steps, start=1)
        ]

    def _steps(self, rows: list[list[Any]], width: float) -> Table:
        number_width = self.template.spacing["step_number_width"]
        return self._table(
            rows,
            self.texts.row([number_width, width - number_width]),
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), self.padding * 2 / 3),
            ],
        )


def share_width(
    available: float, cells: Sequence[Sequence[tuple[str, ParagraphStyle]]], *, padding: float
) -> list[float] | None:
    """Split ``available`` between cells so no word is broken and long text wraps least.

    Each cell first gets its longest word (words never break mid-word), then the rest goes to
    the cells in proportion to how much more room their text would take on one line. None when
    the longest words alone do not fit.
    """

    def measure(text: str, style: ParagraphStyle) -> tuple[float, float]:
        # Split on plain spaces only: CLDR joins "45 secondes" with a no-break space on purpose.
        words = [stringWidth(word, style.fontName, style.fontSize) for word in text.split(" ")]
        return max(words), stringWidth(text, style.fontName, style.fontSize)

    minimums, naturals = [], []
    for parts in cells:
        measured = [measure(text, style) for text, style in parts]
        minimums.append(max(m[0] for m in measured) + padding)
        naturals.append(max(m[1] for m in measured) + padding)
    spare = available - sum(minimums)
    wants = [natural - minimum for natural, minimum in zip(naturals, minimums, strict=True)]
    if spare < 0:  # even the longest words do not fit side by side
        return None
    if sum(wants) <= 0:
        return [available * m / sum(minimums) for m in minimums]
    if sum(wants) <= spare:  # everything fits on one line: share what is left evenly
        extra = (spare - sum(wants)) / len(cells)
        return [natural + extra for natural in naturals]
    return [minimum + spare * want / sum(wants) for minimum, want in zip(minimums, wants, strict=True)]
