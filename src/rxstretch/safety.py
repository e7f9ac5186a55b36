"""Check a prescription against the patient's conditions and the exercises' usual dosage.

- ``avoid`` (and any red-flag condition) refuses the exercise unless the prescription overrides
  it with a reason; overrides are audit data for the clinician, never printed for the patient.
- ``caution`` adds a marked box to the exercise's card.
- A dosage outside the exercise's usual range, or a long list of exercises, is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rxstretch import DEFAULT_MAX_EXERCISES
from rxstretch.errors import ContraindicationError, Problem, Refusal
from rxstretch.model import (
    DosageRange,
    Exercise,
    Library,
    Override,
    PrescribedExercise,
    Prescription,
    Range,
)

_DAYS_PER = {"day": 7, "week": 1}


@dataclass(frozen=True)
class SafetyReport:
    """What the checks found about one prescription."""

    cautions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    warnings: tuple[str, ...] = ()


def review(
    prescription: Prescription, library: Library, *, max_exercises: int = DEFAULT_MAX_EXERCISES
) -> SafetyReport:
    """Return every safety finding for ``prescription``; nothing is raised."""
    overridden = {(o.exercise, o.condition): o for o in prescription.overrides}
    cautions: dict[str, tuple[str, ...]] = {}
    used: dict[Override, None] = {}
    refusals: list[Refusal] = []
    warnings: list[str] = []
    for index, item in enumerate(prescription.exercises):
        exercise = library.exercises[item.exercise_id]
        for condition, level in _levels(exercise, prescription, library):
            if level == "caution":
                cautions[exercise.id] = (*cautions.get(exercise.id, ()), condition)
            elif (exercise.id, condition) in overridden:
                used[overridden[(exercise.id, condition)]] = None
            else:
                refusals.append(_refusal(prescription, index, item, condition, library))
        warnings += _dosage_warnings(exercise, item)
    used_pairs = {(o.exercise, o.condition) for o in used}
    warnings += [
        f"override {o.exercise}/{o.condition} is not needed: {o.exercise} is not refused for {o.condition}"
        " here, so nothing is printed differently"
        for o in prescription.overrides
        if (o.exercise, o.condition) not in used_pairs
    ]
    seen: set[str] = set()
    for item in prescription.exercises:
        if item.exercise_id in seen:
            warnings.append(f"{item.exercise_id} is prescribed more than once: it has a card each time")
        seen.add(item.exercise_id)
    count = len(prescription.exercises)
    if count > max_exercises:
        warnings.append(
            f"{count} exercises: patients do fewer of them as the list grows; "
            f"consider {max_exercises} or fewer"
        )
    return SafetyReport(cautions, tuple(used), tuple(refusals), tuple(warnings))


def check_safety(
    prescription: Prescription, library: Library, *, max_exercises: int = DEFAULT_MAX_EXERCISES
) -> SafetyReport:
    """Return the review of ``prescription``, or raise ContraindicationError if it refuses any."""
    report = review(prescription, library, max_exercises=max_exercises)
    if report.refusals:
        raise ContraindicationError(report.refusals)
    return report


def _levels(exercise: Exercise, prescription: Prescription, library: Library) -> list[tuple[str, str]]:
    """(condition, level) for each of the patient's conditions that concerns ``exercise``."""
    levels = {c.condition: c.level for c in exercise.contraindications}
    found = []
    for condition in prescription.conditions:
        if library.conditions[condition].red_flag:
            found.append((condition, "avoid"))
        elif condition in levels:
            found.append((condition, levels[condition]))
    return found


def _refusal(
    prescription: Prescription, index: int, item: PrescribedExercise, condition: str, library: Library
) -> Refusal:
    name = library.conditions[condition].names.get("en", condition)
    if library.conditions[condition].red_flag:
        why = f"{name} is a red flag: refer the patient for urgent medical assessment"
    else:
        why = f'"{item.exercise_id}" must be avoided with {condition} ({name})'
    how = (
        f"to prescribe it anyway, add to the prescription: overrides: [{{exercise: {item.exercise_id}, "
        f"condition: {condition}, reason: ...}}], or use --allow {item.exercise_id}:{condition} "
        f'--reason "..."'
    )
    problem = Problem(prescription.source, item.line, f"exercises[{index}]", f"{why}; {how}")
    return Refusal(problem, item.exercise_id, condition, why)


def _outside(value: float, usual: Range) -> bool:
    return not usual.min <= value <= usual.max


def _dosage_warnings(exercise: Exercise, item: PrescribedExercise) -> list[str]:
    usual: DosageRange = exercise.dosage
    found = []
    if item.sets is not None and _outside(item.sets, usual.sets):
        found.append(
            f"{exercise.id}: {item.sets} sets is outside the usual {usual.sets.min}-{usual.sets.max}"
        )
    for what, value, range_ in (("repetitions", item.reps, usual.reps), ("hold", item.hold, usual.hold)):
        unit = " s" if what == "hold" else ""
        if value is None:
            continue
        if range_ is None:
            given = f"{value} repetitions are" if what == "repetitions" else f"a hold of {value}{unit} is"
            found.append(f"{exercise.id}: {given} prescribed but the exercise has none")
        elif _outside(value, range_):
            found.append(
                f"{exercise.id}: {what} {value}{unit} is outside the usual {range_.min}-{range_.max}{unit}"
            )
    if item.frequency is not None:
        weekly = item.frequency.count * _DAYS_PER[item.frequency.per]
        factor = _DAYS_PER[usual.frequency.per]
        if not usual.frequency.min * factor <= weekly <= usual.frequency.max * factor:
            found.append(
                f"{exercise.id}: {item.frequency.count} times a {item.frequency.per} is outside the usual "
                f"{usual.frequency.min}-{usual.frequency.max} times a {usual.frequency.per}"
            )
    return found
