"""Programs (presets of exercises) and finding exercises by name, position and equipment."""

from __future__ import annotations

import json
from pathlib import Path

from rxstretch.api import load_prescription
from rxstretch.model import Library

from .conftest import normalize, pdf_text


def test_prescription_program_line_expands_to_its_exercises(library: Library, tmp_path: Path) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text("patient: {name: A}\nexercises:\n  - program: low-back-basics\n  - {id: chin-tuck}\n")
    prescription = load_prescription(rx, library)
    expected = [item.exercise_id for item in library.programs["low-back-basics"].exercises]
    assert [item.exercise_id for item in prescription.exercises] == [*expected, "chin-tuck"]
    assert prescription.exercises[0].sets == library.programs["low-back-basics"].exercises[0].sets
    assert all(item.line == 3 for item in prescription.exercises[:-1])


def test_program_line_errors_are_located(run_cli, tmp_path: Path) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text(
        "patient: {name: A}\nexercises:\n"
        "  - program: low-back-basic\n  - {program: low-back-basics, sets: 3}\n"
    )
    result = run_cli("validate", rx)
    assert result.exit_code == 1
    assert (
        f'{rx}:3: exercises[0].program: unknown program "low-back-basic" (did you mean "low-back-basics"?)'
        in result.stderr
    )
    assert f"{rx}:4: exercises[1].sets: a program line takes only program:" in result.stderr


def test_list_programs_and_filters(run_cli) -> None:
    programs = json.loads(run_cli("list", "--programs", "--lang", "fr", "--format", "json").stdout)
    by_id = {row["id"]: row for row in programs}
    assert by_id["low-back-basics"]["title"] == "Bas du dos : l'essentiel"
    seated = json.loads(run_cli("list", "--position", "sitting", "--format", "json").stdout)
    assert seated and all(row["position"] == "sitting" for row in seated)
    assert run_cli("list", "--equipment", "chiar").exit_code == 1


def test_show_accepts_a_localized_name(run_cli) -> None:
    result = run_cli("show", "Genoux a la poitrine", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "knees-to-chest"


def test_batch_row_may_name_a_program(run_cli, tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    records.write_text("patient_id,patient_name,exercises\nP1,Ana,low-back-basics\n", encoding="utf-8")
    result = run_cli("batch", records, "-o", tmp_path / "out", "--jobs", "1", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    text = normalize(pdf_text(pdf.read_bytes()))
    assert "Knees to chest" in text and "Pelvic tilt" in text


def _clinic_with_program(tmp_path: Path, program_id: str, exercise: str, title: str) -> Path:
    """A clinic library folder holding one program of one exercise line."""
    clinic = tmp_path / "clinic"
    (clinic / "programs").mkdir(parents=True)
    (clinic / "programs" / f"{program_id}.yaml").write_text(
        f"id: {program_id}\nexercises:\n  - {exercise}\ntext: {{en: {{title: {title}, intro: Daily.}}}}\n",
        encoding="utf-8",
    )
    return clinic


def test_a_broken_clinic_program_stops_only_what_uses_it(run_cli, tmp_path: Path) -> None:
    clinic = _clinic_with_program(tmp_path, "knee-school", "{id: knees-to-chst}", "Knee school")
    handout = tmp_path / "h.pdf"
    quick = ("generate", "-e", "cat-cow", "--patient", "Ana", "-o", handout, "--library", clinic)
    result = run_cli(*quick)
    assert result.exit_code == 0, result.output
    assert handout.read_bytes().startswith(b"%PDF")

    rx = tmp_path / "rx.yaml"
    rx.write_text("patient: {name: A}\nexercises:\n  - program: knee-school\n", encoding="utf-8")
    used = run_cli("generate", rx, "-o", tmp_path / "k.pdf", "--library", clinic)
    assert used.exit_code == 1
    assert "knee-school.yaml:3" in used.stderr and "knees-to-chst" in used.stderr
    assert "Traceback" not in used.output

    checked = run_cli("validate", "--library", clinic)
    assert checked.exit_code == 1
    assert "knee-school.yaml:3" in checked.stderr


def test_a_later_folders_program_replaces_the_bundled_one(library: Library, tmp_path: Path) -> None:
    from rxstretch.api import load_library

    clinic = _clinic_with_program(tmp_path, "low-back-basics", "{id: cat-cow, reps: 12}", "Our low back")
    clinic_library = load_library([clinic], lazy=True)
    program = clinic_library.programs["low-back-basics"]
    assert [item.exercise_id for item in program.exercises] == ["cat-cow"]
    assert program.text["en"].title == "Our low back"
    assert len(clinic_library.programs) == len(library.programs)
