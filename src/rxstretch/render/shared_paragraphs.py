"""Paragraphs that share their parsed text and line breaks with every copy of the same text.

A batch sets the same steps and tips, in the same styles and widths, hundreds of times, and
within one document a card's paragraph is wrapped two or three times (KeepTogether measures
it, the frame places it, its table wraps it again to draw). Parsing and line breaking depend
only on the markup, the style and the width, so a :class:`ParagraphCache` does each once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from rxstretch.render.internals import ParagraphLayout as _Layout
from rxstretch.render.internals import paragraph_layout, restore_paragraph_layout

# Style settings under which ReportLab rewrites the fragments of the lines it splits.
_HYPHENATION = ("hyphenationLang", "embeddedHyphenation", "uriWasteReduce")


@dataclass
class _Parsed:
    """One markup string in one style, parsed once, with its line breaks per width."""

    requested: ParagraphStyle  # the caller's style, kept alive so that its id stays unique
    style: ParagraphStyle  # the style the parser returned
    frags: list[Any]
    bullet_text: Any
    layouts: dict[float, _Layout] = field(default_factory=dict)


class SharedParagraph(Paragraph):
    """A ReportLab Paragraph that reuses the parse and the line breaks of its ``parsed`` entry.

    Without ``parsed`` it is a plain Paragraph with the same signature, which is what
    ReportLab's own ``split`` creates through ``self.__class__``. Sharing is safe because
    ReportLab only reads the lines it splits and draws, except in two cases that are never
    shared (see ParagraphCache): its right-to-left word wrap reverses a line's words when
    drawing, and its hyphenation settings rewrite fragments when splitting.
    """

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle | None = None,
        bulletText: Any = None,  # ReportLab's keyword names: its split() passes them
        frags: list[Any] | None = None,
        caseSensitive: int = 1,
        encoding: str = "utf8",
        *,
        parsed: _Parsed | None = None,
    ) -> None:
        if parsed is not None:
            style, bulletText, frags = parsed.style, parsed.bullet_text, parsed.frags
        # ReportLab's split passes text=None with the fragments; its stubs only allow str.
        super().__init__(text, style, bulletText, frags, caseSensitive, encoding)  # type: ignore[arg-type]
        self._parsed_frags = self.frags
        self._layouts: dict[float, _Layout] = parsed.layouts if parsed is not None else {}

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        layout = self._layouts.get(availWidth)
        if layout is None:
            # Always from the parsed fragments, so a layout depends on the text and the width
            # only, never on the widths this paragraph was wrapped at before.
            self.frags = self._parsed_frags
            size: tuple[float, float] = super().wrap(availWidth, availHeight)
            if getattr(self, "width", None) == availWidth:  # a real layout, not "does not fit"
                self._layouts[availWidth] = paragraph_layout(self)
            return size
        self.width = availWidth
        restore_paragraph_layout(self, layout)
        return self.width, self.height


class ParagraphCache:
    """Parsed paragraphs by markup, style and bullet, for one set of styles.

    Styles are told apart by identity, so the caller keeps its styles for the cache's life.
    The cache starts afresh when it reaches ``limit`` entries: patient names and notes are
    seen once, and a worker rendering thousands of handouts must not grow without bound.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._entries: dict[tuple[str, int, str | None], _Parsed] = {}

    def paragraph(self, markup: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
        """A paragraph of ``markup`` (already escaped) in ``style``, parsed at most once."""
        hyphenated = any(getattr(style, name, None) for name in _HYPHENATION)
        if style.wordWrap or hyphenated:
            # ReportLab edits the lines of these in place (reversing words, marking hyphens).
            return Paragraph(markup, style, bulletText=bullet)
        key = (markup, id(style), bullet)
        parsed = self._entries.get(key)
        if parsed is None or parsed.requested is not style:
            if len(self._entries) >= self.limit:
                self._entries.clear()
            first = Paragraph(markup, style, bulletText=bullet)
            parsed = _Parsed(style, first.style, first.frags, first.bulletText)
            self._entries[key] = parsed
        return SharedParagraph(markup, parsed=parsed)
