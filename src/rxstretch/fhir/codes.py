"""Code systems, codes and the extension rxstretch writes into FHIR resources.

The URLs below are stable: a records system may store them. Changing one is a breaking change.
"""

from __future__ import annotations

from typing import Any

# The rxstretch code system: an exercise's library id is its code (``knees-to-chest``).
EXERCISE_SYSTEM = "https://rxstretch.org/fhir/CodeSystem/exercise"
# The rxstretch condition ids, for a library condition with no ICD-10 or SNOMED CT code.
CONDITION_SYSTEM = "https://rxstretch.org/fhir/CodeSystem/condition"
# The dosage extension on ServiceRequest (sets, reps, hold, side); see docs/fhir.md.
DOSE_EXTENSION = "https://rxstretch.org/fhir/StructureDefinition/rxstretch-dose"
# Identifiers: the patient id given in the prescription, and the handout's content hash.
PATIENT_ID_SYSTEM = "https://rxstretch.org/fhir/NamingSystem/patient-id"
HANDOUT_ID_SYSTEM = "https://rxstretch.org/fhir/NamingSystem/handout"
DEVICE_NAME = "rxstretch"

SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
UCUM = "http://unitsofmeasure.org"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PROVENANCE_AGENT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

# SNOMED CT 229065009 |Exercise therapy (regime/therapy)|: the HL7 Physical Activity IG's code
# for an exercise prescription, used as CarePlan.category and as every ServiceRequest's code
# when the library gives the exercise no more specific code.
EXERCISE_THERAPY = {"system": SNOMED, "code": "229065009", "display": "Exercise therapy (regime/therapy)"}
# DetectedIssue.mitigation.action for an override (v3-ActCode "1", Therapy Appropriate: the
# clinician judged the exercise appropriate despite the issue); the reason goes in its text.
OVERRIDE_MITIGATION = {"system": V3_ACT_CODE, "code": "1", "display": "Therapy Appropriate"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    """One Coding; ``display`` only when given."""
    return {"system": system, "code": code, **({"display": display} if display else {})}
