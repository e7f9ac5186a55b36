"""Check a prescription's exercises against the patient's conditions.

``avoid`` refuses the exercise unless the prescription overrides it with a reason; ``caution``
adds a marked box to the exercise's card. Overrides are audit data for the clinician and never
appear on the patient's sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rxstretch.errors import ContraindicationError
from rxstretch.model import Library, Override, Prescription


@dataclass(frozen=True)
class SafetyReport:
    """What the checks found: cautions per exercise id, and the overrides that were used."""

    cautions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    overrides: tuple[Override, ...] = ()


def check_contraindications(prescription: Prescription, library: Library) -> SafetyReport:
    """Return the cautions and used overrides, or raise ContraindicationError for any avoid."""
    overridden = {(o.exercise, o.condition): o for o in prescription.overrides}
    patient_conditions = set(prescription.conditions)
    cautions: dict[str, tuple[str, ...]] = {}
    used: list[Override] = []
    refused: list[str] = []
    for item in prescription.exercises:
        exercise = library.exercises[item.exercise_id]
        for contraindication in exercise.contraindications:
            condition = contraindication.condition
            if condition not in patient_conditions:
                continue
            if contraindication.level == "caution":
                cautions[exercise.id] = (*cautions.get(exercise.id, ()), condition)
            elif (exercise.id, condition) in overridden:
                used.append(overridden[(exercise.id, condition)])
            else:
                refused.append(
                    f'"{exercise.id}" must be avoided with "{condition}". To prescribe it anyway, '
                    f"add to the prescription: overrides: [{{exercise: {exercise.id}, "
                    f"condition: {condition}, reason: ...}}]"
                )
    if refused:
        raise ContraindicationError(f"{prescription.source}: " + "; ".join(refused))
    return SafetyReport(cautions=cautions, overrides=tuple(dict.fromkeys(used)))
