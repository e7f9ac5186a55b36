"""Refuse to print empty boxes: every character of a handout must be in the font."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache

from rxstretch.errors import RxStretchError
from rxstretch.model.handout import Handout
from rxstretch.render.paragraphs import font_characters


class MissingGlyphError(RxStretchError):
    """Raised when the handout's font has no glyph for some of its text."""


def handout_strings(handout: Handout) -> Iterator[str]:
    """Every piece of text the handout prints."""
    brand = handout.brand
    yield from (handout.title, handout.intro, *(handout.safety_advice))
    yield from (
        value for value in (brand.name, brand.address, brand.phone, brand.email, brand.website) if value
    )
    for label, value in handout.details:
        yield from (label, value)
    yield from (text for text in (handout.general_notes, handout.follow_up) if text)
    yield from (value for value in vars(handout.labels).values() if isinstance(value, str))
    for card in handout.cards:
        yield from (card.name, card.summary, *card.tips, *card.cautions)
        yield from (text for step in card.steps for text in (step.title, step.text))
        yield from (text for row in card.dosage for text in row)
        if card.notes:
            yield card.notes


def _drawable(character: str, available: frozenset[int]) -> bool:
    # Spaces and invisible format characters (bidi marks, joiners) need no glyph.
    return ord(character) in available or unicodedata.category(character) in ("Zs", "Cc", "Cf")


def check_glyphs(strings: Iterator[str], font_names: Sequence[str]) -> None:
    """Raise MissingGlyphError naming the first text with characters none of the fonts has."""
    texts = list(strings)
    available = _union(tuple(font_names))
    # One set operation over the whole handout; the per-text search runs only on a miss.
    if set(map(ord, "".join(texts))) <= available:
        return
    font_name = " or ".join(dict.fromkeys(font_names))  # each font once, in order
    for text in texts:
        missing = sorted({c for c in text if not _drawable(c, available)})
        if missing:
            shown = ", ".join(f"{c!r} U+{ord(c):04X}" for c in missing[:5])
            excerpt = text if len(text) <= 60 else text[:57] + "..."
            raise MissingGlyphError(
                f'the font {font_name} has no glyph for {shown} in "{excerpt}"; '
                "give a font that covers this script with --font FILE.ttf"
            )


@cache
def _union(font_names: tuple[str, ...]) -> frozenset[int]:
    return frozenset().union(*(font_characters(name) for name in font_names))
