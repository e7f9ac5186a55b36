"""Paragraphs for one handout: user text escaped, and shaped and reordered where it needs it.

Every piece of text on a handout goes through :class:`Texts`, which picks a shared ReportLab
Paragraph for left-to-right text and a :class:`BidiParagraph` for right-to-left handouts or
any text holding Arabic or Hebrew.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any, Literal

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from rxstretch.render.bidi import has_rtl, reads_left_to_right, visual_line, visual_lines
from rxstretch.render.fonts import FontFamily
from rxstretch.render.glyphs import REPLACEMENT, chain_characters, drawable, font_characters
from rxstretch.render.shared_paragraphs import ParagraphCache
from rxstretch.render.text import markup

BULLET = "\u2022"


class BidiParagraph(Flowable):
    """A paragraph broken into lines in logical order, each line drawn in visual order."""

    def __init__(
        self, text: str, style: ParagraphStyle, *, rtl: bool, to_markup: Callable[[str], str]
    ) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.rtl = rtl
        self.to_markup = to_markup
        self._paragraph: Paragraph | None = None

    def _lines(self, width: float) -> Paragraph:
        # One point of slack so ReportLab never re-breaks a line this code measured.
        available = width - self.style.leftIndent - self.style.rightIndent - 1
        lines = visual_lines(self.text, self.style.fontName, self.style.fontSize, available, rtl=self.rtl)
        return Paragraph("<br/>".join(self.to_markup(line) for line in lines), self.style)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self._paragraph = self._lines(available_width)
        width, height = self._paragraph.wrap(available_width, available_height)
        return width, height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return list(self._lines(available_width).split(available_width, available_height))

    def draw(self) -> None:
        assert self._paragraph is not None, "wrap() comes before draw()"
        self._paragraph.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)


class Texts:
    """Makes every paragraph of the handouts in one direction and set of fonts.

    One Texts serves many handouts: its styles stay the same objects, so the paragraphs it
    makes can share their parsing and line breaks (see shared_paragraphs).
    """

    def __init__(
        self,
        styles: dict[str, ParagraphStyle],
        fonts: FontFamily,
        *,
        rtl: bool,
        fallbacks: tuple[str, ...] = (),
        backup: FontFamily | None = None,
    ) -> None:
        self.rtl = rtl
        self.fonts = fonts
        self.fallbacks = fallbacks  # the chain after the family and its backup, in order
        self.backup = backup
        own = (fonts.regular, *([backup.regular] if backup else []))
        self._own = chain_characters(own)  # drawn in the paragraph's own face
        self._chain = chain_characters((*own, *fallbacks))
        alignment: Literal[0, 2] = TA_RIGHT if rtl else TA_LEFT
        self.styles = {
            name: ParagraphStyle(f"{name}-{'rtl' if rtl else 'ltr'}", parent=style, alignment=alignment)
            for name, style in styles.items()
        }
        # In a right-to-left handout, a paragraph written left to right (an exercise shown in
        # English for want of a translation, a clinician's note, a Latin name) keeps its own
        # direction and so its own alignment.
        self._own_direction_styles = (
            {
                name: ParagraphStyle(f"{name}-ltr", parent=style, alignment=TA_LEFT)
                for name, style in styles.items()
            }
            if rtl
            else self.styles
        )
        self._face_styles: dict[tuple[str, str], ParagraphStyle] = {}
        self._paragraphs = ParagraphCache()

    def __call__(self, text: str, style: str, *, bullet: bool = False, strong: bool = False) -> Flowable:
        """One paragraph of ``text`` in the named style (bulleted or bold on request)."""
        text = self._spaces(text)
        chosen = self.style_for(text, style, strong=strong)
        if self.rtl or has_rtl(text):
            # A bullet written into the text lands at the start of the line in either direction.
            return BidiParagraph(
                f"{BULLET} {text}" if bullet else text, chosen, rtl=self.rtl, to_markup=self.markup
            )
        return self._paragraphs.paragraph(self.markup(text), chosen, BULLET if bullet else None)

    def titled(self, title: str, text: str, style: str) -> list[Flowable]:
        """A bold title and its text: run in one paragraph left to right, stacked right to left."""
        title, text = self._spaces(title), self._spaces(text)
        if self.rtl or has_rtl(title + text):
            return [self(title, style, strong=True), self(text, style)]
        self.fonts.face(bold=True, italic=False)  # <b> switches to this face: register it
        separator = self._spaces("\u2003")  # an em space, where the font has one
        return [
            self._paragraphs.paragraph(
                f"<b>{self.markup(title)}</b>{separator}{self.markup(text)}",
                self.style_for(title + text, style),
            )
        ]

    def _spaces(self, text: str) -> str:
        """Spaces the family lacks (thin, narrow no-break...) become ones it has, and a
        character no font of the chain has becomes the visible replacement mark."""
        if text.isascii():  # every font has the ASCII space
            return text
        available = font_characters(self.fonts.regular)
        if all((ord(c) in available or not c.isspace()) and ord(c) in self._chain for c in text):
            return text
        spare = "\u00a0" if 0xA0 in available else " "
        return "".join(self._printable(c, available, spare) for c in text)

    def _printable(self, character: str, available: frozenset[int], spare: str) -> str:
        if character.isspace():
            return spare if ord(character) not in available and character != "\n" else character
        return character if drawable(character, self._chain) else REPLACEMENT

    def _fallback_for(self, character: str, own: frozenset[int]) -> str | None:
        """The chain's font for a character ``own`` lacks, or None to keep the text's face."""
        if ord(character) in own or character.isspace():
            return None
        return next((f for f in self.fallbacks if ord(character) in font_characters(f)), None)

    def markup(self, text: str) -> str:
        """Escape ``text``; runs the family lacks are set in the first fallback font that has them."""
        if not self.fallbacks:
            return markup(text)
        return "".join(
            markup(run) if font is None else f'<font name="{font}">{markup(run)}</font>'
            for font, run in (
                (font, "".join(group))
                for font, group in groupby(text, key=lambda c: self._fallback_for(c, self._own))
            )
        )

    def _runs(self, text: str, style: ParagraphStyle, *, bold: bool = False) -> list[tuple[str, str, float]]:
        """One line as (font, visual text, width) runs, in drawing order."""
        face = self.fonts.face(bold=True, italic=False) if bold else style.fontName
        text = self._spaces(text)
        # Spaces aside (Babel's narrow no-break spaces), the face that draws the whole line.
        font = self._face_for("".join(c for c in text if not c.isspace()), face)
        line = visual_line(text, font, rtl=self.rtl) if (self.rtl or has_rtl(text)) else text
        main = font_characters(font)
        return [
            (run_font, run, stringWidth(run, run_font, style.fontSize))
            for fallback, group in groupby(line, key=lambda c: self._fallback_for(c, main))
            for run_font, run in [(fallback or font, "".join(group))]
        ]

    def line_width(self, text: str, style: ParagraphStyle, *, bold: bool = False) -> float:
        """How wide ``text`` is when drawn as one line by :meth:`draw_line`."""
        return sum(width for _, _, width in self._runs(text, style, bold=bold))

    def fit_line(self, text: str, style: ParagraphStyle, width: float, *, bold: bool = False) -> str:
        """``text``, or its longest start that fits ``width`` followed by an ellipsis."""
        if not text or self.line_width(text, style, bold=bold) <= width:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest prefix (in reading order) that fits with its ellipsis
            middle = (low + high + 1) // 2
            if self.line_width(text[:middle].rstrip() + "\u2026", style, bold=bold) <= width:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + "\u2026" if low else ""

    def draw_line(
        self,
        canvas: Canvas,
        x: float,
        y: float,
        text: str,
        style: ParagraphStyle,
        *,
        right: bool,
        bold: bool = False,
    ) -> None:
        """Draw one line on the canvas (header, footer) from ``x``, or ending at ``x`` if ``right``."""
        runs = self._runs(text, style, bold=bold)
        x = x - sum(width for _, _, width in runs) if right else x
        for run_font, run, width in runs:
            canvas.setFont(run_font, style.fontSize)
            canvas.drawString(x, y, run)
            x += width

    def row(self, cells: list[Any]) -> list[Any]:
        """Table cells in reading order for this handout's direction."""
        return cells[::-1] if self.rtl else cells

    def style_for(self, text: str, name: str, *, strong: bool = False) -> ParagraphStyle:
        """The named style with the face that will draw ``text`` (so it is measured with it)."""
        style = (self._own_direction_styles if reads_left_to_right(text) else self.styles)[name]
        wanted = self._face_for(text, style.fontName, strong=strong)
        if wanted == style.fontName:
            return style
        key = (style.name, wanted)
        if key not in self._face_styles:
            self._face_styles[key] = ParagraphStyle(f"{style.name}-{wanted}", parent=style, fontName=wanted)
        return self._face_styles[key]

    def _face_for(self, text: str, face: str, *, strong: bool = False) -> str:
        """The face that sets ``text`` for a style in ``face``: bold on request, upright where the
        italic lacks the script, and from the backup family for a script this family lacks."""
        bold = face in (self.fonts.bold, self.fonts.bold_italic) or strong
        italic = face in (self.fonts.italic, self.fonts.bold_italic)
        codes = set(map(ord, text)) - {10, 13}  # line breaks need no glyph
        # Italic faces rarely cover Arabic or Hebrew (those scripts have no italics): go upright.
        if italic and not codes <= font_characters(face):
            italic = False
        wanted = self.fonts.face(bold=bold, italic=italic)
        # Text in a script the family lacks is set wholly in the backup family, so it is
        # shaped and measured with the font that draws it.
        if self.backup is not None and not codes <= font_characters(wanted):
            wanted = self.backup.face(bold=bold, italic=italic)
        return wanted
