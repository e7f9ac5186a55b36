"""Characters no font of the chain can draw: found before rendering, drawn as a visible mark.

The chain is the handout's family, the bundled DejaVu Sans, then each ``--font`` file and each
file of the brand's ``fonts:`` list, in order. A character none of them has (an emoji in a
name, a script no font covers) is printed as REPLACEMENT (U+FFFD, which DejaVu Sans draws), so
the handout is still made and shows where something is missing; the warning names the part
of the handout that holds it, for the clinician to check.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from functools import cache

from rxstretch.model.handout import Handout
from rxstretch.render.bidi import registered_face

REPLACEMENT = "\ufffd"
_SHOWN_MISSING = 5  # characters named in one warning


def handout_strings(handout: Handout) -> Iterator[tuple[str, str]]:
    """Every piece of text the handout prints, with where it is printed: ``(where, text)``."""
    brand = handout.brand
    yield from (("title", handout.title), ("introduction", handout.intro))
    yield from (("safety advice", text) for text in handout.safety_advice)
    contact = ("name", "address", "phone", "email", "website")
    yield from ((f"clinic {key}", getattr(brand, key)) for key in contact if getattr(brand, key))
    for label, value in handout.details:
        yield from ((f"{label} label", label), (label, value))
    if handout.general_notes:
        yield "general notes", handout.general_notes
    if handout.follow_up:
        yield "next appointment", handout.follow_up
    labels = (value for value in vars(handout.labels).values() if isinstance(value, str))
    yield from (("headings", value) for value in labels)
    for card in handout.cards:
        where = card.exercise_id
        yield from ((f"{where} name", card.name), (f"{where} summary", card.summary))
        yield from ((f"{where} tips", text) for text in card.tips)
        yield from ((f"{where} cautions", text) for text in card.cautions)
        yield from ((f"{where} steps", text) for step in card.steps for text in (step.title, step.text))
        yield from ((f"{where} dosage", text) for row in card.dosage for text in row)
        if card.notes:
            yield f"{where} notes", card.notes


def drawable(character: str, available: frozenset[int]) -> bool:
    """Whether ``character`` needs no replacement: a font has it, or it needs no glyph."""
    # Spaces and invisible format characters (bidi marks, joiners) need no glyph.
    return ord(character) in available or unicodedata.category(character) in ("Zs", "Zl", "Zp", "Cc", "Cf")


def missing_glyphs(strings: Iterator[tuple[str, str]], font_names: Sequence[str]) -> list[str]:
    """A warning for each part of the handout with characters no font of the chain has."""
    texts = list(strings)
    available = chain_characters(tuple(font_names))
    # One set operation over the whole handout; the per-text search runs only on a miss.
    if set(map(ord, "".join(text for _, text in texts))) <= available:
        return []
    warnings: dict[str, None] = {}
    for where, text in texts:
        missing = sorted({c for c in text if not drawable(c, available)})
        if missing:
            shown = ", ".join(f"{c!r} U+{ord(c):04X}" for c in missing[:_SHOWN_MISSING])
            more = f" and {len(missing) - _SHOWN_MISSING} more" if len(missing) > _SHOWN_MISSING else ""
            warnings[
                f"{where}: no font has {shown}{more}; drawn as {REPLACEMENT} (give a font that "
                "has them with --font FILE.ttf, or in the brand file's fonts: list)"
            ] = None
    return list(warnings)


@cache
def font_characters(font_name: str) -> frozenset[int]:
    """The code points a registered TrueType font has glyphs for."""
    return frozenset(registered_face(font_name).charToGlyph)


@cache
def chain_characters(font_names: tuple[str, ...]) -> frozenset[int]:
    """The code points any of the registered fonts ``font_names`` has glyphs for."""
    return frozenset().union(*(font_characters(name) for name in font_names))
