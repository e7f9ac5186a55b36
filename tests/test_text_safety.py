"""User text reaches the PDF literally: markup characters are text, never markup."""

from __future__ import annotations

import unicodedata
from functools import cache, partial

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.ttfonts import TTFont

from rxstretch.api import load_library, render_handout
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription
from rxstretch.render.text import markup
from rxstretch.resources import package_file

from .conftest import FIXED_DATE, normalize, pdf_text

HOSTILE = ["<b>bold</b>", "Tom & Jerry", "<font size=80>HUGE</font>", "<br/>", "&amp;", "a < b > c", "<para>"]


@cache
def _alphabet() -> list[str]:
    """Printable characters of left-to-right scripts (Latin, Greek, Cyrillic, Armenian) and common
    punctuation and symbols that the bundled regular face can draw.

    Extraction can only give back what the font draws. Right-to-left scripts (Hebrew, Arabic and
    their presentation forms) are left out until the renderer shapes and reorders them (issue 4).
    """
    font = TTFont("probe", str(package_file("fonts", "DejaVuSans.ttf")))
    return sorted(
        chr(code)
        for code in font.face.charToGlyph
        if (code < 0x0590 or 0x1E00 <= code < 0x2C00)
        and unicodedata.category(chr(code))[0] in "LNPS"
        and code != 0xAD
    )


_WORDS = st.lists(st.text(st.sampled_from(_alphabet()), min_size=1, max_size=12), min_size=1, max_size=6).map(
    " ".join
)


_bundled_library = cache(partial(load_library, use_env=False))


def _render(library: Library, name: str, note: str) -> str:
    prescription = Prescription(
        patient=Patient(name),
        exercises=(PrescribedExercise("knees-to-chest", notes=note),),
        notes=note,
    )
    return normalize(pdf_text(render_handout(prescription, library=library, today=FIXED_DATE)))


def test_markup_characters_in_names_and_notes_stay_literal(library: Library) -> None:
    name = " ".join(HOSTILE[:3])
    note = " ".join(HOSTILE[3:])
    text = _render(library, name, note)
    assert name in text
    assert note in text


@settings(max_examples=30, deadline=None)
@given(name=_WORDS, note=_WORDS)
def test_any_name_and_note_survive_literally(name: str, note: str) -> None:
    # The library is loaded here, not taken as a fixture, so failure reports stay readable.
    text = _render(_bundled_library(), name, note)
    assert normalize(name) in text
    assert normalize(note) in text


@given(st.text())
def test_markup_never_leaves_a_tag_open(text: str) -> None:
    escaped = markup(text)
    assert "<" not in escaped.replace("<br/>", "")
    assert ">" not in escaped.replace("<br/>", "")
