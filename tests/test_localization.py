"""Handouts in the patient's language: catalogs, Babel formatting, right-to-left scripts, fonts."""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from rxstretch.api import build_handout, render_handout
from rxstretch.errors import LanguageFallbackError
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription

from .conftest import FIXED_DATE, normalize, pdf_text

CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


def _rx(language: str, name: str = "Ana", **item: object) -> Prescription:
    exercise = PrescribedExercise("knees-to-chest", **item)  # type: ignore[arg-type]
    return Prescription(patient=Patient(name), exercises=(exercise,), language=language)


def _text(prescription: Prescription, library: Library, **options: object) -> str:
    return normalize(pdf_text(render_handout(prescription, library=library, today=FIXED_DATE, **options)))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Vos exercices à domicile",
                "26 novembre 2026",
                "Comment faire",
                "Séries 1 série",
                "Page 1 sur ",
            ],
        ),
        (
            "de",
            [
                "Ihre Übungen für zu Hause",
                "26. November 2026",
                "So geht's",
                "Serien 1 Serie",
                "Seite 1 von ",
            ],
        ),
        (
            "es",
            [
                "Sus ejercicios en casa",
                "26 de noviembre de 2026",
                "Cómo hacerlo",
                "Series 1 serie",
                "Página 1 de ",
            ],
        ),
        (
            "el",
            [
                "Οι ασκήσεις σας για το σπίτι",
                "26 Νοεμβρίου 2026",
                "Πώς γίνεται",
                "Σετ 1 σετ",
                "Σελίδα 1 από ",
            ],
        ),
        (
            "ru",
            [
                "Ваши упражнения для дома",
                "26 ноября 2026 г.",
                "Как выполнять",
                "Подходы 1 подход",
                "Страница 1 из ",
            ],
        ),
        (
            "pl",
            [
                "Ćwiczenia do wykonywania w domu",
                "26 listopada 2026",
                "Jak wykonywać",
                "Serie 1 seria",
                "Strona 1 z ",
            ],
        ),
        (
            "tr",
            [
                "Evde yapacağınız egzersizler",
                "26 Kasım 2026",
                "Nasıl yapılır",
                "Set 1 set",
                "Sayfa 1 / ",
            ],
        ),
    ],
)
def test_handout_headings_date_and_plurals_are_localized(
    library: Library, language: str, expected: list[str]
) -> None:
    text = _text(_rx(language, sets=1), library)
    for phrase in expected:
        assert phrase in text


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ru", 2, ["2 подхода", "2 повторения"]),
        ("ru", 5, ["5 подходов", "5 повторений"]),
        ("ru", 21, ["21 подход", "21 повторение"]),
        ("pl", 2, ["2 serie", "2 powtórzenia"]),
        ("pl", 5, ["5 serii", "5 powtórzeń"]),
        ("pl", 22, ["22 serie", "22 powtórzenia"]),
    ],
)
def test_slavic_plurals_follow_the_count(
    library: Library, language: str, count: int, expected: list[str]
) -> None:
    """Russian and Polish have a form for 2-4 (and 22-24) and another for 5-20: both are filled."""
    text = _text(_rx(language, sets=count, reps=count), library)
    for phrase in expected:
        assert phrase in text


def test_german_handout_has_no_english_left(library: Library) -> None:
    text = _text(_rx("de", sets=3), library)
    assert "3 Serien" in text
    assert library.exercises["knees-to-chest"].text["de"].steps[0].text.split()[0] in text
    for english in ("How to do it", "Safety tips", "Page 1 of", " sets", "ideally", "on waking"):
        assert english not in text


def _logical(extracted_line: str) -> str:
    """The base letters of a line as extracted (NFKC folds presentation forms back).

    The PDF holds each line in visual order; pypdf, like a PDF viewer copying text, applies the
    bidi algorithm to right-to-left runs, so a correct handout extracts in logical order.
    """
    return unicodedata.normalize("NFKC", extracted_line)


def test_arabic_is_shaped_and_reads_in_logical_order(library: Library) -> None:
    name = "فاطمة الزهراء"
    pdf = render_handout(_rx("ar", name=name, sets=3), library=library, today=FIXED_DATE)
    lines = [line.strip() for line in pdf_text(pdf).splitlines()]
    shaped = [line for line in lines if _logical(line) == name]
    assert shaped, lines[:12]
    # Contextual forms (initial, medial, final) come from HarfBuzz: presentation forms are drawn.
    assert any(0xFE70 <= ord(c) <= 0xFEFF for c in shaped[0])
    assert "مجموعات" in " ".join(_logical(line) for line in lines)  # the plural for 3 to 10


def test_arabic_layout_is_mirrored(library: Library) -> None:
    pdf = render_handout(_rx("ar"), library=library, today=FIXED_DATE)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    width = float(page.mediabox.width)
    positions: list[tuple[str, float]] = []
    page.extract_text(
        visitor_text=lambda text, cm, tm, *_: positions.append((text.strip(), tm[4] * cm[0] + cm[4]))
    )
    title_x = next(x for text, x in positions if "1." in text or ".1" in text)
    assert title_x > width / 2, "the card title starts on the right in Arabic"


def test_arabic_is_drawn_in_a_font_that_has_it_even_in_large_print(library: Library) -> None:
    """Atkinson Hyperlegible has no Arabic: paragraphs, the running header and the footer's
    page numbers are all set in DejaVu Sans there, never as empty boxes."""
    rx = _rx("ar", name="فاطمة الزهراء", sets=3)
    pdf = render_handout(rx, library=library, today=FIXED_DATE, template="large-print")
    arabic_fonts: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text: str, _cm: object, _tm: object, font: dict | None, _size: object) -> None:
            if font is not None and any(0x0600 <= ord(c) <= 0x06FF or ord(c) >= 0xFB50 for c in text):
                arabic_fonts.add(str(font["/BaseFont"]))

        page.extract_text(visitor_text=visit)
    assert arabic_fonts and all("DejaVuSans" in name for name in arabic_fonts), arabic_fonts
    footers = [line for line in pdf_text(pdf).splitlines() if "الصفحة" in _logical(line)]
    assert len(footers) == len(PdfReader(io.BytesIO(pdf)).pages)


def test_hebrew_reads_right_to_left(library: Library) -> None:
    name = "דנה לוי"
    pdf = render_handout(_rx("he", name=name), library=library, today=FIXED_DATE)
    lines = [line.strip() for line in pdf_text(pdf).splitlines()]
    assert any(name in _logical(line) for line in lines)
    assert any("עמוד" in _logical(line) for line in lines)


def test_fallback_is_reported_and_strict_mode_refuses(library: Library) -> None:
    # Swedish: the library has no content in it (nor the handout's wording).
    handout = build_handout(_rx("sv"), library, today=FIXED_DATE)
    assert "knees-to-chest: all text shown in en" in handout.fallbacks
    with pytest.raises(LanguageFallbackError, match="knees-to-chest: all text shown in en"):
        build_handout(_rx("sv"), library, strict_language=True)
    assert build_handout(_rx("fr"), library, strict_language=True).fallbacks == ()


def test_partial_translation_borrows_fields_and_says_which(scratch_library, run_cli, tmp_path: Path) -> None:
    from .conftest import bundled_exercise_text

    text = bundled_exercise_text("pelvic-tilt").replace("id: pelvic-tilt", "id: my-tilt")
    text += "  sv:\n    name: Bäckentippning\n"
    folder = scratch_library({"my-tilt.yaml": text})
    base = ["generate", "-e", "my-tilt", "--patient", "A", "--lang", "sv", "--library", folder]
    result = run_cli(*base, "-o", tmp_path / "a.pdf")
    assert result.exit_code == 0, result.output
    assert "my-tilt: summary, purpose, steps, tips, suitable_for" in result.stderr
    assert "Bäckentippning" in pdf_text((tmp_path / "a.pdf").read_bytes())
    strict = run_cli(*base, "--strict-lang", "-o", tmp_path / "b.pdf")
    assert strict.exit_code == 1 and not (tmp_path / "b.pdf").exists()


@pytest.mark.parametrize(
    ("language", "size"), [("fr", "A4"), ("fr-CA", "letter"), ("en-US", "letter"), ("de-DE", "A4")]
)
def test_paper_follows_the_territory(library: Library, language: str, size: str) -> None:
    pdf = render_handout(_rx(language), library=library, today=FIXED_DATE)
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    expected = (612, 792) if size == "letter" else (595, 842)
    assert (round(float(box.width)), round(float(box.height))) == expected
    forced = render_handout(_rx(language), library=library, today=FIXED_DATE, paper="A4")
    assert round(float(PdfReader(io.BytesIO(forced)).pages[0].mediabox.width)) == 595


def test_missing_glyphs_are_drawn_as_a_mark_with_a_warning_naming_where(library: Library) -> None:
    warnings: list[str] = []
    pdf = render_handout(_rx("ja", name="中村"), library=library, today=FIXED_DATE, warnings=warnings)
    assert "\ufffd\ufffd" in pdf_text(pdf) and "中" not in pdf_text(pdf)
    (warning,) = [w for w in warnings if "中" in w]
    assert warning.startswith("Patient: no font has '中' U+4E2D, '村' U+6751; drawn as \ufffd")


def test_cjk_renders_with_a_configured_font(library: Library) -> None:
    if not CJK_FONT.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{CJK_FONT} missing: .ci/run installs fonts-droid-fallback")
        pytest.skip("Debian's fonts-droid-fallback is not installed")
    pdf = render_handout(_rx("ja", name="中村 美咲"), library=library, today=FIXED_DATE, font=CJK_FONT)
    text = pdf_text(pdf)
    assert "中村 美咲" in text
    assert "2026年11月26日" in text
    fonts = {
        str(f.get_object()["/BaseFont"])
        for p in PdfReader(io.BytesIO(pdf)).pages
        for f in p["/Resources"]["/Font"].values()
    }
    assert any("DroidSansFallback" in name for name in fonts) and any("DejaVuSans" in name for name in fonts)


def test_locales_command_reports_coverage(run_cli) -> None:
    result = run_cli("locales")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert {"en", "fr", "de", "es", "it", "pt", "nl", "ar", "he"} <= rows.keys()
    assert "100%" in rows["ar"] and "Arab (rtl)" in rows["ar"]
    assert "13/13" in rows["de"] or "/" in rows["de"]
    assert "no: use --font" in rows["zh"]
