"""Right-to-left text reads right: ranges, phone numbers and brackets, checked in visual order.

A PDF holds each line in the order it is drawn. pdfplumber sorts characters by position, so the
text it extracts is what the eye reads from left to right on the page.
"""

from __future__ import annotations

import io
import unicodedata

import pdfplumber
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rxstretch.api import build_handout, render_handout
from rxstretch.model import Brand, Library, Patient, PrescribedExercise, Prescription
from rxstretch.render.bidi import get_display

from .conftest import FIXED_DATE

PHONE = "+33 4 72 00 00 00"


def _visual_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    return unicodedata.normalize("NFKC", text)


@pytest.fixture(scope="module", params=["he", "ar"])
def rtl_handout(request: pytest.FixtureRequest, library: Library) -> str:
    prescription = Prescription(
        patient=Patient("Ana"),
        # No hold given: the card shows the exercise's usual range, 30–45 seconds.
        exercises=(PrescribedExercise("knees-to-chest"),),
        language=request.param,
    )
    handout = build_handout(
        prescription, library, brand=Brand(name="Clinic", phone=PHONE), today=FIXED_DATE, tracker_weeks=1
    )
    return _visual_text(render_handout(handout))


def test_number_ranges_read_left_to_right(rtl_handout: str) -> None:
    assert "30–45" in rtl_handout
    assert "45–30" not in rtl_handout


def test_pain_scale_reads_zero_to_ten_with_brackets_facing_inwards(rtl_handout: str) -> None:
    assert "(0–10)" in rtl_handout
    assert "10–0" not in rtl_handout
    assert ")0–10(" not in rtl_handout


def test_phone_number_reads_as_written(rtl_handout: str) -> None:
    assert PHONE in rtl_handout
    assert "00 00 72 4" not in rtl_handout


def test_every_bracket_faces_its_own_phrase(rtl_handout: str) -> None:
    """In visual order an opening bracket ( is always on the left of its closing one.

    Lines holding a whole bracketed phrase are checked (a phrase broken over two lines leaves
    one bracket on each)."""
    whole = [line for line in rtl_handout.splitlines() if "(" in line and line.count("(") == line.count(")")]
    assert whole
    for line in whole:
        depth = 0
        for character in line:
            depth += {"(": 1, ")": -1}.get(character, 0)
            assert depth >= 0, line


@pytest.mark.parametrize(
    ("logical", "visual"),
    [
        ("כאב (0–10)", "(0–10) באכ"),
        ("ב-30–45 שניות", "תוינש 30–45-ב"),
        ("חייגו +33 4 72 00 00 00", "+33 4 72 00 00 00 וגייח"),
        ("תרגיל (Knees to chest)", "(Knees to chest) ליגרת"),
        ("תאריך 2026-12-05", "2026-12-05 ךיראת"),
    ],
)
def test_visual_order_of_mixed_lines(logical: str, visual: str) -> None:
    assert get_display(logical, base_dir="R") == visual


_HEBREW = st.text(alphabet="אבגדהוזחטיכלמנסעפצקרשת ", min_size=1, max_size=12)
_NUMBER = st.integers(min_value=0, max_value=9999).map(str)


@given(_HEBREW, _NUMBER, _NUMBER, _HEBREW)
def test_any_range_inside_hebrew_keeps_its_order(before: str, low: str, high: str, after: str) -> None:
    visual = get_display(f"{before} {low}–{high} {after}", base_dir="R")
    assert f"{low}–{high}" in visual


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_display_keeps_every_visible_character(text: str) -> None:
    """Reordering moves characters and mirrors brackets; it never drops or adds one."""
    controls = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    fold = str.maketrans(")]}>»›⟩", "([{<«‹⟨")
    visible = sorted(c for c in text if c not in controls)
    shown = get_display(text, base_dir="R")
    assert sorted(shown.translate(fold)) == sorted("".join(visible).translate(fold))


def test_left_to_right_paragraph_in_a_right_to_left_handout_keeps_its_alignment(library: Library) -> None:
    note = "Walk for twenty minutes every day."
    prescription = Prescription(
        patient=Patient("דנה לוי"),
        exercises=(PrescribedExercise("knees-to-chest"),),
        language="he",
        notes=note,
    )
    pdf = render_handout(prescription, library=library, today=FIXED_DATE)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            words = page.extract_words()
            walk = next((word for word in words if word["text"] == "Walk"), None)
            if walk is not None:
                assert walk["x0"] < page.width / 4, "the English note starts at the left margin"
                day = next(word for word in words if word["text"] == "day." and word["top"] == walk["top"])
                assert day["x0"] > walk["x0"], "and reads left to right"
                return
    pytest.fail("the note is missing")
