"""A handout layout as plain data: page, colours, spacing, text styles, font, and the paper policy.

rxstretch.loaders.template reads templates/<name>.yaml into these; render/ lays out with them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

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
COLOR_NAMES = ("primary", "accent", "caution", "caution_border", "text", "muted", "rule")
FIXED_COLORS = {"white": "#FFFFFF", "black": "#000000"}


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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
