"""Turn a Template's text styles into ReportLab ParagraphStyles."""

from __future__ import annotations

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle

from rxstretch.model.template import Template
from rxstretch.render.fonts import FontFamily

# Headings never end a page: ReportLab moves them on with the flowable that follows.
_KEPT_WITH_NEXT = frozenset({"heading", "section_title"})


def paragraph_styles(template: Template, fonts: FontFamily) -> dict[str, ParagraphStyle]:
    """Return one ParagraphStyle per template style name."""
    return {
        name: ParagraphStyle(
            name,
            fontName=fonts.face(bold=style.bold, italic=style.italic),
            fontSize=style.size,
            leading=style.leading,
            textColor=HexColor(template.color(style.color)),
            spaceBefore=style.space_before,
            spaceAfter=style.space_after,
            # A hanging indent keeps wrapped lines of a bulleted tip clear of the bullet.
            leftIndent=style.indent,
            bulletFontName=fonts.regular,
            bulletFontSize=style.size,
            keepWithNext=int(name in _KEPT_WITH_NEXT),
        )
        for name, style in template.styles.items()
    }
