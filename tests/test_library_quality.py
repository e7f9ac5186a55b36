"""Quality gate of the bundled library: complete, illustrated, coherent, and documented."""

from __future__ import annotations

import importlib.util
import re

import pytest
import yaml

from rxstretch.i18n import catalog_languages
from rxstretch.model import Library

from .conftest import REPO, normalize

# The README table generator is a developer tool in tools/, outside the package and the wheel.
_SPEC = importlib.util.spec_from_file_location("library_table", REPO / "tools" / "library_table.py")
assert _SPEC is not None and _SPEC.loader is not None
_TABLE = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_TABLE)
library_table, replace_table = _TABLE.library_table, _TABLE.replace_table

# Every language the handout's own wording is translated into: exercise content must match it.
LANGUAGES = {"en", *catalog_languages()}
GLOSSARIES = REPO / "library" / "glossary"
MINIMUM_EXERCISES = 60
MINIMUM_PROGRAMS = 8


def test_library_is_broad_enough(library: Library) -> None:
    assert len(library.exercises) >= MINIMUM_EXERCISES
    assert len(library.programs) >= MINIMUM_PROGRAMS
    regions = {region for exercise in library.exercises.values() for region in exercise.regions}
    positions = {exercise.position for exercise in library.exercises.values()}
    assert {"lower-back", "upper-back", "neck", "shoulders", "hips", "ankles"} <= regions
    assert {"supine", "prone", "side-lying", "sitting", "standing"} <= positions


def test_every_exercise_is_complete_in_every_ui_language_with_a_figure(library: Library) -> None:
    for exercise in library.exercises.values():
        assert set(exercise.text) >= LANGUAGES, exercise.id
        for language in LANGUAGES:
            text = exercise.text[language]
            assert not text.borrowed, f"{exercise.id}: {language} borrows {text.borrowed}"
            assert set(text.muscles_note) == set(exercise.muscles), f"{exercise.id} {language}"
            assert set(text.contraindications) == {c.key for c in exercise.contraindications}
            assert text.tips, exercise.id
        assert exercise.figure is not None, f"{exercise.id} has no figure"
        assert set(exercise.alt) >= LANGUAGES, exercise.id
        assert exercise.sources and exercise.licence, exercise.id


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_program_names_existing_exercises_and_is_translated(library: Library, language: str) -> None:
    for program in library.programs.values():
        assert language in program.text, f"{program.id}: no {language} title"
        assert all(item.exercise_id in library.exercises for item in program.exercises)
        assert len(program.exercises) >= 3


def _texts(library: Library, language: str) -> list[tuple[str, str]]:
    """(where, text) for every patient-facing string of ``language`` in the library."""
    found: list[tuple[str, str]] = []
    for exercise in library.exercises.values():
        text = exercise.text[language]
        parts = [text.name, text.summary, text.purpose, text.suitable_for, *text.tips]
        parts += [step.title for step in text.steps] + [step.text for step in text.steps]
        parts += [*text.muscles_note.values(), *text.contraindications.values(), exercise.alt[language]]
        found += [(exercise.id, part) for part in parts if part]
    for condition in library.conditions.values():
        found.append((condition.id, condition.names[language]))
    for program in library.programs.values():
        found += [(program.id, program.text[language].title), (program.id, program.text[language].intro)]
    return found


@pytest.mark.parametrize("language", sorted(LANGUAGES - {"en"}))
def test_no_field_still_holds_the_english(library: Library, language: str) -> None:
    english = {text for _, text in _texts(library, "en") if len(text) > 12}
    leftovers = [where for where, text in _texts(library, language) if text in english]
    assert not leftovers, f"{language} still in English: {leftovers}"


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_condition_has_a_patient_facing_name(library: Library, language: str) -> None:
    for condition in library.conditions.values():
        assert condition.names.get(language), f"{condition.id}: no {language} name"


def test_every_vocabulary_entry_is_named_in_every_language(library: Library) -> None:
    vocabulary = library.vocabulary
    for kind in ("regions", "positions", "equipment", "timing", "muscles"):
        for entry_id, names in getattr(vocabulary, kind).items():
            assert set(names) >= LANGUAGES, f"{kind}.{entry_id}: missing {sorted(LANGUAGES - set(names))}"


@pytest.mark.parametrize("language", sorted(LANGUAGES - {"en"}))
def test_texts_hold_to_their_glossary(library: Library, language: str) -> None:
    """Each language keeps one word per concept: the variants its glossary rules out are absent."""
    glossary = yaml.safe_load((GLOSSARIES / f"{language}.yaml").read_text(encoding="utf-8"))
    assert len(glossary) >= 20
    texts = _texts(library, language)
    for term, entry in glossary.items():
        assert entry["use"], term
        for variant in entry.get("avoid") or ():
            pattern = re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)", re.IGNORECASE)
            used = [where for where, text in texts if pattern.search(text)]
            assert not used, f"{language}: {variant!r} (glossary: use {entry['use']!r}) in {used}"


def test_readme_table_is_generated_from_the_library(library: Library) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = library_table(library)
    assert replace_table(readme, table) == readme, "run: python tools/library_table.py README.md"
    assert f"{len(library.exercises)} exercises" in normalize(readme)


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def test_alt_texts_describe_the_figure_as_drawn(library: Library) -> None:
    """A screen reader gets what the figure shows: a close-up is called one (no chair or seated
    person around the hand), and an alt that counts its pictures counts the figure's panels."""
    for exercise in library.exercises.values():
        figure, alt = exercise.figure, exercise.alt["en"]
        if figure is None:
            continue
        if figure.view == "hand":
            assert "close-up" in alt.lower() and "chair" not in alt.lower(), exercise.id
        counted = re.match(r"(\w+)\b[^:;]*?\b(?:pictures|close-ups)\b", alt, re.IGNORECASE)
        if counted and counted.group(1).lower() in _COUNTS:
            assert _COUNTS[counted.group(1).lower()] == len(figure.panels), exercise.id
