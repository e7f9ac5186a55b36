"""Page economy: every bundled exercise in every template, language direction and paper size is
laid out with nothing outside the page, no text over text, no wasted page before the last, page
one holding the first exercise and the last page holding more than the closing sections; the
example prescriptions meet their page counts."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from rxstretch.api import build_handout, load_prescription, render_handout
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription
from rxstretch.model.handout import Handout

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


def _squashed(text: str) -> str:
    return "".join(text.split())


def _holds_a_card(text: str, handout: Handout) -> bool:
    """Whether page ``text`` holds part of an exercise card: its name, a step or a tip.

    Whitespace is left out (lines wrap anywhere) and right-to-left text may come out of the
    PDF in visual order, so each piece is also looked for reversed.
    """
    page = _squashed(text)
    pieces = [piece for card in handout.cards for piece in (card.name, *card.tips)]
    pieces += [piece for card in handout.cards for step in card.steps for piece in (step.title, step.text)]
    starts = [_squashed(piece)[:14] for piece in pieces]
    return any(start in page or start[::-1] in page for start in starts if len(start) >= 4)


def _check(pages: list[Page], names: list[str], handout: Handout, *, what: str) -> None:
    for page in pages:
        assert page.outside == 0, f"{what}: text outside page {page.number}"
        assert not page.overlaps, f"{what}: text over text on page {page.number}: {page.overlaps[:3]}"
    assert names[0] in _flat(pages[0].text), f"{what}: page 1 lacks the first exercise"
    for page in pages[:-1]:
        assert page.fill >= MIN_FILL, f"{what}: page {page.number} is {page.fill:.0%} filled"
    assert _holds_a_card(pages[-1].text, handout), f"{what}: the closing sections alone on the last page"


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
        handout = build_handout(prescription, library, today=FIXED_DATE)
        _check(measure(pdf), names, handout, what=f"{template} {language} {paper} group {number}")


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


def _page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def _assert_economical(pdf: bytes, handout: Handout, what: str) -> None:
    """No page before the last under half filled, and the last one holds part of a card."""
    texts = _page_texts(pdf)
    assert _holds_a_card(texts[-1], handout), f"{what}: the closing sections stand alone on the last page"
    short = [page.number for page in measure(pdf)[:-1] if page.fill < MIN_FILL]
    assert not short, f"{what}: pages {short} are under half filled"


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("example", ["low-back.yaml", "bas-du-dos.yaml", "disc-herniation.yaml"])
def test_the_examples_end_with_part_of_an_exercise(
    library: Library, example: str, template: str, paper: str
) -> None:
    prescription = load_prescription(EXAMPLES / example, library)
    for brand in (None, EXAMPLES / "brand.yaml"):
        pdf = render_handout(prescription, library=library, template=template, paper=paper, brand=brand)
        handout = build_handout(prescription, library, brand=brand)
        _assert_economical(pdf, handout, f"{example} {template} {paper} {'brand' if brand else 'plain'}")


@pytest.mark.parametrize(
    ("template", "paper", "most"),
    [("standard", "A4", 3), ("compact", "A4", 1), ("large-print", "A4", 6), ("large-print", "letter", 6)],
)
def test_the_french_example_takes_no_extra_page(
    library: Library, template: str, paper: str, most: int
) -> None:
    # It took 4 pages in standard (notes and next appointment alone on the last) and 8 in large
    # print (each exercise starting a new page, leaving pages 2, 4 and 6 under half filled).
    prescription = load_prescription(EXAMPLES / "bas-du-dos.yaml", library)
    pdf = render_handout(prescription, library=library, template=template, paper=paper)
    assert _pages(pdf) <= most


@pytest.mark.parametrize("paper", ["A4", "letter"])
@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", ["en", "de"])
def test_ten_exercises_end_with_part_of_an_exercise(
    library: Library, language: str, template: str, paper: str
) -> None:
    long_name = Patient("Maria-Fernanda Alessandra de los Santos Villanueva-Rodriguez y Bartholomew Smith")
    for patient in (_ten(library).patient, long_name):
        prescription = dataclasses.replace(_ten(library), patient=patient, language=language)
        pdf = render_handout(prescription, library=library, template=template, paper=paper, today=FIXED_DATE)
        handout = build_handout(prescription, library, today=FIXED_DATE)
        _assert_economical(pdf, handout, f"ten {language} {template} {paper} {patient.name}")


def test_only_the_layout_chosen_is_written(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    # The branded French example needs three layout passes; the two set aside are laid out
    # only, never written (fonts subset, streams compressed), and the result is the same.
    from rxstretch.render import document

    prescription = load_prescription(EXAMPLES / "bas-du-dos.yaml", library)
    brand = EXAMPLES / "brand.yaml"
    made: list[object] = []
    written: list[object] = []
    real_init, real_finish = document._FooterCanvas.__init__, document._FooterCanvas.finish

    def counting_init(self: document._FooterCanvas, *args: object, **kwargs: object) -> None:
        made.append(self)
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]

    def counting_finish(self: document._FooterCanvas) -> None:
        written.append(self)
        real_finish(self)

    monkeypatch.setattr(document._FooterCanvas, "__init__", counting_init)
    monkeypatch.setattr(document._FooterCanvas, "finish", counting_finish)
    pdf = render_handout(prescription, library=library, brand=brand, today=FIXED_DATE)
    assert len(made) == 3
    assert len(written) == 1
    assert written[0] in made
    monkeypatch.undo()
    assert render_handout(prescription, library=library, brand=brand, today=FIXED_DATE) == pdf
