"""Page economy: every bundled exercise in every template, language direction and paper size is
laid out with nothing outside the page, no text over text, no wasted page before the last, and
page one holding the first exercise; the example prescriptions meet their page counts."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from pypdf import PdfReader

from rxstretch.api import load_prescription, render_handout
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription

from .conftest import EXAMPLES, FIXED_DATE
from .pages import Page, measure

TEMPLATES = ("standard", "compact", "large-print")
GROUPS = 5  # every bundled exercise, in a few multi-exercise handouts (fast, and cards share pages)
MIN_FILL = 0.5


def _groups(library: Library) -> list[list[str]]:
    ids = sorted(library.exercises)
    return [ids[index::GROUPS] for index in range(GROUPS)]


def _flat(text: str) -> str:
    return " ".join(text.replace("\u2002", " ").split())


def _check(pages: list[Page], names: list[str], *, template: str, what: str) -> None:
    for page in pages:
        assert page.outside == 0, f"{what}: text outside page {page.number}"
        assert not page.overlaps, f"{what}: text over text on page {page.number}: {page.overlaps[:3]}"
    assert names[0] in _flat(pages[0].text), f"{what}: page 1 lacks the first exercise"
    for page, following in itertools.pairwise(pages):
        if page.fill >= MIN_FILL:
            continue
        # Large print starts each exercise on a new page: the page before may be short.
        starts = [name for name in names if name in _flat(following.text) and name not in _flat(page.text)]
        assert template == "large-print" and starts, f"{what}: page {page.number} is {page.fill:.0%} filled"


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("language", ["en", "de", "ar"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_exercise_uses_the_paper_well(
    library: Library, template: str, language: str, paper: str
) -> None:
    for number, ids in enumerate(_groups(library), start=1):
        prescription = Prescription(
            patient=Patient(f"Layout {number}"),
            exercises=tuple(PrescribedExercise(e) for e in ids),
            language=language,
            notes="Walk for 20 minutes every day.",
            follow_up=FIXED_DATE,
        )
        pdf = render_handout(prescription, library=library, template=template, today=FIXED_DATE, paper=paper)
        texts = [library.exercises[e].text for e in ids]
        names = [_flat((t.get(language) or t["en"]).name) for t in texts]
        _check(measure(pdf), names, template=template, what=f"{template} {language} {paper} group {number}")


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _ten(library: Library) -> Prescription:
    ids = ["chin-tuck", "neck-side-bend", "tendon-glides", "wall-slides", "doorway-chest-stretch"]
    ids += ["bridge", "clamshell", "calf-raises", "knees-to-chest", "wrist-flexor-stretch"]
    return Prescription(
        patient=Patient("Robert Smith", id="P-0100"),
        exercises=tuple(PrescribedExercise(e) for e in ids),
        language="en",
        notes="Walk for 20 minutes every day, at a pace where you can still talk.",
        follow_up=FIXED_DATE,
    )


def _qr_brand(tmp_path: Path) -> Path:
    brand = tmp_path / "brand.yaml"
    brand.write_text(
        (EXAMPLES / "brand.yaml").read_text(encoding="utf-8") + "qr_code: true\n", encoding="utf-8"
    )
    return brand


@pytest.mark.parametrize(
    ("template", "brand", "most"),
    [
        ("standard", False, 3),
        ("standard", True, 3),
        ("compact", False, 1),
        ("compact", True, 1),
        ("large-print", False, 6),
        ("large-print", True, 6),
    ],
)
def test_low_back_page_counts(library: Library, template: str, brand: bool, most: int) -> None:
    prescription = load_prescription(EXAMPLES / "low-back.yaml", library)
    pdf = render_handout(
        prescription,
        library=library,
        template=template,
        paper="A4",
        brand=EXAMPLES / "brand.yaml" if brand else None,
    )
    pages = measure(pdf)
    assert len(pages) <= most
    assert all(page.min_pt is not None and page.min_pt >= 7.5 for page in pages)
    if template == "large-print":
        assert all(page.min_pt is not None and page.min_pt >= 16 for page in pages)


@pytest.mark.parametrize(("paper", "most"), [("A4", 6), ("letter", 7)])
def test_ten_exercises_with_a_brand_and_qr_code_take_six_pages(
    library: Library, tmp_path: Path, paper: str, most: int
) -> None:
    pdf = render_handout(
        _ten(library), library=library, brand=_qr_brand(tmp_path), paper=paper, today=FIXED_DATE
    )
    pages = measure(pdf)
    assert len(pages) <= most  # Letter is 18 mm shorter than A4
    assert all(page.fill >= MIN_FILL for page in pages[:-1])
    assert "Chin tuck" in pages[0].text


def test_a_long_name_is_shortened_in_the_running_header(library: Library) -> None:
    long_name = "Maria-Fernanda Alessandra de los Santos Villanueva-Rodriguez y Bartholomew Smith"
    prescription = _ten(library)
    prescription = Prescription(patient=Patient(long_name), exercises=prescription.exercises, language="en")
    for template in TEMPLATES:
        pages = measure(render_handout(prescription, library=library, template=template, today=FIXED_DATE))
        assert _flat(long_name) in _flat(pages[0].text)  # whole in the patient block
        assert "\u2026" in pages[1].text  # shortened in the running header
        assert all(page.outside == 0 and not page.overlaps for page in pages)
