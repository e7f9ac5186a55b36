"""Rendered handouts: their text, pages, fonts, metadata and reproducibility."""

from __future__ import annotations

import io
import re

import pdfplumber
import pytest
from pypdf import PdfReader

from rxstretch.api import build_handout, load_prescription, render_handout
from rxstretch.model import Library, PrescribedExercise, Prescription
from rxstretch.prescription import quick_prescription

from .conftest import EXAMPLES, FIXED_DATE, normalize, pdf_text


def _render(prescription: Prescription, library: Library, **options: object) -> bytes:
    return render_handout(prescription, library=library, today=FIXED_DATE, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def low_back_pdf(library: Library) -> bytes:
    prescription = load_prescription(EXAMPLES / "low-back.yaml", library)
    return _render(prescription, library, brand=EXAMPLES / "brand.yaml")


def test_handout_holds_patient_steps_and_dosage(low_back_pdf: bytes, library: Library) -> None:
    text = normalize(pdf_text(low_back_pdf))
    assert "Jeanne Dupont" in text
    assert "P-0042" in text
    assert "November 26, 2026" in text
    assert "Alex Martin, Physiotherapist" in text
    for exercise_id in (
        "knees-to-chest",
        "cat-cow",
        "piriformis-stretch",
        "hamstring-stretch-strap",
    ):
        exercise_text = library.exercises[exercise_id].text["en"]
        assert exercise_text.name in text
        for step in exercise_text.steps:
            assert normalize(step.text) in text
        for tip in exercise_text.tips:
            assert normalize(tip) in text
    # Knees to chest: the prescription's own values, not the library's range.
    assert "Sets 3 sets Hold 30 seconds How often 2 times a day, ideally on waking and before bed" in text
    # Cat-cow: reps prescribed, sets left to the library's usual range.
    assert "Repetitions 10 repetitions" in text
    assert "Hold behind your thighs rather than your shins" in text
    assert "Walk for 20 minutes every day" in text
    assert "December 10, 2026" in text


def test_usual_range_is_shown_when_prescription_is_silent(library: Library) -> None:
    prescription = Prescription(
        patient=quick_prescription(library, exercise_ids=["knees-to-chest"], patient="A").patient,
        exercises=(PrescribedExercise("knees-to-chest"),),
    )
    text = normalize(pdf_text(_render(prescription, library)))
    assert "Sets 3–4 sets Hold 30–45 seconds How often 1–3 times a day" in text


def test_page_count_and_page_footer(low_back_pdf: bytes) -> None:
    pages = PdfReader(io.BytesIO(low_back_pdf)).pages
    assert 2 <= len(pages) <= 5
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page.extract_text()


def test_cards_share_pages_and_break_only_after_their_opening(library: Library) -> None:
    ids = list(library.exercises)[:10]
    prescription = quick_prescription(library, exercise_ids=ids, patient="Ten Exercises")
    pages = [
        normalize(page.extract_text()) for page in PdfReader(io.BytesIO(_render(prescription, library))).pages
    ]
    assert len(pages) < len(ids)  # cards share pages
    for exercise_id in ids:
        text = library.exercises[exercise_id].text["en"]
        # The title, summary and dosage open the card on one page; a continued card names
        # itself in the running header of the next.
        opening = [i for i, page in enumerate(pages) if normalize(text.summary) in page]
        assert len(opening) == 1, exercise_id
        page = pages[opening[0]]
        assert text.name in page and "Your dosage" in page
        last = normalize(text.tips[-1])
        if last not in page:
            following = pages[opening[0] + 1]
            # A long name is shortened with "…" to fit the running header beside the patient's.
            shortened = text.name[:25] in following and "…" in following
            assert f"{text.name} (continued)" in following or shortened, exercise_id


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Map every font used on any page to whether it is embedded."""
    fonts: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            fonts[str(font["/BaseFont"])] = embedded
    return fonts


def test_every_font_is_embedded_and_none_is_base14(low_back_pdf: bytes) -> None:
    fonts = _fonts(low_back_pdf)
    assert fonts, "no fonts found"
    assert all(fonts.values()), fonts
    assert all("DejaVuSans" in name for name in fonts), fonts
    assert {re.sub(r"^/[A-Z]{6}\+", "", name) for name in fonts} >= {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }


def test_metadata_names_title_author_subject_and_language(low_back_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(low_back_pdf))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Your home exercises"
    assert meta.author == "Clinique du Parc"
    assert meta.subject == "Home exercise programme for Jeanne Dupont"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_same_inputs_give_identical_bytes(library: Library, low_back_pdf: bytes) -> None:
    prescription = load_prescription(EXAMPLES / "low-back.yaml", library)
    again = _render(prescription, library, brand=EXAMPLES / "brand.yaml")
    assert again == low_back_pdf


def test_french_handout_is_french_throughout(library: Library) -> None:
    prescription = load_prescription(EXAMPLES / "bas-du-dos.yaml", library)
    pdf = _render(prescription, library)
    text = normalize(pdf_text(pdf))
    for expected in (
        "Vos exercices à domicile",
        "26 novembre 2026",
        "Genoux à la poitrine",
        "Comment faire",
        "Conseils de sécurité",
        "3 séries",
        "2 fois par jour, idéalement au réveil et au coucher",
        "Prochain rendez-vous",
        "10 décembre 2026",
        "Page 1 sur",
    ):
        assert expected in text
    for english in ("How to do it", "Safety tips", "sets", "Page 1 of"):
        assert english not in text
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "fr"


def test_plural_forms_follow_the_count(library: Library) -> None:
    one = quick_prescription(library, exercise_ids=["cat-cow"], patient="A", sets=1, reps=1)
    text = normalize(pdf_text(_render(one, library, language="fr")))
    assert "1 série" in text and "1 séries" not in text
    assert "1 répétition" in text and "1 répétitions" not in text


def test_regional_language_falls_back_to_its_base(library: Library) -> None:
    prescription = quick_prescription(library, exercise_ids=["knees-to-chest"], patient="A")
    handout = build_handout(prescription, library, language="fr-CA", today=FIXED_DATE)
    assert handout.language == "fr-CA"
    assert handout.cards[0].name == "Genoux à la poitrine"
    assert handout.title == "Vos exercices à domicile"


def test_exercise_image_is_embedded_at_bounded_size(library: Library, scratch_library, tmp_path) -> None:
    from PIL import Image

    from rxstretch.api import load_library

    from .conftest import bundled_exercise_text

    folder = scratch_library(
        {
            "photo-stretch.yaml": bundled_exercise_text("knees-to-chest")
            .replace("id: knees-to-chest", "id: photo-stretch")
            .replace("  figure: knees-to-chest\n", "  image: images/photo.jpg\n")
        }
    )
    (folder / "images").mkdir()
    Image.new("RGB", (3000, 2000), (200, 120, 40)).save(folder / "images" / "photo.jpg")
    clinic = load_library([folder], use_env=False)
    prescription = quick_prescription(clinic, exercise_ids=["photo-stretch"], patient="A")
    pdf = render_handout(prescription, library=clinic, today=FIXED_DATE)
    images = [image for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images]
    assert len(images) == 1
    assert max(images[0].image.size) <= 1000


def test_long_figure_descriptions_stay_on_the_page(library: Library) -> None:
    # The German description of the median nerve glide is ~280 characters: written invisibly
    # over the figure for screen readers, it is wrapped to the figure's width.
    prescription = quick_prescription(
        library, exercise_ids=["median-nerve-glide"], patient="A", language="de"
    )
    pdf = _render(prescription, library)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            assert all(char["x0"] >= 0 and char["x1"] <= page.width for char in page.chars)
    description = library.exercises["median-nerve-glide"].alt["de"]
    assert normalize(description)[:60] in normalize(pdf_text(pdf))
