"""Prescriptions: the YAML file, the quick command-line form, and how their errors are reported."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from rxstretch.errors import Problem, ValidationError
from rxstretch.model import Frequency, Library, Patient
from rxstretch.prescription import MAX_NOTE_CHARS, load_prescription_file, quick_prescription

from .conftest import EXAMPLES, line_of, replace_once

LOW_BACK = EXAMPLES / "low-back.yaml"


def low_back_with(old: str, new: str) -> str:
    return replace_once(LOW_BACK.read_text(encoding="utf-8"), old, new)


def problems_of(tmp_path: Path, text: str, library: Library) -> tuple[str, tuple[Problem, ...]]:
    """Write ``text`` as a prescription file; return its path and the problems loading it."""
    path = tmp_path / "rx.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_prescription_file(path, library)
    return str(path), caught.value.problems


def assert_no_crash(result: Result, exit_code: int) -> None:
    """The CLI ended through click (SystemExit), never through an unexpected exception."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


# --- the example file -------------------------------------------------------------------------


def test_example_prescription_loads(library: Library) -> None:
    rx = load_prescription_file(LOW_BACK, library)
    assert rx.patient == Patient("Jeanne Dupont", "P-0042")
    assert rx.language == "en"
    assert rx.date == datetime.date(2026, 11, 26)
    assert rx.follow_up == datetime.date(2026, 12, 10)
    assert rx.clinician is not None and rx.clinician.name == "Alex Martin"
    assert [e.exercise_id for e in rx.exercises] == [
        "knees-to-chest",
        "cat-cow",
        "piriformis-stretch",
        "hamstring-stretch-strap",
    ]
    first = rx.exercises[0]
    assert first.sets == 3
    assert first.hold == 30
    assert first.frequency == Frequency(2, "day")
    assert first.reps is None
    assert first.notes is not None and first.notes.startswith("Hold behind your thighs")
    assert rx.exercises[1].reps == 10
    assert rx.exercises[2].side == "both"
    assert rx.notes == "Walk for 20 minutes every day, at a pace where you can still talk."
    assert rx.source == str(LOW_BACK)


# --- located errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "field", "phrase"),
    [
        (
            "  - id: knees-to-chest",
            "  - id: knees-to-chets",
            "knees-to-chets",
            "exercises[0].id",
            'unknown exercise "knees-to-chets" (did you mean "knees-to-chest"?)',
        ),
        (
            "    hold: 30s\n    frequency: 2/day\n    notes",
            "    hold: thirty\n    frequency: 2/day\n    notes",
            "hold: thirty",
            "exercises[0].hold",
            '"thirty" is not a duration',
        ),
        (
            "    hold: 30s\n    frequency: 2/day\n    notes",
            "    hold: 30s\n    frequency: 2/month\n    notes",
            "2/month",
            "exercises[0].frequency",
            '"2/month" is not a frequency',
        ),
        (
            "    sets: 3\n",
            "    sets: 3\n    side: up\n",
            "side: up",
            "exercises[0].side",
            'unknown side "up"',
        ),
        (
            "    sets: 3\n",
            "    sets: 0\n",
            "sets: 0",
            "exercises[0].sets",
            "must be at least 1",
        ),
        (
            "date: 2026-11-26",
            "date: next tuesday",
            "next tuesday",
            "date",
            '"next tuesday" is not a date; write it as YYYY-MM-DD',
        ),
        (
            "date: 2026-11-26",
            "date: '2026-02-30'",
            "2026-02-30",
            "date",
            '"2026-02-30" is not a date',
        ),
        (
            "language: en",
            "language: xx-nope",
            "xx-nope",
            "language",
            'unknown language "xx-nope"',
        ),
        (
            "follow_up: 2026-12-10",
            "folow_up: 2026-12-10",
            "folow_up",
            "folow_up",
            'unknown key (did you mean "follow_up"?)',
        ),
    ],
    ids=[
        "exercise-id",
        "hold",
        "frequency",
        "side",
        "sets",
        "date",
        "quoted-impossible-date",
        "language",
        "unknown-key",
    ],
)
def test_prescription_error_is_located(
    tmp_path: Path, library: Library, old: str, new: str, needle: str, field: str, phrase: str
) -> None:
    text = low_back_with(old, new)
    path, problems = problems_of(tmp_path, text, library)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.file, problem.line, problem.field) == (path, line_of(text, needle), field)
    assert phrase in problem.message


def test_impossible_unquoted_date_is_a_located_problem(tmp_path: Path, library: Library) -> None:
    # YAML reads 2026-02-30 as a timestamp, and building that date fails inside the YAML loader.
    text = low_back_with("date: 2026-11-26", "date: 2026-02-30")
    path, problems = problems_of(tmp_path, text, library)
    assert [(p.file, p.line) for p in problems] == [(path, line_of(text, "2026-02-30"))]


def test_missing_patient(tmp_path: Path, library: Library) -> None:
    text = low_back_with("patient: {name: Jeanne Dupont, id: P-0042}\n", "")
    path, problems = problems_of(tmp_path, text, library)
    # A missing key is reported at the start of the mapping that should hold it.
    assert Problem(path, line_of(text, "language: en"), "patient", "is required") in problems


def test_missing_patient_is_reported_once(tmp_path: Path, library: Library) -> None:
    text = low_back_with("patient: {name: Jeanne Dupont, id: P-0042}\n", "")
    path, problems = problems_of(tmp_path, text, library)
    assert problems == (Problem(path, line_of(text, "language: en"), "patient", "is required"),)


def test_empty_patient_name(tmp_path: Path, library: Library) -> None:
    text = low_back_with("patient: {name: Jeanne Dupont, id: P-0042}", "patient: {name: '  '}")
    path, problems = problems_of(tmp_path, text, library)
    assert problems == (Problem(path, line_of(text, "patient:"), "patient.name", "must not be empty"),)


def test_empty_exercise_list(tmp_path: Path, library: Library) -> None:
    text = "patient: {name: Jeanne Dupont}\nlanguage: fr\nexercises: []\n"
    path, problems = problems_of(tmp_path, text, library)
    assert problems == (Problem(path, 3, "exercises", "list at least one exercise"),)


def test_missing_exercises(tmp_path: Path, library: Library) -> None:
    text = "patient: {name: Jeanne Dupont}\n"
    path, problems = problems_of(tmp_path, text, library)
    assert Problem(path, 1, "exercises", "is required") in problems


@pytest.mark.parametrize(
    ("old", "field"),
    [
        ("notes: Walk for 20 minutes", "notes"),
        ("    notes: Hold behind", "exercises[0].notes"),
    ],
)
def test_note_longer_than_the_limit(tmp_path: Path, library: Library, old: str, field: str) -> None:
    text = low_back_with(old, old.replace("notes: ", "notes: " + "x" * MAX_NOTE_CHARS))
    path, problems = problems_of(tmp_path, text, library)
    assert problems == (
        Problem(
            path, line_of(text, "x" * MAX_NOTE_CHARS), field, f"is longer than {MAX_NOTE_CHARS} characters"
        ),
    )


def test_note_of_exactly_the_limit_is_accepted(tmp_path: Path, library: Library) -> None:
    assert MAX_NOTE_CHARS == 20_000  # the README promises this much
    note = "x" * MAX_NOTE_CHARS
    path = tmp_path / "rx.yaml"
    path.write_text(f"patient: {{name: A}}\nexercises: [{{id: cat-cow}}]\nnotes: {note}\n")
    assert load_prescription_file(path, library).notes == note


def test_every_problem_in_a_prescription_is_reported(tmp_path: Path, library: Library) -> None:
    text = low_back_with("  - id: knees-to-chest", "  - id: knees-to-chets")
    text = replace_once(text, "language: en", "language: xx-nope")
    text = replace_once(text, "side: alternate", "side: up")
    path, problems = problems_of(tmp_path, text, library)
    assert {(p.file, p.line, p.field) for p in problems} == {
        (path, line_of(text, "knees-to-chets"), "exercises[0].id"),
        (path, line_of(text, "xx-nope"), "language"),
        (path, line_of(text, "side: up"), "exercises[3].side"),
    }


# --- the quick form ---------------------------------------------------------------------------


def test_quick_prescription_gives_every_exercise_the_same_dosage(library: Library) -> None:
    rx = quick_prescription(
        library,
        exercise_ids=["knees-to-chest", "cat-cow"],
        patient="  Jeanne Dupont ",
        sets=3,
        reps=8,
        hold="1 min 30 s",
        frequency="2/day",
        language="fr",
    )
    assert rx.patient == Patient("Jeanne Dupont")
    assert rx.language == "fr"
    assert [e.exercise_id for e in rx.exercises] == ["knees-to-chest", "cat-cow"]
    for exercise in rx.exercises:
        assert (exercise.sets, exercise.reps, exercise.hold, exercise.frequency) == (
            3,
            8,
            90,
            Frequency(2, "day"),
        )
        assert exercise.side is None


def test_quick_prescription_unknown_exercise(library: Library) -> None:
    with pytest.raises(ValidationError) as caught:
        quick_prescription(library, exercise_ids=["knees-to-chets"], patient="Jeanne")
    assert caught.value.problems == (
        Problem(
            "command line",
            None,
            "--exercise",
            'unknown exercise "knees-to-chets" (did you mean "knees-to-chest"?)',
        ),
    )


def test_quick_prescription_reports_every_problem(library: Library) -> None:
    with pytest.raises(ValidationError) as caught:
        quick_prescription(
            library,
            exercise_ids=["cat-cow", "nope-nope-nope"],
            patient=" ",
            hold="99x",
            frequency="2/month",
        )
    assert sorted(p.field for p in caught.value.problems) == [
        "--exercise",
        "--frequency",
        "--hold",
        "--patient",
    ]


# --- the command line -------------------------------------------------------------------------


def test_cli_unknown_exercise(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = run_cli("generate", "-e", "knees-to-chets", "--patient", "Jeanne", "-o", out)
    assert_no_crash(result, 1)
    assert 'did you mean "knees-to-chest"' in result.stderr
    assert "--exercise" in result.stderr
    assert not out.exists()


def test_cli_bad_hold(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = run_cli("generate", "-e", "cat-cow", "--patient", "Jeanne", "--hold", "99x", "-o", out)
    assert_no_crash(result, 2)
    assert "Invalid value for '--hold': " in result.stderr
    assert '"99x" is not a duration' in result.stderr
    assert not out.exists()


def test_cli_located_problem_in_a_prescription_file(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    text = low_back_with(
        "    hold: 30s\n    frequency: 2/day\n    notes", "    hold: thirty\n    frequency: 2/day\n    notes"
    )
    rx = tmp_path / "rx.yaml"
    rx.write_text(text, encoding="utf-8")
    result = run_cli("generate", rx, "-o", tmp_path / "out.pdf")
    assert_no_crash(result, 1)
    assert f"{rx}:{line_of(text, 'thirty')}: exercises[0].hold: " in result.stderr


def test_cli_impossible_date_in_a_prescription_file(run_cli: Callable[..., Result], tmp_path: Path) -> None:
    text = low_back_with("date: 2026-11-26", "date: 2026-02-30")
    rx = tmp_path / "rx.yaml"
    rx.write_text(text, encoding="utf-8")
    result = run_cli("generate", rx, "-o", tmp_path / "out.pdf")
    assert_no_crash(result, 1)
    assert f"{rx}:{line_of(text, '2026-02-30')}:7: " in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [LOW_BACK, "-e", "cat-cow", "--patient", "Jeanne"],
            "give either a PRESCRIPTION file or -e options, not both",
        ),
        (["-e", "cat-cow"], "--patient is required with -e"),
        (
            ["-e", "cat-cow", "--patient", "Jeanne", "--lang", "xx-nope"],
            'unknown language "xx-nope"',
        ),
        ([], "give a PRESCRIPTION file, or exercises with -e and --patient"),
    ],
    ids=["file-and-e", "e-without-patient", "bad-lang", "nothing"],
)
def test_cli_usage_errors(
    run_cli: Callable[..., Result], tmp_path: Path, args: list[str | Path], message: str
) -> None:
    out = tmp_path / "out.pdf"
    result = run_cli("generate", *args, "-o", out)
    assert_no_crash(result, 2)
    assert message in result.stderr
    assert not out.exists()
