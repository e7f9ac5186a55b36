"""The font chain: several --font files and a brand's fonts: list draw, in order, what the
bundled fonts cannot; a character none of them has is drawn as a visible mark, with a
warning naming where it is, never a refused handout."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader

import rxstretch
from rxstretch.errors import ValidationError
from rxstretch.loaders.brand import load_brand
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription
from tests.conftest import FIXED_DATE, pdf_text

fontmaker = pytest.importorskip("tests.fontmaker")

HAN, JAVANESE, HIEROGLYPH = "中", "ꦄ", "𓀀"  # none of them in DejaVu Sans
NAME = f"Ana {HAN} {JAVANESE} {HIEROGLYPH}"


@pytest.fixture
def fonts(tmp_path: Path) -> tuple[Path, Path]:
    return (
        fontmaker.tiny_font(tmp_path / "han.ttf", "TinyHan", HAN),
        fontmaker.tiny_font(tmp_path / "java.ttf", "TinyJava", JAVANESE + HAN),
    )


def prescription(name: str = NAME) -> Prescription:
    return Prescription(patient=Patient(name), exercises=(PrescribedExercise("cat-cow"),), language="en")


def font_names(pdf: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }


def test_each_font_of_the_chain_draws_what_the_ones_before_lack(
    library: Library, fonts: tuple[Path, Path]
) -> None:
    warnings: list[str] = []
    pdf = rxstretch.render_handout(
        prescription(), library=library, today=FIXED_DATE, font=fonts, warnings=warnings
    )
    text = pdf_text(pdf)
    assert f"Ana {HAN} {JAVANESE} \ufffd" in text  # the hieroglyph: a visible mark
    # 中 is drawn by the first font that has it, ꦄ by the second; the rest by DejaVu Sans.
    assert {"TinyHan", "TinyJava", "DejaVuSans"} <= {name.split("-")[0] for name in font_names(pdf)}
    assert warnings == [
        f"Patient: no font has '{HIEROGLYPH}' U+13000; drawn as \ufffd (give a font that has them "
        "with --font FILE.ttf, or in the brand file's fonts: list)"
    ]


def test_without_the_chain_every_missing_character_is_marked_not_refused(library: Library) -> None:
    warnings: list[str] = []
    pdf = rxstretch.render_handout(prescription(), library=library, today=FIXED_DATE, warnings=warnings)
    assert "Ana \ufffd \ufffd \ufffd" in pdf_text(pdf)
    assert len(warnings) == 1 and "'中' U+4E2D, 'ꦄ' U+A984, '𓀀' U+13000" in warnings[0]


def test_a_brand_fonts_list_follows_the_font_options(
    tmp_path: Path, fonts: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text(f"name: Clinic\nfonts: [{fonts[1].name}]\n", encoding="utf-8")
    assert load_brand(brand).fonts == (fonts[1].resolve(),)
    rx = tmp_path / "rx.yaml"
    rx.write_text(f"patient: {{name: '{NAME}'}}\nexercises: [{{id: cat-cow}}]\n", encoding="utf-8")
    out = tmp_path / "ana.pdf"
    result = run_cli("generate", rx, "--brand", brand, "--font", fonts[0], "-o", out, "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert f"warning: Patient: no font has '{HIEROGLYPH}' U+13000" in result.stderr
    pdf = out.read_bytes()
    assert f"Ana {HAN} {JAVANESE} \ufffd" in pdf_text(pdf)
    # 中 is in both: the --font file comes first.
    assert {"TinyHan", "TinyJava"} <= {name.split("-")[0] for name in font_names(pdf)}


def test_several_font_options_on_the_command_line(
    tmp_path: Path, fonts: tuple[Path, Path], run_cli: Callable[..., Result]
) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text(f"patient: {{name: '{NAME}'}}\nexercises: [{{id: cat-cow}}]\n", encoding="utf-8")
    args = ("generate", rx, "--font", fonts[0], "--font", fonts[1], "--date", "2026-11-26")
    result = run_cli(*args, "-o", tmp_path / "a.pdf")
    assert result.exit_code == 0, result.output
    assert f"Ana {HAN} {JAVANESE} \ufffd" in pdf_text((tmp_path / "a.pdf").read_bytes())


def test_a_batch_record_with_a_character_no_font_has_is_made_with_a_warning(
    tmp_path: Path, fonts: tuple[Path, Path]
) -> None:
    export = tmp_path / "in.csv"
    export.write_text(
        f"patient_id,patient_name,exercises\nP1,{NAME},cat-cow\nP2,Bo,bridge\n", encoding="utf-8"
    )
    result = rxstretch.run_batch(
        export, tmp_path / "out", jobs=1, today=FIXED_DATE, use_env=False, font=fonts
    )
    assert (result.written, result.failed) == (2, 0)
    with result.manifest.open(encoding="utf-8-sig", newline="") as stream:
        first, second = csv.DictReader(stream)
    assert f"Patient: no font has '{HIEROGLYPH}' U+13000" in first["warnings"]
    assert "no font has" not in second["warnings"]


def test_a_brand_fonts_entry_must_be_an_existing_truetype_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    brand = tmp_path / "brand.yaml"
    brand.write_text("name: Clinic\nfonts:\n  - notes.txt\n  - missing.ttf\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_brand(brand)
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {(3, "fonts[0]"), (4, "fonts[1]")}
