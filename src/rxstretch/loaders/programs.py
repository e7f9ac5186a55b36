"""Programs (library/programs/<id>.yaml): named presets of exercises with their dosage."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rxstretch.errors import Problem, ValidationError
from rxstretch.loaders.lazy import LazyIndex
from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.treecache import load_library_file
from rxstretch.model import Library, Program, ProgramText
from rxstretch.prescription import read_prescribed_exercise

PROGRAMS_DIR = "programs"
_DOSAGE_KEYS = ("sets", "reps", "hold", "frequency", "side", "notes")


class ProgramIndex(LazyIndex[Program]):
    """The programs of every folder by id (a later folder's replaces an earlier one's), each
    read when first used: a handout that names no program reads none."""

    def __init__(self, folders: Sequence[Path], library: Library) -> None:
        files = (path for folder in folders for path in sorted((folder / PROGRAMS_DIR).glob("*.yaml")))
        paths = {path.stem: path for path in files}
        super().__init__(paths, lambda path, problems: _load_program(path, problems, library))


def _load_program(path: Path, problems: list[Problem], library: Library) -> Program | None:
    reader = Reader(str(path))
    try:
        program = read_program(load_library_file(path), reader, path=path, library=library)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(reader.problems)
    return program if not reader.problems else None


def read_program(data: Any, reader: Reader, *, path: Path, library: Library) -> Program | None:
    """Build a Program from parsed YAML, recording every problem in ``reader``."""
    doc = reader.mapping(data, "", line=1, required=("id", "exercises", "text"), optional=("tags",))
    if doc is None:
        return None
    program_id = reader.text(doc, "id", "")
    if program_id is not None and program_id != path.stem:
        reader.problem(doc.line_of("id"), "id", f'"{program_id}" must match the file name "{path.stem}"')
    exercises = tuple(
        item
        for item_path, node in reader.mapping_items(
            doc, "exercises", "", required=("id",), optional=_DOSAGE_KEYS
        )
        if (item := read_prescribed_exercise(node, item_path, reader, library))
    )
    text = _read_text(doc, reader, library.default_language)
    if program_id is None or not exercises:
        return None
    return Program(
        program_id, exercises, text, reader.texts(doc, "tags", "") if "tags" in doc else (), str(path)
    )


def _read_text(doc: Any, reader: Reader, default_language: str) -> dict[str, ProgramText]:
    """The title and intro per language (the library's default language is required)."""
    texts = reader.free_mapping(doc.get("text"), "text", line=doc.line_of("text")) if "text" in doc else None
    if texts is None:
        return {}
    found: dict[str, ProgramText] = {}
    for language in reader.language_keys(texts, "text"):
        here = join_path("text", language)
        block = reader.mapping(
            texts[language], here, line=texts.line_of(language), required=("title", "intro")
        )
        if block is not None:
            title, intro = reader.text(block, "title", here), reader.text(block, "intro", here)
            if title and intro:
                found[language] = ProgramText(title, intro)
    if default_language not in found:
        reader.problem(texts.line, "text", f"needs a title and intro in {default_language}")
    return found
