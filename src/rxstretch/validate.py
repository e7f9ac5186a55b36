"""``rxstretch validate``: check library folders, prescriptions, brand and template files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rxstretch.brand import read_brand
from rxstretch.errors import Problem, ValidationError
from rxstretch.library import library_dirs, load_exercise_file, load_library_dirs
from rxstretch.model import Library
from rxstretch.prescription import read_prescription
from rxstretch.reader import Reader
from rxstretch.template import read_template
from rxstretch.yamlio import LocatedMap, load_yaml_file


def _kind(data: Any) -> str:
    """Guess what a YAML file is from its top-level keys."""
    keys = set(data) if isinstance(data, LocatedMap) else set()
    if "patient" in keys or "exercises" in keys:
        return "prescription"
    if "dosage" in keys or "text" in keys:
        return "exercise"
    if "styles" in keys or "page" in keys:
        return "template"
    return "brand"


def validate_paths(paths: Sequence[Path], libraries: Sequence[Path]) -> list[str]:
    """Validate every path and return one summary line per input; raise with all problems."""
    folders = [*libraries, *(p for p in paths if p.is_dir())]
    problems: list[Problem] = []
    summary: list[str] = []
    library: Library | None = None
    try:
        library = load_library_dirs(library_dirs(folders))
        summary.append(
            f"ok: library ({len(library.exercises)} exercises, "
            f"{len(library.conditions)} conditions, {len(folders) + 1} folders)"
        )
    except ValidationError as exc:
        problems.extend(exc.problems)
    for path in (p for p in paths if not p.is_dir()):
        found = _validate_file(path, library)
        problems.extend(found)
        if not found:
            summary.append(f"ok: {path}")
    if problems:
        raise ValidationError(problems)
    return summary


def _validate_file(path: Path, library: Library | None) -> list[Problem]:
    try:
        data = load_yaml_file(path)
    except ValidationError as exc:
        return list(exc.problems)
    reader = Reader(str(path))
    kind = _kind(data)
    if kind == "prescription":
        if library is None:
            return [Problem(str(path), None, "", "cannot check a prescription while the library has errors")]
        read_prescription(data, reader, library)
    elif kind == "exercise":
        if library is None:
            return [Problem(str(path), None, "", "cannot check an exercise while the library has errors")]
        problems: list[Problem] = []
        load_exercise_file(path, library.vocabulary, library.conditions, problems)
        return problems
    elif kind == "template":
        read_template(data, reader, name=path.stem)
    else:
        read_brand(data, reader)
    return reader.problems
