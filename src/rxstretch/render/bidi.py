"""Right-to-left and mixed-direction text: shaped with HarfBuzz, reordered with the bidi algorithm.

ReportLab draws characters, not glyph runs, and its own bidi support needs a library that is not
on PyPI. So Arabic is shaped by HarfBuzz into the font's contextual glyphs, and each glyph is
written back as the Unicode presentation form that the font maps to it (DejaVu Sans maps all of
them). Lines are broken in logical order, then each line is put in visual order with
python-bidi, so numbers and Latin words inside Arabic or Hebrew stay left-to-right.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from itertools import groupby
from pathlib import Path

from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

# Directional marks, embeddings and isolates steer the bidi algorithm; they are never drawn.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))

# Arabic Presentation Forms-A and -B: what a shaped glyph is written back as.
_PRESENTATION_FORMS = (range(0xFB50, 0xFE00), range(0xFE70, 0xFF00))


def registered_face(font_name: str) -> TTFontFace:
    """The parsed TrueType face of a registered font."""
    font = getFont(font_name)
    assert isinstance(font, TTFont), f"{font_name} is not a TrueType font"
    return font.face


# The blocks of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko... and their
# presentation forms): searching them is much faster than asking each character's bidi class.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds right-to-left characters (Hebrew, Arabic...)."""
    return not text.isascii() and _RTL.search(text) is not None


def reads_left_to_right(text: str) -> bool:
    """Whether ``text`` is written left to right: letters, none of them Arabic or Hebrew.

    Digits and punctuation alone have no direction of their own: they follow the handout's.
    """
    return not has_rtl(text) and any(character.isalpha() for character in text)


def _is_arabic_script(character: str) -> bool:
    # Letters of joining scripts are bidi class AL; their marks (harakat) are NSM in the same blocks.
    klass = unicodedata.bidirectional(character)
    return klass == "AL" or (klass == "NSM" and 0x0600 <= ord(character) <= 0x06FF)


class Shaper:
    """Shapes Arabic-script runs for one TrueType font registered with ReportLab."""

    def __init__(self, font_name: str) -> None:
        face = registered_face(font_name)
        self._char_to_glyph: dict[int, int] = face.charToGlyph
        glyph_to_char: dict[int, int] = {}
        for code, glyph in sorted(self._char_to_glyph.items()):
            if any(code in block for block in _PRESENTATION_FORMS) or glyph not in glyph_to_char:
                glyph_to_char[glyph] = code
        self._glyph_to_char = glyph_to_char
        import uharfbuzz  # only handouts with right-to-left text pay for importing HarfBuzz

        self._hb = uharfbuzz
        self._font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(Path(face.filename)))))

    def shape(self, text: str) -> str:
        """Return ``text`` in logical order with its Arabic runs in contextual presentation forms."""
        out: list[str] = []
        run: list[str] = []
        for character in text:
            if _is_arabic_script(character):
                run.append(character)
                continue
            out.append(self._shape_run("".join(run)))
            run.clear()
            out.append(character)
        out.append(self._shape_run("".join(run)))
        return "".join(out)

    def _shape_run(self, run: str) -> str:
        if not run:
            return ""
        buffer = self._hb.Buffer()
        buffer.add_str(run)
        buffer.direction = "rtl"
        buffer.script = "Arab"
        self._hb.shape(self._font, buffer, {})
        # HarfBuzz returns an RTL run in visual order, the reverse of logical order (a mark
        # follows its base letter once reversed); a cluster is the glyphs of some source characters.
        glyphs = list(reversed(buffer.glyph_infos))
        starts = [*sorted({info.cluster for info in glyphs}), len(run)]
        shaped: list[str] = []
        for cluster, group in groupby(glyphs, key=lambda info: info.cluster):
            source = run[cluster : starts[starts.index(cluster) + 1]]
            codes = [self._glyph_to_char.get(info.codepoint) for info in group]
            # A glyph the font maps back to a character is written as that character (a
            # contextual form or ligature); otherwise the source characters stand as they are.
            shaped.append(
                source if None in codes else "".join(chr(code) for code in codes if code is not None)
            )
        return "".join(shaped)


@cache
def shaper(font_name: str) -> Shaper:
    """The Shaper of a registered font, built once per process."""
    return Shaper(font_name)


# Left-to-right runs that the bidi algorithm alone would scramble inside right-to-left text: a
# number range (30–45: the en dash is a neutral, so the two numbers would swap), a phone number
# (+33 4 72 00 00 00: its groups would read backwards), a date, a Latin name with digits. A run
# starts and ends with a digit or a Latin letter and may hold the joiners between them.
_LTR_CHARACTER = "0-9A-Za-z\u00c0-\u024f"
_LTR_JOINER = " \u00a0\u202f\\-\u2010-\u2015/:.,+\u00d7'()"
_LTR_RUN = re.compile(f"[+]?[{_LTR_CHARACTER}](?:[{_LTR_JOINER}]*[{_LTR_CHARACTER})])*")
_ISOLATE_LTR, _POP_ISOLATE = "\u2066", "\u2069"

# Brackets swap shape when they read right to left (UAX #9, rule L4; BidiMirroring.txt). The
# bidi library reorders but leaves mirroring to the renderer: that is this table.
_MIRRORED = str.maketrans("()[]{}<>«»‹›⟨⟩", ")(][}{><»«›‹⟩⟨")


def _isolated(line: str) -> str:
    """``line`` with its left-to-right runs isolated and the brackets around them mirrored.

    Inside a right-to-left paragraph every bracket outside an isolate resolves right to left
    (its neighbours are right-to-left letters, isolates or the paragraph's own direction), so
    it is drawn mirrored; the brackets of a Latin phrase, inside its isolate, are not.
    """
    out: list[str] = []
    end = 0
    for run in _LTR_RUN.finditer(line):
        out.append(line[end : run.start()].translate(_MIRRORED))
        # A run's trailing closing bracket belongs to the text around it, not to the run.
        text = run.group()
        closing = len(text) - len(text.rstrip(")"))
        opened = text.count("(") - (text.count(")") - closing)
        keep = min(closing, max(opened, 0))
        inner, tail = text[: len(text) - closing + keep], text[len(text) - closing + keep :]
        out.append(f"{_ISOLATE_LTR}{inner}{_POP_ISOLATE}{tail.translate(_MIRRORED)}")
        end = run.end()
    out.append(line[end:].translate(_MIRRORED))
    return "".join(out)


def get_display(text: str, base_dir: str | None) -> str:
    """The visual order of ``text``, mirrored, without bidi controls (python-bidi, imported only
    when some text needs it)."""
    from bidi import get_display as visual_order

    if base_dir == "R":
        text = _isolated(text)
    return str(visual_order(text, base_dir=base_dir)).translate(_BIDI_CONTROLS)


def _base_direction(text: str, rtl: bool) -> str | None:
    # In a right-to-left handout any text with Arabic or Hebrew in it reads right to left (so a
    # sentence opening with a Latin clinic name still ends at the left); other text, such as an
    # exercise shown in English for want of a translation, keeps its own direction.
    return "R" if rtl and has_rtl(text) else None


def visual_line(text: str, font_name: str, *, rtl: bool) -> str:
    """Shape and reorder one line for drawing left to right."""
    return get_display(shaper(font_name).shape(text), base_dir=_base_direction(text, rtl))


def visual_lines(text: str, font_name: str, font_size: float, width: float, *, rtl: bool) -> list[str]:
    """Break ``text`` into lines that fit ``width`` (in logical order), then reorder each line."""
    shaped = shaper(font_name).shape(text)
    base = _base_direction(text, rtl)
    lines: list[str] = []
    for paragraph in shaped.split("\n"):
        current: list[str] = []
        for word in paragraph.split():
            candidate = " ".join([*current, word])
            if current and stringWidth(candidate, font_name, font_size) > width:
                lines.append(" ".join(current))
                current = [word]
            else:
                current.append(word)
        lines.append(" ".join(current))
    return [get_display(line, base_dir=base) for line in lines]
