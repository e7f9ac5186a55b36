"""Lay out one exercise card: title bar, summary, cautions, dosage, steps, tips and notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from rxstretch.handout import Card, Labels
from rxstretch.render.images import load_image
from rxstretch.render.tables import make_table
from rxstretch.render.text import bold, markup
from rxstretch.template import Template

# The only styles whose paragraphs carry <b> markup (step titles, the caution label); the
# renderer registers the bold variant of their faces.
BOLD_MARKUP_STYLES = ("body",)


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


class CardBuilder:
    """Lays out cards for one template and page width."""

    def __init__(
        self, template: Template, styles: dict[str, ParagraphStyle], labels: Labels, width: float
    ) -> None:
        self.template = template
        self.styles = styles
        self.labels = labels
        self.width = width
        self.padding = template.spacing["box_padding"]

    def card(self, card: Card) -> Flowable:
        """Return the card as a block that moves to the next page rather than split, if it fits."""
        parts: list[Flowable] = [self._title_bar(card)]
        picture = self._picture(card)
        text_width = self.width if picture is None else self.width - picture.drawWidth - 2 * self.padding
        intro: list[Flowable] = [Paragraph(markup(card.summary), self.styles["summary"])]
        intro += [self._caution(text, text_width) for text in card.cautions]
        intro.append(self._dosage(card, text_width))
        parts += intro if picture is None else [self._side_by_side(intro, picture, text_width)]
        parts.append(Paragraph(markup(self.labels.steps), self.styles["heading"]))
        parts.append(self._steps(card))
        if card.tips:
            parts.append(Paragraph(markup(self.labels.tips), self.styles["heading"]))
            parts += [Paragraph(markup(tip), self.styles["tip"], bulletText="\u2022") for tip in card.tips]
        if card.notes:
            parts.append(Paragraph(markup(self.labels.notes), self.styles["heading"]))
            parts.append(Paragraph(markup(card.notes), self.styles["notes"]))
        parts.append(Spacer(1, self.template.spacing["card_gap"]))
        return KeepTogether(parts)

    def advice_box(self, title: str, lines: Sequence[str]) -> Flowable:
        """A boxed, bulleted section in the caution colours (the general safety advice)."""
        rows = [[Paragraph(markup(title), self.styles["section_title"])]]
        rows += [[Paragraph(markup(line), self.styles["tip"], bulletText="\u2022")] for line in lines]
        box = self._boxed(
            rows,
            [self.width],
            self.template.colors["caution"],
            self.template.colors["caution_border"],
            extra=(("TOPPADDING", (0, 0), (-1, 0), 0),),
        )
        return KeepTogether([box])

    def _title_bar(self, card: Card) -> Table:
        text = f"{markup(str(card.number))}.\u2002{markup(card.name)}"
        return self._table(
            [[Paragraph(text, self.styles["card_title"])]],
            [self.width],
            [
                ("BACKGROUND", (0, 0), (-1, -1), HexColor(self.template.colors["primary"])),
                ("TOPPADDING", (0, 0), (-1, -1), self.padding - 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), self.padding + 1),
                ("LEFTPADDING", (0, 0), (-1, -1), self.padding + 2),
            ],
        )

    def _table(self, rows: list[list[Any]], widths: list[float], commands: list[tuple[Any, ...]]) -> Table:
        return make_table(rows, widths, font=self.styles["body"].fontName, commands=commands)

    def _picture(self, card: Card) -> Picture | None:
        if card.image is None:
            return None
        reader = load_image(card.image)
        pixel_width, pixel_height = reader.getSize()
        max_width, max_height = (side * mm for side in self.template.image_max_mm)
        scale = min(max_width / pixel_width, max_height / pixel_height)
        return Picture(reader, pixel_width * scale, pixel_height * scale)

    def _side_by_side(self, flowables: list[Flowable], picture: Picture, text_width: float) -> Table:
        return self._table(
            [[flowables, picture]],
            [text_width, self.width - text_width],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (1, 0), (1, 0), self.padding),
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
        ]
        if border:
            style.append(("LINEBEFORE", (0, 0), (0, -1), 3, HexColor(border)))
        return self._table(rows, widths, [*style, *extra])

    def _caution(self, text: str, width: float) -> Table:
        paragraph = Paragraph(f"{bold(self.labels.caution)}<br/>{markup(text)}", self.styles["body"])
        return self._boxed(
            [[paragraph]],
            [width],
            self.template.colors["caution"],
            self.template.colors["caution_border"],
        )

    def _dosage(self, card: Card, width: float) -> Table:
        """A one-row strip: the heading, then one label-over-value cell per dosage item."""
        heading_width = 0.17 * width
        label_style, value_style = self.styles["dosage_label"], self.styles["dosage_value"]
        cells: list[Any] = [Paragraph(markup(self.labels.dosage), self.styles["heading"])]
        cells += [
            [Paragraph(markup(label), label_style), Paragraph(markup(value), value_style)]
            for label, value in card.dosage
        ]
        texts = [((label, label_style), (value, value_style)) for label, value in card.dosage]
        widths = share_width(width - heading_width, texts, padding=2 * self.padding)
        return self._boxed(
            [cells],
            [heading_width, *widths],
            self.template.colors["accent"],
            extra=(("TOPPADDING", (0, 0), (0, 0), 0),),
        )

    def _steps(self, card: Card) -> Table:
        number_width = self.template.spacing["step_number_width"]
        rows = [
            [
                Paragraph(markup(f"{index}."), self.styles["step_number"]),
                Paragraph(f"{bold(step.title)}\u2003{markup(step.text)}", self.styles["body"]),
            ]
            for index, step in enumerate(card.steps, start=1)
        ]
        return self._table(
            rows,
            [number_width, self.width - number_width],
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ],
        )


def share_width(
    available: float, cells: Sequence[Sequence[tuple[str, ParagraphStyle]]], *, padding: float
) -> list[float]:
    """Split ``available`` between cells so no word is broken and long text wraps least.

    Each cell first gets its longest word (words never break mid-word), then the rest goes to
    the cells in proportion to how much more room their text would take on one line.
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
    if spare <= 0 or sum(wants) <= 0:
        return [available * m / sum(minimums) for m in minimums]
    if sum(wants) <= spare:  # everything fits on one line: share what is left evenly
        extra = (spare - sum(wants)) / len(cells)
        return [natural + extra for natural in naturals]
    return [minimum + spare * want / sum(wants) for minimum, want in zip(minimums, wants, strict=True)]
