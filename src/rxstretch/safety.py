"""Check a prescription against the patient's conditions and the exercises' usual dosage.

- ``avoid`` (and any red-flag condition) refuses the exercise unless the prescription overrides
  it with a reason; overrides are audit data for the clinician, never printed for the patient.
- ``caution`` adds a marked box to the exercise's card.
- A condition brings the rules of the conditions it implies (bppv → vertigo): the strictest
  rule decides. A rule limited by ``when`` (``approach: posterior``) applies unless the patient's
  value is known and differs. A condition past its protected period brings no rules.
- Docs: docs/clinical-safety.md.
- A dosage outside the exercise's usual range, or a long list of exercises, is a warning.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import field

from rxstretch import DEFAULT_MAX_EXERCISES
from rxstretch.errors import ContraindicationError, Problem, Refusal
from rxstretch.model import (
    Condition,
    Contraindication,
    DosageRange,
    Exercise,
    Level,
    Library,
    Override,
    PatientCondition,
    PrescribedExercise,
    Prescription,
    Range,
)
from rxstretch.model.frozen import frozen

_DAYS_PER = {"day": 7, "week": 1}
_RANK = {"avoid": 0, "caution": 1}


@frozen
class Finding:
    """What one of the patient's conditions means for one exercise.

    ``decided_by`` is the condition whose rule (or red flag) decided: the patient's own, or one
    it implies. ``rule`` is that rule; None for a red flag, which refuses every exercise.
    """

    exercise: str
    condition: str
    decided_by: str
    level: Level
    rule: Contraindication | None = None


@frozen
class SafetyReport:
    """What the checks found about one prescription.

    ``cautions`` maps an exercise to the conditions whose caution rule decided; ``rules`` holds
    the deciding rule of each (exercise, condition), for its texts and the clinician's reason;
    ``via`` gives the patient's own condition where the deciding one is implied by it.
    """

    cautions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    warnings: tuple[str, ...] = ()
    rules: dict[tuple[str, str], Contraindication] = field(default_factory=dict)
    via: dict[tuple[str, str], str] = field(default_factory=dict)


def review(
    prescription: Prescription,
    library: Library,
    *,
    max_exercises: int = DEFAULT_MAX_EXERCISES,
    today: datetime.date | None = None,
) -> SafetyReport:
    """Return every safety finding for ``prescription``; nothing is raised.

    ``today`` dates a condition given with ``since=`` when the prescription has no date.
    """
    overridden = {(o.exercise, o.condition): o for o in prescription.overrides}
    cautions: dict[str, tuple[str, ...]] = {}
    rules: dict[tuple[str, str], Contraindication] = {}
    via: dict[tuple[str, str], str] = {}
    used: dict[Override, None] = {}
    refusals: list[Refusal] = []
    active, warnings = _active_conditions(prescription, library, today)
    for index, item in enumerate(prescription.exercises):
        exercise = library.exercises[item.exercise_id]
        for finding in findings(exercise, active, library):
            override = overridden.get((exercise.id, finding.condition)) or overridden.get(
                (exercise.id, finding.decided_by)
            )
            if finding.level == "caution":
                if finding.decided_by not in cautions.get(exercise.id, ()):
                    cautions[exercise.id] = (*cautions.get(exercise.id, ()), finding.decided_by)
            elif override is not None:
                used[override] = None
            else:
                refusals.append(_refusal(prescription, index, item, finding, library))
            if finding.rule is not None:
                rules[(exercise.id, finding.decided_by)] = finding.rule
            if finding.decided_by != finding.condition:
                via[(exercise.id, finding.decided_by)] = finding.condition
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
    return SafetyReport(cautions, tuple(used), tuple(refusals), tuple(warnings), rules, via)


def check_safety(
    prescription: Prescription,
    library: Library,
    *,
    max_exercises: int = DEFAULT_MAX_EXERCISES,
    today: datetime.date | None = None,
) -> SafetyReport:
    """Return the review of ``prescription``, or raise ContraindicationError if it refuses any."""
    report = review(prescription, library, max_exercises=max_exercises, today=today)
    if report.refusals:
        raise ContraindicationError(report.refusals)
    return report


def _active_conditions(
    prescription: Prescription, library: Library, today: datetime.date | None
) -> tuple[list[PatientCondition], list[str]]:
    """The patient's conditions whose rules apply: a condition past its protected period
    (``past``, or ``weeks``/``since`` beyond ``recent_weeks``) is left out, with a note."""
    active: list[PatientCondition] = []
    notes: list[str] = []
    for condition_id in prescription.conditions:
        detail = prescription.detail(condition_id)
        protected = library.conditions[condition_id].recent_weeks
        weeks = detail.weeks
        if detail.since is not None:
            reference = prescription.date or today or datetime.date.today()
            weeks = max(0, (reference - detail.since).days // 7)
        if protected is not None and (detail.past or (weeks is not None and weeks >= protected)):
            when = "given as history" if detail.past else f"{weeks} weeks on"
            notes.append(
                f"{condition_id}: {when}, past its {protected}-week protected period; "
                "its rules are not applied"
            )
            continue
        active.append(detail)
    return active, notes


def implied_closure(condition_id: str, conditions: Mapping[str, Condition]) -> tuple[str, ...]:
    """``condition_id`` and every condition it implies, directly or not, nearest first."""
    order = [condition_id]
    for current in order:
        order += [c for c in conditions[current].implies if c not in order]
    return tuple(order)


def findings(exercise: Exercise, conditions: list[PatientCondition], library: Library) -> list[Finding]:
    """One finding per patient condition that concerns ``exercise``: a red flag anywhere in what
    the condition implies refuses it; otherwise the strictest applicable rule over the condition
    and everything it implies decides (the condition's own rules first when levels tie)."""
    found: list[Finding] = []
    for detail in conditions:
        closure = implied_closure(detail.condition, library.conditions)
        flag = next((c for c in closure if library.conditions[c].red_flag), None)
        if flag is not None:
            found.append(Finding(exercise.id, detail.condition, flag, "avoid"))
            continue
        applicable = [
            (rule, closure.index(rule.condition))
            for rule in exercise.contraindications
            if rule.condition in closure and _applies(rule, detail)
        ]
        if applicable:
            rule, _ = min(applicable, key=lambda pair: (_RANK[pair[0].level], pair[1]))
            found.append(Finding(exercise.id, detail.condition, rule.condition, rule.level, rule))
    return found


def _applies(rule: Contraindication, detail: PatientCondition) -> bool:
    """A qualified rule applies unless the patient's value is known and differs; an implied
    condition's qualifiers are never known, so all its rules apply."""
    if rule.condition != detail.condition:
        return True
    return all(detail.values.get(key, value) == value for key, value in rule.when.items())


def _refusal(
    prescription: Prescription, index: int, item: PrescribedExercise, finding: Finding, library: Library
) -> Refusal:
    decided = library.conditions[finding.decided_by]
    name = decided.names.get("en", decided.id)
    via = "" if finding.decided_by == finding.condition else f" (implied by {finding.condition})"
    if finding.rule is None:
        why = f"{name}{via} is a red flag: refer the patient for urgent medical assessment"
    else:
        qualified = "".join(f", {key}: {value}" for key, value in finding.rule.when.items())
        why = f'"{item.exercise_id}" must be avoided with {decided.id} ({name}{qualified}){via}'
        if finding.rule.reason:
            why += f": {finding.rule.reason.rstrip('.')}"
    how = (
        f"to prescribe it anyway, add to the prescription: overrides: [{{exercise: {item.exercise_id}, "
        f"condition: {finding.condition}, reason: ...}}], or use --allow {item.exercise_id}:"
        f'{finding.condition} --reason "..."'
    )
    problem = Problem(prescription.source, item.line, f"exercises[{index}]", f"{why}; {how}")
    return Refusal(problem, item.exercise_id, finding.condition, why)


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
