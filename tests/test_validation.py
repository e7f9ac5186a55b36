"""Library validation: every problem located by file, line and field, all reported at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from rxstretch.errors import Problem, ValidationError
from rxstretch.loaders.library import bundled_library_dir, library_dirs, load_library_dirs
from rxstretch.loaders.yamlio import parse_yaml
from rxstretch.model import Library

from .conftest import EXAMPLES, REPO, bundled_exercise_text, line_of, replace_once

ScratchLibrary = Callable[[dict[str, str]], Path]
EXERCISE_ID = "my-stretch"


def my_exercise() -> str:
    """The bundled knees-to-chest exercise, renamed so it can live in a clinic folder."""
    return replace_once(bundled_exercise_text("knees-to-chest"), "id: knees-to-chest", f"id: {EXERCISE_ID}")


def load_with(folder: Path) -> Library:
    return load_library_dirs(library_dirs([folder], use_env=False))


def problems_in(folder: Path) -> tuple[Problem, ...]:
    with pytest.raises(ValidationError) as caught:
        load_with(folder)
    return caught.value.problems


def broken(scratch_library: ScratchLibrary, text: str) -> tuple[str, tuple[Problem, ...]]:
    """Write ``text`` as the clinic's my-stretch.yaml; return its path and the problems found."""
    folder = scratch_library({f"{EXERCISE_ID}.yaml": text})
    return str(folder / "exercises" / f"{EXERCISE_ID}.yaml"), problems_in(folder)


def problem_for(problems: tuple[Problem, ...], field: str) -> Problem:
    found = [p for p in problems if p.field == field]
    assert len(found) == 1, f"expected one problem for {field!r}, got {problems}"
    return found[0]


def assert_no_crash(result: Result, exit_code: int) -> None:
    """The CLI ended through click (SystemExit), never through an unexpected exception."""
    assert result.exit_code == exit_code, result.output
    if exit_code:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    else:
        assert result.exception is None, repr(result.exception)
    assert "Traceback" not in result.output


def test_renamed_copy_of_a_bundled_exercise_is_valid(scratch_library: ScratchLibrary) -> None:
    library = load_with(scratch_library({f"{EXERCISE_ID}.yaml": my_exercise()}))
    assert library.exercises[EXERCISE_ID].text["en"].name == "Knees to chest"


# --- unknown, missing and mistyped keys -------------------------------------------------------


def test_unknown_top_level_key_suggests_the_right_one(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "\nmuscles:\n", "\nmusles:\n")
    path, problems = broken(scratch_library, text)
    problem = problem_for(problems, "musles")
    assert problem.file == path
    assert problem.line == line_of(text, "musles:")
    assert 'did you mean "muscles"' in problem.message


def test_unknown_key_in_a_language_block(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "    tips:\n      - Ce sont", "    tipps:\n      - Ce sont")
    path, problems = broken(scratch_library, text)
    problem = problem_for(problems, "text.fr.tipps")
    assert problem.file == path
    assert problem.line == line_of(text, "tipps:")
    assert 'did you mean "tips"' in problem.message


def test_missing_required_field(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "licence: CC-BY-4.0\n", "")
    path, problems = broken(scratch_library, text)
    # A missing key is reported at the start of the mapping that should hold it.
    assert problems == (Problem(path, line_of(text, f"id: {EXERCISE_ID}"), "licence", "is required"),)


def test_sets_must_be_a_whole_number(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "sets: {min: 3, max: 4}", "sets: {min: three, max: 4}")
    path, problems = broken(scratch_library, text)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.line, problem.field) == (
        path,
        line_of(text, "min: three"),
        "dosage.sets.min",
    )
    assert "must be a whole number" in problem.message
    assert "'three'" in problem.message


def test_sets_true_is_rejected(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "sets: {min: 3, max: 4}", "sets: true")
    path, problems = broken(scratch_library, text)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line, problems[0].field) == (
        path,
        line_of(text, "sets: true"),
        "dosage.sets",
    )
    assert "must be a mapping" in problems[0].message


def test_boolean_is_not_a_whole_number(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "sets: {min: 3, max: 4}", "sets: {min: true, max: 4}")
    path, problems = broken(scratch_library, text)
    problem = problem_for(problems, "dosage.sets.min")
    assert (problem.file, problem.line) == (path, line_of(text, "min: true"))
    assert "must be a whole number, not True" in problem.message


def test_min_greater_than_max(scratch_library: ScratchLibrary) -> None:
    text = replace_once(
        my_exercise(), "hold: {min: 30, max: 45, unit: s}", "hold: {min: 50, max: 45, unit: s}"
    )
    path, problems = broken(scratch_library, text)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line, problems[0].field) == (
        path,
        line_of(text, "hold: {min: 50"),
        "dosage.hold.min",
    )
    assert "min (50) is greater than max (45)" in problems[0].message


def test_languages_must_have_the_same_number_of_steps(scratch_library: ScratchLibrary) -> None:
    last_french_step = (
        "      - title: Tenir et respirer\n"
        "        text: >-\n"
        "          Gardez la position en respirant lentement et profondément. À chaque expiration,\n"
        "          laissez les genoux se rapprocher un peu de la poitrine. Un léger balancement d'un\n"
        "          côté à l'autre masse le bas du dos.\n"
    )
    text = replace_once(my_exercise(), last_french_step, "")
    path, problems = broken(scratch_library, text)
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.field) == (path, "text")
    # Reported where the text block starts (its first language), right under "text:".
    assert text.splitlines()[problem.line - 2 : problem.line] == ["text:", "  en:"]
    assert "same number of steps" in problem.message
    assert "en: 4, fr: 3" in problem.message


# --- vocabulary ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "regions: [lower-back, hips]",
            "regions: [lower-bak, hips]",
            "regions[0]",
            'unknown region "lower-bak" (did you mean "lower-back"?)',
        ),
        (
            "  - gluteus-maximus\n",
            "  - gluteus-maximum\n",
            "muscles[1]",
            'unknown muscle "gluteus-maximum" (did you mean "gluteus-maximus"?)',
        ),
        (
            "equipment: [mat, small-pillow]",
            "equipment: [mat, small-pilow]",
            "equipment[1]",
            'unknown equipment "small-pilow" (did you mean "small-pillow"?)',
        ),
        (
            "position: supine",
            "position: supin",
            "position",
            'unknown position "supin" (did you mean "supine"?)',
        ),
        (
            "timing: [on-waking, before-bed]",
            "timing: [on-wakin, before-bed]",
            "dosage.timing[0]",
            'unknown timing "on-wakin" (did you mean "on-waking"?)',
        ),
        (
            "  - condition: acute-disc-herniation",
            "  - condition: acute-disk-herniation",
            "contraindications[0].condition",
            'unknown condition "acute-disk-herniation" (did you mean "acute-disc-herniation"?)',
        ),
    ],
)
def test_unknown_vocabulary_id(
    scratch_library: ScratchLibrary, old: str, new: str, field: str, message: str
) -> None:
    text = replace_once(my_exercise(), old, new)
    path, problems = broken(scratch_library, text)
    assert problem_for(problems, field) == Problem(path, line_of(text, new.strip()), field, message)


# --- ids, duplicate keys and YAML itself ------------------------------------------------------


def test_id_must_match_the_file_name(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), f"id: {EXERCISE_ID}", "id: other-stretch")
    path, problems = broken(scratch_library, text)
    assert problems == (
        Problem(
            path,
            line_of(text, "id: other-stretch"),
            "id",
            f'"other-stretch" must match the file name "{EXERCISE_ID}"',
        ),
    )


def test_id_must_be_lowercase_with_hyphens(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), f"id: {EXERCISE_ID}", "id: My_Stretch")
    path, problems = broken(scratch_library, text)
    problem = problem_for(problems, "id")
    assert (problem.file, problem.line) == (path, line_of(text, "id: My_Stretch"))
    assert "lowercase" in problem.message


def test_duplicate_key_is_reported_at_the_second_key(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "position: supine\n", "position: supine\nposition: prone\n")
    path, problems = broken(scratch_library, text)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line) == (path, line_of(text, "position: prone"))
    assert 'duplicate key "position"' in problems[0].message


def test_invalid_yaml_syntax_is_located(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "position: supine\n", "position: supine: prone\n")
    path, problems = broken(scratch_library, text)
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line) == (path, line_of(text, "supine: prone"))
    assert problems[0].message.startswith("invalid YAML: ")


@pytest.mark.parametrize(
    ("yaml_text", "alias_line"),
    [
        ("a: &x CC-BY-4.0\nb: *x\n", 2),
        ("a: &x [1, 2]\nb:\n  - *x\n", 3),
        ("a: &x {k: 1}\nb:\n  <<: *x\n", 3),
        ("a: &x name\nb: {*x : 1}\n", 2),
    ],
    ids=["value", "list-item", "merge-key", "mapping-key"],
)
def test_yaml_aliases_are_refused(yaml_text: str, alias_line: int) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_yaml(yaml_text, source="aliases.yaml")
    [problem] = caught.value.problems
    assert problem.file == "aliases.yaml"
    # Either the anchor (&) or the alias (*) is an acceptable place to point at.
    assert problem.line in (1, alias_line)
    assert "anchors and aliases" in problem.message


def test_alias_in_an_exercise_file_is_refused(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "licence: CC-BY-4.0\n", "licence: &lic CC-BY-4.0\n")
    text = replace_once(
        text,
        '    licence: facts only; wording not reused\n  - title: "NHS',
        '    licence: *lic\n  - title: "NHS',
    )
    path, problems = broken(scratch_library, text)
    assert len(problems) == 1
    assert problems[0].file == path
    assert problems[0].line in (line_of(text, "&lic"), line_of(text, "*lic"))
    assert "invalid YAML: anchors and aliases" in problems[0].message


def test_python_tags_are_refused_and_never_run(scratch_library: ScratchLibrary, tmp_path: Path) -> None:
    marker = tmp_path / "code-was-run"
    text = replace_once(
        my_exercise(),
        "licence: CC-BY-4.0\n",
        f"licence: !!python/object/apply:os.system ['touch {marker}']\n",
    )
    path, problems = broken(scratch_library, text)
    assert not marker.exists()
    assert len(problems) == 1
    assert (problems[0].file, problems[0].line) == (path, line_of(text, "!!python/object"))
    assert "invalid YAML" in problems[0].message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("licence: CC-BY-4.0", "licence: 2026-02-30"),
        ("sets: {min: 3, max: 4}", "sets: {min: !!int three, max: 4}"),
        ("licence: CC-BY-4.0", "licence: !!timestamp soon"),
    ],
    ids=["impossible-date", "bad-int-tag", "bad-timestamp-tag"],
)
def test_values_yaml_cannot_construct_are_located_problems(
    scratch_library: ScratchLibrary, old: str, new: str
) -> None:
    text = replace_once(my_exercise(), old, new)
    path, problems = broken(scratch_library, text)
    assert [(p.file, p.line) for p in problems] == [(path, line_of(text, new))]


# --- every problem at once --------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported(scratch_library: ScratchLibrary) -> None:
    text = replace_once(my_exercise(), "regions: [lower-back, hips]", "regions: [lower-bak, hips]")
    text = replace_once(text, "position: supine", "position: upside-down")
    text = replace_once(text, "hold: {min: 30, max: 45, unit: s}", "hold: {min: 50, max: 45, unit: s}")
    path, problems = broken(scratch_library, text)
    assert {(p.file, p.line, p.field) for p in problems} == {
        (path, line_of(text, "lower-bak"), "regions[0]"),
        (path, line_of(text, "upside-down"), "position"),
        (path, line_of(text, "min: 50"), "dosage.hold.min"),
    }
    assert len(problems) == 3


def test_problems_from_every_file_are_reported(scratch_library: ScratchLibrary) -> None:
    first = replace_once(my_exercise(), "position: supine", "position: supin")
    second = replace_once(
        my_exercise().replace(f"id: {EXERCISE_ID}", "id: other-stretch"),
        "sets: {min: 3, max: 4}",
        "sets: {min: 5, max: 4}",
    )
    folder = scratch_library({f"{EXERCISE_ID}.yaml": first, "other-stretch.yaml": second})
    problems = problems_in(folder)
    assert {(p.file, p.field) for p in problems} == {
        (str(folder / "exercises" / f"{EXERCISE_ID}.yaml"), "position"),
        (str(folder / "exercises" / "other-stretch.yaml"), "dosage.sets.min"),
    }


# --- clinic folders ---------------------------------------------------------------------------


def test_clinic_folder_overrides_a_bundled_exercise(
    scratch_library: ScratchLibrary, library: Library
) -> None:
    text = replace_once(
        bundled_exercise_text("knees-to-chest"),
        "    name: Knees to chest\n",
        "    name: Knees to chest (clinic version)\n",
    )
    folder = scratch_library({"knees-to-chest.yaml": text})
    merged = load_with(folder)
    exercise = merged.exercises["knees-to-chest"]
    assert exercise.text["en"].name == "Knees to chest (clinic version)"
    assert exercise.text["fr"].name == "Genoux à la poitrine"
    assert exercise.origin == str(folder / "exercises" / "knees-to-chest.yaml")
    assert sorted(merged.exercises) == sorted(library.exercises)
    assert library.exercises["knees-to-chest"].text["en"].name == "Knees to chest"


def test_clinic_folder_adds_exercises(scratch_library: ScratchLibrary, library: Library) -> None:
    merged = load_with(scratch_library({f"{EXERCISE_ID}.yaml": my_exercise()}))
    assert sorted(merged.exercises) == sorted([*library.exercises, EXERCISE_ID])


def test_missing_library_folder(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ValidationError) as caught:
        load_library_dirs([bundled_library_dir(), missing])
    assert caught.value.problems == (Problem(str(missing), None, "", "library folder does not exist"),)


# --- the command line -------------------------------------------------------------------------


def test_cli_validate_reports_located_problems(
    scratch_library: ScratchLibrary, run_cli: Callable[..., Result]
) -> None:
    text = replace_once(my_exercise(), "regions: [lower-back, hips]", "regions: [lower-bak, hips]")
    folder = scratch_library({f"{EXERCISE_ID}.yaml": text})
    result = run_cli("validate", folder)
    assert_no_crash(result, 1)
    path = folder / "exercises" / f"{EXERCISE_ID}.yaml"
    expected = (
        f"{path}:{line_of(text, 'lower-bak')}: regions[0]: "
        'unknown region "lower-bak" (did you mean "lower-back"?)'
    )
    assert expected in result.stderr.splitlines()
    assert result.stdout == ""


def test_cli_validate_bundled_library(run_cli: Callable[..., Result], library: Library) -> None:
    result = run_cli("validate")
    assert_no_crash(result, 0)
    assert result.stdout.startswith(f"ok: library ({len(library.exercises)} exercises")
    assert result.stderr == ""


def test_cli_validate_example_files(run_cli: Callable[..., Result]) -> None:
    files = [EXAMPLES / "low-back.yaml", EXAMPLES / "brand.yaml", REPO / "templates/standard.yaml"]
    result = run_cli("validate", *files)
    assert_no_crash(result, 0)
    for path in files:
        assert f"ok: {path}" in result.stdout.splitlines()


# --- the bundled library ----------------------------------------------------------------------


def test_bundled_library_is_valid_and_complete() -> None:
    library = load_library_dirs([bundled_library_dir()])
    assert len(library.exercises) >= 12
    for exercise_id, exercise in library.exercises.items():
        assert {"en", "fr"} <= set(exercise.text), exercise_id
        en, fr = exercise.text["en"], exercise.text["fr"]
        assert len(en.steps) == len(fr.steps) > 0, exercise_id
        assert en.tips and fr.tips, exercise_id
        assert all(tip.strip() for tip in (*en.tips, *fr.tips)), exercise_id
        assert exercise.sources, exercise_id
        assert exercise.licence.strip(), exercise_id
        assert exercise.id == Path(exercise.origin).stem
