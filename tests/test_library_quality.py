"""Quality gate of the bundled library: complete, illustrated, coherent, and documented."""

from __future__ import annotations

import importlib.util

import pytest

from rxstretch.model import Library

from .conftest import REPO, normalize

# The README table generator is a developer tool in tools/, outside the package and the wheel.
_SPEC = importlib.util.spec_from_file_location("library_table", REPO / "tools" / "library_table.py")
assert _SPEC is not None and _SPEC.loader is not None
_TABLE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_TABLE)
library_table, replace_table = _TABLE.library_table, _TABLE.replace_table

LANGUAGES = {"en", "fr", "de", "es"}
MINIMUM_EXERCISES = 60
MINIMUM_PROGRAMS = 8


def test_library_is_broad_enough(library: Library) -> None:
    assert len(library.exercises) >= MINIMUM_EXERCISES
    assert len(library.programs) >= MINIMUM_PROGRAMS
    regions = {region for exercise in library.exercises.values() for region in exercise.regions}
    positions = {exercise.position for exercise in library.exercises.values()}
    assert {"lower-back", "upper-back", "neck", "shoulders", "hips", "ankles"} <= regions
    assert {"supine", "prone", "side-lying", "sitting", "standing"} <= positions


def test_every_exercise_is_complete_in_four_languages_with_a_figure(library: Library) -> None:
    for exercise in library.exercises.values():
        assert set(exercise.text) >= LANGUAGES, exercise.id
        for language in LANGUAGES:
            text = exercise.text[language]
            assert not text.borrowed, f"{exercise.id}: {language} borrows {text.borrowed}"
            assert set(text.muscles_note) == set(exercise.muscles), f"{exercise.id} {language}"
            assert set(text.contraindications) == {c.condition for c in exercise.contraindications}
            assert text.tips, exercise.id
        assert exercise.figure is not None, f"{exercise.id} has no figure"
        assert set(exercise.alt) >= LANGUAGES or {"en", "fr"} <= set(exercise.alt), exercise.id
        assert exercise.sources and exercise.licence, exercise.id


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_program_names_existing_exercises_and_is_translated(library: Library, language: str) -> None:
    for program in library.programs.values():
        assert language in program.text, f"{program.id}: no {language} title"
        assert all(item.exercise_id in library.exercises for item in program.exercises)
        assert len(program.exercises) >= 3


def test_readme_table_is_generated_from_the_library(library: Library) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = library_table(library)
    assert replace_table(readme, table) == readme, "run: python tools/library_table.py README.md"
    assert f"{len(library.exercises)} exercises" in normalize(readme)
