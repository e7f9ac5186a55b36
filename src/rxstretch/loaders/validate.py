"""``rxstretch validate``: check library folders, prescriptions, brand and template files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rxstretch.errors import Problem, ValidationError
from rxstretch.loaders.library import library_dirs, load_exercise_file, load_library_dirs
from rxstretch.loaders.reader import Reader
from rxstretch.loaders.yamlio import LocatedMap, load_yaml_file

if TYPE_CHECKING:
    from rxstretch.model import Library, Prescription

# Brand, template, prescription and safety code is imported only for a file that needs it:
# validating a library folder (a clinic's thousands of files) reads none of it.


def _kind(data: Any) -> str:
    """Guess what a YAML file is from its top-level keys."""
    keys = set(data) if isinstance(data, LocatedMap) else set()
    if "resourceType" in keys:
        return "FHIR Bundle"
    if "patient" in keys or "exercises" in keys:
        return "prescription"
    if "dosage" in keys or "text" in keys:
        return "exercise"
    if "styles" in keys or "page" in keys:
        return "template"
    if "columns" in keys:
        return "mapping"
    return "brand"


def validate_paths(paths: Sequence[Path], libraries: Sequence[Path]) -> list[str]:
    """Validate every path and return summary lines (with safety findings); raise with all problems."""
    folders = [*libraries, *(p for p in paths if p.is_dir())]
    problems: list[Problem] = []
    summary: list[str] = []
    library: Library | None = None
    try:
        library = load_library_dirs(library_dirs(folders))
        count = len(folders) + 1
        summary.append(
            f"ok: library ({len(library.exercises)} exercises, {len(library.conditions)} conditions, "
            f"{len(library.programs)} programs, "
            f"{count} folder{'s' if count > 1 else ''})"
        )
    except ValidationError as exc:
        problems.extend(exc.problems)
    for path in (p for p in paths if not p.is_dir()):
        found, notes = _validate_file(path, library)
        problems.extend(found)
        summary += [] if found else [f"ok: {path}", *notes]
    if problems:
        raise ValidationError(problems)
    return summary


def _validate_file(path: Path, library: Library | None) -> tuple[list[Problem], list[str]]:
    """Return the problems of one file, and safety notes for a prescription."""
    try:
        data = load_yaml_file(path)
    except ValidationError as exc:
        return list(exc.problems), []
    reader = Reader(str(path))
    kind = _kind(data)
    if kind in ("prescription", "exercise", "FHIR Bundle"):
        if library is None:
            return [
                Problem(str(path), None, "", f"cannot check this {kind} while the library has errors")
            ], []
        return _validate_against_library(kind, path, data, library)
    if kind == "mapping":
        # A records column mapping (batch --map); read only through its own loader.
        from rxstretch.records.mapping import load_mapping

        try:
            load_mapping(path)
        except ValidationError as exc:
            return list(exc.problems), []
        return [], []
    if kind == "template":
        from rxstretch.loaders.template import read_template

        read_template(data, reader, name=path.stem)
    else:
        from rxstretch.loaders.brand import read_brand

        read_brand(data, reader, folder=path.parent)
    return reader.problems, []


def _validate_against_library(
    kind: str, path: Path, data: Any, library: Library
) -> tuple[list[Problem], list[str]]:
    if kind == "exercise":
        problems: list[Problem] = []
        load_exercise_file(path, library.vocabulary, library.conditions, problems)
        return problems, []
    if kind == "FHIR Bundle":
        from rxstretch.records.fhirfile import load_bundle_file

        try:
            return _safety_findings(load_bundle_file(path, library), library)
        except ValidationError as exc:
            return list(exc.problems), []
    from rxstretch.prescription import read_prescription

    reader = Reader(str(path))
    prescription = read_prescription(data, reader, library)
    if prescription is None:
        return reader.problems, []
    return _safety_findings(prescription, library)


def _safety_findings(prescription: Prescription, library: Library) -> tuple[list[Problem], list[str]]:
    """Refusals are problems; cautions and dosage warnings are notes (the file is still valid)."""
    from rxstretch.safety import review

    report = review(prescription, library)
    notes = []
    for exercise_id, conditions in report.cautions.items():
        for condition in conditions:
            rule = report.rules.get((exercise_id, condition))
            reason = f": {rule.reason}" if rule is not None and rule.reason else ""
            notes.append(f"  caution: {exercise_id} with {condition}{reason}")
    notes += [f"  override: {o.exercise} despite {o.condition}: {o.reason}" for o in report.overrides]
    notes += [f"  warning: {warning}" for warning in report.warnings]
    return [refusal.problem for refusal in report.refusals], notes
