"""A handout layout as plain data: page, colours, spacing, text styles, font, and the paper policy.

rxstretch.loaders.template reads templates/<name>.yaml into these; render/ lays out with them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from rxstretch.model.frozen import frozen

# Bundled font families a template can name (see render/fonts.py).
FONT_FAMILIES = ("dejavu-sans", "atkinson-hyperlegible")
DEFAULT_FONT = "dejavu-sans"
FIGURE_MODES = ("panels", "single", "none")
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "letter": (215.9, 279.4)}
# "auto" follows the handout's territory: fr-CA prints on Letter, fr-FR and plain fr on A4.
PAPER_CHOICES = (*PAGE_SIZES_MM, "auto")
# CLDR supplemental data, paperSize "US-Letter"; every other territory uses A4.
LETTER_TERRITORIES = frozenset(
    ["BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV", "US", "VE"]
)


def paper_for_territory(territory: str | None) -> str:
    """The paper size people use in ``territory`` (A4 when unknown)."""
    return "letter" if territory in LETTER_TERRITORIES else "A4"


STYLE_NAMES = (
    "clinic_name",
    "contact",
    "title",
    "intro",
    "detail_label",
    "detail_value",
    "card_title",
    "summary",
    "heading",
    "body",
    "step_number",
    "dosage_label",
    "dosage_value",
    "tip",
    "notes",
    "section_title",
    "running_header",
    "footer",
    "tracker_box",
    "disclaimer",
)
# A tightened template (see Template.tightened): the share of the spaces around text and
# between cards it keeps, and of the figures' size. The figures stay large enough for their step
# numbers (16 pt in large print, whose badges are capped well below their panels' height).
TIGHT_SPACE = 0.5
TIGHT_FIGURE = 0.85
COLOR_NAMES = ("primary", "accent", "caution", "caution_border", "text", "muted", "rule")
FIXED_COLORS = {"white": "#FFFFFF", "black": "#000000"}


@frozen
class TextStyle:
    """Size, weight and colour of one kind of text."""

    size: float
    leading: float
    bold: bool
    italic: bool
    color: str  # a colour name: one of the template's colours, white or black
    space_before: float
    space_after: float
    indent: float = 0.0


@frozen
class Template:
    """A handout layout: page, colours, spacing, text styles, font and arrangement."""

    name: str
    page_size: str
    margins_mm: Mapping[str, float]
    colors: Mapping[str, str]
    spacing: Mapping[str, float]
    image_max_mm: tuple[float, float]
    styles: Mapping[str, TextStyle]
    font: str = DEFAULT_FONT
    columns: int = 1
    exercise_per_page: bool = False
    figures: str = "panels"  # panels: one per step where drawn so; single: one picture; none

    def color(self, name: str) -> str:
        """The hex value of a colour name used by a style (a template colour, white or black)."""
        return self.colors.get(name) or FIXED_COLORS[name]

    def with_colors(self, overrides: Mapping[str, str]) -> Template:
        """This template with some colours replaced (a clinic's brand colours)."""
        return dataclasses.replace(self, colors={**self.colors, **overrides}) if overrides else self

    def tightened(self) -> Template:
        """This template with less air: half the space around text and between cards, and
        figures at 85 %. Type sizes, leading and padding stay, so every word reads the same.

        The renderer lays a handout out again with it when the closing sections would stand
        alone on the last page (see render/document.py).
        """
        styles = {
            name: dataclasses.replace(
                style,
                space_before=style.space_before * TIGHT_SPACE,
                space_after=style.space_after * TIGHT_SPACE,
            )
            for name, style in self.styles.items()
        }
        spacing = {**self.spacing, "card_gap": self.spacing["card_gap"] * TIGHT_SPACE}
        width, height = self.image_max_mm
        return dataclasses.replace(
            self,
            styles=styles,
            spacing=spacing,
            image_max_mm=(width * TIGHT_FIGURE, height * TIGHT_FIGURE),
        )
