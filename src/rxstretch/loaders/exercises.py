"""Read and validate one exercise file (library/exercises/<id>.yaml) into an Exercise."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rxstretch.errors import ValidationError, did_you_mean
from rxstretch.loaders.codes import SNOMED_PATTERN
from rxstretch.loaders.figures import panel_problem
from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.yamlio import LocatedMap
from rxstretch.model import (
    DEFAULT_LANGUAGE,
    LEVELS,
    PERIODS,
    Condition,
    Contraindication,
    DosageRange,
    Exercise,
    ExerciseText,
    FrequencyRange,
    Range,
    Source,
    Step,
    Vocabulary,
)
from rxstretch.model.figure import Figure

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_TOP_REQUIRED = (
    "id",
    "regions",
    "position",
    "equipment",
    "muscles",
    "dosage",
    "text",
    "licence",
    "sources",
)
_TOP_OPTIONAL = ("contraindications", "tags", "illustration", "video", "codes")
VIDEO_URL = re.compile(r"^https://[^\s]+$")
_TEXT_REQUIRED = ("name", "summary", "purpose", "steps", "tips", "suitable_for")
_TEXT_OPTIONAL = ("muscles_note", "contraindications")
_HOLD_UNITS = {"s": 1, "min": 60}


def read_exercise(
    data: Any,
    reader: Reader,
    *,
    path: Path,
    vocabulary: Vocabulary,
    conditions: Mapping[str, Condition],
    figures: Mapping[str, Figure] | None = None,
) -> Exercise | None:
    """Build an Exercise from parsed YAML, recording every problem in ``reader``.

    ``figures`` are the library's figures by id, for ``illustration: {figure: id}``.
    """
    doc = reader.mapping(data, "", line=1, required=_TOP_REQUIRED, optional=_TOP_OPTIONAL)
    if doc is None:
        return None
    exercise_id = reader.text(doc, "id", "")
    if exercise_id is not None and not ID_PATTERN.match(exercise_id):
        reader.problem(doc.line_of("id"), "id", "use lowercase letters, digits and hyphens")
    elif exercise_id is not None and exercise_id != path.stem:
        reader.problem(doc.line_of("id"), "id", f'"{exercise_id}" must match the file name "{path.stem}"')
    regions = reader.choices(doc, "regions", "", vocabulary.regions, what="region")
    position = reader.choice(doc, "position", "", vocabulary.positions, what="position")
    equipment = reader.choices(doc, "equipment", "", vocabulary.equipment, what="equipment")
    muscles = reader.choices(doc, "muscles", "", vocabulary.muscles, what="muscle")
    dosage = _read_dosage(doc, reader, vocabulary)
    contraindications = _read_contraindications(doc, reader, conditions)
    tags = reader.texts(doc, "tags", "")
    codes = _read_codes(doc, reader) if "codes" in doc else ()
    video = reader.text(doc, "video", "") if "video" in doc else None
    if video is not None and not VIDEO_URL.match(video):
        reader.problem(doc.line_of("video"), "video", f'"{video}" is not a link; write it as https://...')
    licence = reader.text(doc, "licence", "")
    sources = _read_sources(doc, reader)
    image, figure_id, alt = _read_illustration(doc, reader, path)
    texts = _read_texts(doc, reader, muscles, contraindications)
    figure = _figure(doc, reader, figure_id, figures or {}, texts, exercise_id)
    for key in ("regions", "muscles", "sources", "text"):
        if key in doc and isinstance(doc[key], list | dict) and not doc[key]:
            reader.problem(doc.line_of(key), key, "needs at least one entry")
    if reader.problems:
        return None
    assert exercise_id is not None and position is not None and dosage is not None
    assert licence is not None
    return Exercise(
        id=exercise_id,
        regions=regions,
        position=position,
        equipment=equipment,
        muscles=muscles,
        dosage=dosage,
        text=texts,
        licence=licence,
        sources=sources,
        contraindications=contraindications,
        tags=tags,
        image=image,
        figure=figure,
        alt=alt,
        video=video,
        origin=str(path),
        codes=codes,
    )


def _read_codes(doc: LocatedMap, reader: Reader) -> tuple[str, ...]:
    """SNOMED CT concept ids of the exercise's type, written as quoted text ("229070002")."""
    found = reader.texts(doc, "codes", "")
    for index, code in enumerate(found):
        if not SNOMED_PATTERN.match(code):
            reader.problem(doc.line_of("codes"), f"codes[{index}]", f'"{code}" is not a SNOMED CT concept id')
    return found


def _read_range(
    reader: Reader, container: Any, key: str, path: str, *, extra: tuple[str, ...] = ()
) -> tuple[Range, LocatedMap] | None:
    node = reader.section(
        container,
        key,
        path,
        required=("min", "max", *extra),
    )
    if node is None:
        return None
    here = join_path(path, key)
    low = reader.integer(node, "min", here, minimum=1)
    high = reader.integer(node, "max", here, minimum=1)
    if low is None or high is None:
        return None
    if low > high:
        reader.problem(
            node.line_of("min"), join_path(here, "min"), f"min ({low}) is greater than max ({high})"
        )
        return None
    return Range(low, high), node


def _read_dosage(doc: LocatedMap, reader: Reader, vocabulary: Vocabulary) -> DosageRange | None:
    node = reader.section(
        doc,
        "dosage",
        "",
        required=("sets", "frequency"),
        optional=("reps", "hold", "timing"),
    )
    if node is None:
        return None
    sets = _read_range(reader, node, "sets", "dosage")
    reps = _read_range(reader, node, "reps", "dosage") if "reps" in node else None
    hold = _read_range(reader, node, "hold", "dosage", extra=("unit",)) if "hold" in node else None
    hold_range = None
    if hold is not None:
        unit = reader.choice(hold[1], "unit", "dosage.hold", _HOLD_UNITS, what="unit")
        if unit is not None:
            factor = _HOLD_UNITS[unit]
            hold_range = Range(hold[0].min * factor, hold[0].max * factor)
    frequency = _read_range(reader, node, "frequency", "dosage", extra=("per",))
    per = (
        reader.choice(frequency[1], "per", "dosage.frequency", PERIODS, what="period") if frequency else None
    )
    timing = (
        reader.choices(node, "timing", "dosage", vocabulary.timing, what="timing") if "timing" in node else ()
    )
    if sets is None or frequency is None or per is None:
        return None
    return DosageRange(
        sets=sets[0],
        reps=reps[0] if reps else None,
        hold=hold_range,
        timing=timing,
        frequency=FrequencyRange(frequency[0].min, frequency[0].max, per),  # type: ignore[arg-type]
    )


def _read_contraindications(
    doc: LocatedMap, reader: Reader, conditions: Mapping[str, Condition]
) -> tuple[Contraindication, ...]:
    """Rules: ``{condition, level, when?, reason?}``; ``when`` names qualifier values of the
    condition (``{approach: posterior}``), and each rule's key appears once."""
    found: list[Contraindication] = []
    keys: set[str] = set()
    for path, node in reader.mapping_items(
        doc, "contraindications", "", required=("condition", "level"), optional=("when", "reason")
    ):
        condition = reader.choice(node, "condition", path, conditions, what="condition")
        level = reader.choice(node, "level", path, LEVELS, what="level")
        reason = reader.text(node, "reason", path) if "reason" in node else None
        when = _read_when(node, reader, path, conditions[condition]) if condition else {}
        if condition is None or level is None or when is None:
            continue
        rule = Contraindication(condition, level, when, reason)  # type: ignore[arg-type]
        if rule.key in keys:
            reader.problem(node.line, path, f"{rule.key} has a rule already; give each rule its own when:")
            continue
        keys.add(rule.key)
        found.append(rule)
    return tuple(found)


def _read_when(node: LocatedMap, reader: Reader, path: str, condition: Condition) -> dict[str, str] | None:
    """The qualifier values a rule is limited to; None after a problem."""
    if "when" not in node:
        return {}
    here = join_path(path, "when")
    table = reader.free_mapping(node["when"], here, line=node.line_of("when"))
    if table is None:
        return None
    when: dict[str, str] = {}
    for qualifier in table:
        if str(qualifier) not in condition.qualifiers:
            known = ", ".join(condition.qualifiers) or "none"
            reader.problem(
                table.line_of(qualifier),
                join_path(here, str(qualifier)),
                f"{condition.id} has no qualifier {qualifier} (it has: {known})",
            )
            return None
        value = reader.choice(table, qualifier, here, condition.qualifiers[str(qualifier)], what="value")
        if value is None:
            return None
        when[str(qualifier)] = value
    return when


def _read_sources(doc: LocatedMap, reader: Reader) -> tuple[Source, ...]:
    found: list[Source] = []
    for path, node in reader.mapping_items(
        doc, "sources", "", required=("title",), optional=("url", "licence")
    ):
        title = reader.text(node, "title", path)
        url = reader.text(node, "url", path) if "url" in node else None
        licence = reader.text(node, "licence", path) if "licence" in node else None
        if title is not None:
            found.append(Source(title, url, licence))
    return tuple(found)


def _read_illustration(
    doc: LocatedMap, reader: Reader, path: Path
) -> tuple[Path | None, str | None, dict[str, str]]:
    """Read ``{figure: id}`` and/or ``{image: path}`` (the image wins), with ``alt`` text per language."""
    if "illustration" not in doc:
        return None, None, {}
    node = reader.mapping(
        doc["illustration"],
        "illustration",
        line=doc.line_of("illustration"),
        optional=("figure", "image", "alt"),
    )
    if node is None:
        return None, None, {}
    if "figure" not in node and "image" not in node:
        reader.problem(node.line, "illustration", "give figure (a library figure id) or image (a file)")
    figure_id = reader.text(node, "figure", "illustration") if "figure" in node else None
    alt = reader.names(node["alt"], "illustration.alt", node.line_of("alt")) if "alt" in node else {}
    relative = reader.text(node, "image", "illustration") if "image" in node else None
    if relative is None:
        return None, figure_id, alt
    # Images live inside the library folder that holds the exercise; never outside it.
    library_root = path.parent.parent.resolve()
    image = (library_root / relative).resolve()
    if not image.is_relative_to(library_root):
        reader.problem(node.line_of("image"), "illustration.image", "must stay inside the library folder")
        return None, figure_id, alt
    if not image.is_file():
        reader.problem(node.line_of("image"), "illustration.image", f'no image file at "{image}"')
        return None, figure_id, alt
    return image, figure_id, alt


def _figure(
    doc: LocatedMap,
    reader: Reader,
    figure_id: str | None,
    figures: Mapping[str, Figure],
    texts: Mapping[str, ExerciseText],
    exercise_id: str | None,
) -> Figure | None:
    """Look the figure up; its own problems are reported against the figure file."""
    if figure_id is None:
        return None
    line = doc["illustration"].line_of("figure")
    if figure_id not in figures:
        hint = did_you_mean(figure_id, figures)
        reader.problem(line, "illustration.figure", f'no figure "{figure_id}" in the library{hint}')
        return None
    try:
        figure = figures[figure_id]
    except ValidationError as exc:
        reader.problems.extend(exc.problems)
        return None
    steps = {len(text.steps) for text in texts.values()}
    if len(steps) == 1 and (problem := panel_problem(figure, steps.pop(), exercise_id or reader.source)):
        reader.problems.append(problem)
        reader.problem(line, "illustration.figure", f"figure {figure_id}: {problem.message}")
    return figure


def _read_texts(
    doc: LocatedMap,
    reader: Reader,
    muscles: tuple[str, ...],
    contraindications: tuple[Contraindication, ...],
) -> dict[str, ExerciseText]:
    """Read every language; a partial language borrows its missing fields from a complete one."""
    node = reader.typed(doc, "text", "", LocatedMap)
    if node is None:
        return {}
    blocks: dict[str, dict[str, Any]] = {}
    condition_ids = tuple(c.key for c in contraindications)
    for language in reader.language_keys(node, "text"):
        path = join_path("text", language)
        fields = _read_text_block(
            node[language], reader, path, node.line_of(language), muscles, condition_ids
        )
        if fields is not None:
            blocks[language] = fields
    step_counts = {language: len(fields["steps"]) for language, fields in blocks.items() if "steps" in fields}
    if len(set(step_counts.values())) > 1:
        counts = ", ".join(f"{lang}: {n}" for lang, n in step_counts.items())
        reader.problem(node.line, "text", f"every language must have the same number of steps ({counts})")
    complete = [language for language, fields in blocks.items() if set(_TEXT_REQUIRED) <= fields.keys()]
    if blocks and not complete:
        reader.problem(node.line, "text", f"at least one language needs all of: {', '.join(_TEXT_REQUIRED)}")
    if not complete:
        return {}
    reference = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in complete else complete[0]
    explained = blocks[reference].get("contraindications", {})
    unexplained = [key for key in condition_ids if key not in explained]
    if unexplained:
        reader.problem(
            node.line_of(reference),
            join_path(join_path("text", reference), "contraindications"),
            f"explain, for the patient, why to take care with: {', '.join(unexplained)}",
        )
    return {language: _filled(fields, blocks[reference], reference) for language, fields in blocks.items()}


def _filled(fields: dict[str, Any], reference: dict[str, Any], reference_language: str) -> ExerciseText:
    """Complete ``fields`` from the reference language, remembering what was borrowed."""
    borrowed = [key for key in (*_TEXT_REQUIRED, *_TEXT_OPTIONAL) if key not in fields and key in reference]
    for key in _TEXT_OPTIONAL:  # per id: a missing muscle note or caution explanation
        missing = set(reference.get(key, {})) - set(fields.get(key, {}))
        if missing and key in fields:
            borrowed.append(key)
    merged = {**reference, **fields}
    for key in _TEXT_OPTIONAL:
        merged[key] = {**reference.get(key, {}), **fields.get(key, {})}
    return ExerciseText(
        name=merged["name"],
        summary=merged["summary"],
        purpose=merged["purpose"],
        suitable_for=merged["suitable_for"],
        steps=merged["steps"],
        tips=merged["tips"],
        muscles_note=merged["muscles_note"],
        contraindications=merged["contraindications"],
        borrowed=tuple(borrowed),
        borrowed_from=reference_language if borrowed else None,
    )


def _read_text_block(
    block: Any,
    reader: Reader,
    path: str,
    line: int,
    muscles: tuple[str, ...],
    condition_ids: tuple[str, ...],
) -> dict[str, Any] | None:
    """The valid fields of one language block (only ``name`` is required in every language)."""
    node = reader.mapping(
        block, path, line=line, required=("name",), optional=(*_TEXT_REQUIRED[1:], *_TEXT_OPTIONAL)
    )
    if node is None:
        return None
    fields: dict[str, Any] = {}
    for key in ("name", "summary", "purpose", "suitable_for"):
        if key in node and (value := reader.text(node, key, path)) is not None:
            fields[key] = value
    if "steps" in node:
        steps = [
            Step(title, body)
            for step_path, step in reader.mapping_items(node, "steps", path, required=("title", "text"))
            if (title := reader.text(step, "title", step_path))
            and (body := reader.text(step, "text", step_path))
        ]
        if steps:
            fields["steps"] = tuple(steps)
    if "tips" in node and (tips := reader.texts(node, "tips", path)):
        fields["tips"] = tips
    if "muscles_note" in node:
        fields["muscles_note"] = _read_notes(node, "muscles_note", path, reader, muscles, "muscle")
    if "contraindications" in node:
        fields["contraindications"] = _read_notes(
            node, "contraindications", path, reader, condition_ids, "contraindication"
        )
    return fields


def _read_notes(
    node: LocatedMap, key: str, path: str, reader: Reader, allowed: tuple[str, ...], what: str
) -> dict[str, str]:
    if key not in node:
        return {}
    here = join_path(path, key)
    notes = reader.typed(node, key, path, LocatedMap)
    found: dict[str, str] = {}
    for note_id in notes or ():
        if note_id not in allowed:
            hint = f" (this exercise lists: {', '.join(allowed)})" if allowed else ""
            reader.problem(
                notes.line_of(note_id),
                join_path(here, str(note_id)),
                f"is not one of this exercise's {what}s{hint}",
            )
            continue
        text = reader.text(notes, note_id, here)
        if text is not None:
            found[note_id] = text
    return found
