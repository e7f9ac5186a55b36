"""Describe the library for people: filtered exercise lists and one exercise's full details."""

from __future__ import annotations

from typing import Any

from rxstretch.errors import RxStretchError, did_you_mean
from rxstretch.i18n import negotiate, parse_locale
from rxstretch.loaders.library import ExerciseIndex
from rxstretch.loaders.summary import ExerciseSummary, summary_of
from rxstretch.model import Exercise, Library
from rxstretch.text import fold


def _language(exercise: Exercise | ExerciseSummary, library: Library, language: str | None) -> str:
    requested = parse_locale(language or library.default_language)
    chosen = negotiate(requested, exercise.text, library.default_language)
    return chosen if chosen in exercise.text else next(iter(exercise.text))


def _matches(exercise: ExerciseSummary, search: str) -> bool:
    needle = fold(search)
    haystack = [exercise.id, *exercise.tags]
    for text in exercise.text.values():
        haystack += [text.name, text.summary]
    return any(needle in fold(value) for value in haystack)


def exercise_summaries(
    library: Library,
    *,
    language: str | None = None,
    region: str | None = None,
    tag: str | None = None,
    search: str | None = None,
    position: str | None = None,
    equipment: str | None = None,
) -> list[dict[str, Any]]:
    """Return one summary row per exercise that passes every given filter."""
    vocabulary = library.vocabulary
    for kind, value, choices in (
        ("region", region, vocabulary.regions),
        ("position", position, vocabulary.positions),
        ("equipment", equipment, vocabulary.equipment),
    ):
        if value is not None and value not in choices:
            raise RxStretchError(f'unknown {kind} "{value}"{did_you_mean(value, choices)}')
    rows = []
    # A checked library keeps its exercises' summaries: listing reads no exercise file again.
    exercises = library.exercises
    summaries = (
        exercises.summaries()
        if isinstance(exercises, ExerciseIndex)
        else [summary_of(exercise) for exercise in exercises.values()]
    )
    for exercise in summaries:
        if (
            (region is not None and region not in exercise.regions)
            or (tag is not None and tag not in exercise.tags)
            or (position is not None and position != exercise.position)
            or (equipment is not None and equipment not in exercise.equipment)
            or (search and not _matches(exercise, search))
        ):
            continue
        chosen = _language(exercise, library, language)
        rows.append(
            {
                "id": exercise.id,
                "name": exercise.text[chosen].name,
                "regions": list(exercise.regions),
                "position": exercise.position,
                "tags": list(exercise.tags),
                "languages": list(exercise.languages),
            }
        )
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """Format summary rows as an aligned text table."""
    if not rows:
        return "no exercises match"
    header = ("ID", "NAME", "REGIONS", "LANGUAGES")
    table = [header] + [
        (row["id"], row["name"], ", ".join(row["regions"]), ", ".join(row["languages"])) for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in table
    )


def find_exercise(library: Library, name: str) -> Exercise:
    """The exercise with id ``name``, or whose name is ``name`` in any language (accents ignored)."""
    if name in library.exercises:
        return library.exercises[name]
    wanted = fold(name)
    for exercise in library.exercises.values():
        if any(fold(text.name) == wanted for text in exercise.text.values()):
            return exercise
    raise RxStretchError(f'unknown exercise "{name}"{did_you_mean(name, library.exercises)}')


def program_summaries(library: Library, *, language: str | None = None) -> list[dict[str, Any]]:
    """One row per program: id, title in the language, and its exercises."""
    requested = parse_locale(language or library.default_language)
    rows = []
    for program in library.programs.values():
        chosen = negotiate(requested, program.text, library.default_language)
        rows.append(
            {
                "id": program.id,
                "title": program.text[chosen].title,
                "exercises": [item.exercise_id for item in program.exercises],
                "tags": list(program.tags),
            }
        )
    return rows


def exercise_details(library: Library, exercise_id: str, *, language: str | None = None) -> dict[str, Any]:
    """Return everything about one exercise (by id or localized name) in one language, as plain data."""
    exercise = find_exercise(library, exercise_id)
    chosen = _language(exercise, library, language)
    text = exercise.text[chosen]
    vocabulary = library.vocabulary
    dosage = exercise.dosage
    return {
        "id": exercise.id,
        "language": chosen,
        "name": text.name,
        "summary": text.summary,
        "purpose": text.purpose,
        "regions": [vocabulary.name("regions", r, chosen) for r in exercise.regions],
        "position": vocabulary.name("positions", exercise.position, chosen),
        "equipment": [vocabulary.name("equipment", e, chosen) for e in exercise.equipment],
        "muscles": [
            {"name": vocabulary.name("muscles", m, chosen), "note": text.muscles_note.get(m, "")}
            for m in exercise.muscles
        ],
        "dosage": {
            "sets": [dosage.sets.min, dosage.sets.max],
            "reps": [dosage.reps.min, dosage.reps.max] if dosage.reps else None,
            "hold_seconds": [dosage.hold.min, dosage.hold.max] if dosage.hold else None,
            "frequency": [
                dosage.frequency.min,
                dosage.frequency.max,
                f"per {dosage.frequency.per}",
            ],
            "timing": [vocabulary.name("timing", t, chosen) for t in dosage.timing],
        },
        "steps": [{"title": s.title, "text": s.text} for s in text.steps],
        "tips": list(text.tips),
        "suitable_for": text.suitable_for,
        "contraindications": [
            {
                "condition": library.conditions[c.condition].names.get(chosen, c.condition),
                "when": dict(c.when),
                "level": c.level,
                "why": text.contraindications.get(c.key, ""),
                "reason": c.reason or "",
            }
            for c in exercise.contraindications
        ],
        "tags": list(exercise.tags),
        "licence": exercise.licence,
        "sources": [{k: v for k, v in vars(s).items() if v} for s in exercise.sources],
        "file": exercise.origin,
    }


def format_details(details: dict[str, Any]) -> str:
    """Format exercise details as readable text."""
    dosage = details["dosage"]
    lines = [
        f"{details['name']}  ({details['id']}, {details['language']})",
        "",
        details["summary"],
        "",
    ]
    lines.append(f"Regions: {', '.join(details['regions'])}    Position: {details['position']}")
    if details["equipment"]:
        lines.append(f"Equipment: {', '.join(details['equipment'])}")
    lines.append("Muscles:")
    lines += [f"  - {m['name']}: {m['note']}".rstrip(": ") for m in details["muscles"]]

    def span(values: list[int]) -> str:
        return str(values[0]) if values[0] == values[1] else f"{values[0]}-{values[1]}"

    usual = [f"sets {span(dosage['sets'])}"]
    if dosage["reps"]:
        usual.append(f"reps {span(dosage['reps'])}")
    if dosage["hold_seconds"]:
        usual.append(f"hold {span(dosage['hold_seconds'])} s")
    frequency = dosage["frequency"]
    usual.append(f"{span(frequency)} times {frequency[2]}")
    lines.append(
        "Usual dosage: "
        + ", ".join(usual)
        + (f" ({', '.join(dosage['timing'])})" if dosage["timing"] else "")
    )
    lines += ["", "Steps:"] + [f"  {i}. {s['title']}: {s['text']}" for i, s in enumerate(details["steps"], 1)]
    lines += ["", "Safety tips:"] + [f"  - {tip}" for tip in details["tips"]]
    lines += ["", f"Who benefits: {details['suitable_for']}"]
    if details["contraindications"]:
        lines += ["", "Contraindications:"]
        for c in details["contraindications"]:
            when = "".join(f" ({key}: {value})" for key, value in c["when"].items())
            lines.append(f"  - {c['level'].upper()}: {c['condition']}{when}. {c['why']}".rstrip())
            if c["reason"]:
                lines.append(f"    Reason: {c['reason']}")
    lines += ["", f"Licence: {details['licence']}", "Sources:"]
    lines += [f"  - {s['title']}" + (f" <{s['url']}>" if s.get("url") else "") for s in details["sources"]]
    return "\n".join(lines)
