"""Build the FHIR R4 Bundle for one handout: the prescription as data beside the PDF.

Every id is derived from the handout's content (its PDF's SHA-256 and the resource's place), so
the same inputs give the same Bundle, byte for byte. See docs/fhir.md for the mapping.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from rxstretch import __version__
from rxstretch.fhir import codes
from rxstretch.model import Library, PrescribedExercise, Prescription
from rxstretch.model.frozen import frozen
from rxstretch.model.handout import Card, Handout
from rxstretch.safety import review

# Namespace of the name-based (version 5) UUIDs of every resource rxstretch writes.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://rxstretch.org/fhir")
_PERIOD_UNITS = {"day": "d", "week": "wk"}

Resource = dict[str, Any]


@frozen
class BundleOptions:
    """How to write the Bundle: a ``transaction`` to post to a server, the PDF embedded or not."""

    transaction: bool = False
    embed_pdf: bool = False
    pdf_title: str | None = None  # the PDF's file name, else the handout's subject


class _Ids:
    """Name-based ids: the same handout content and resource role give the same id."""

    def __init__(self, seed: str) -> None:
        self.seed = seed

    def __call__(self, role: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.seed}/{role}"))

    def ref(self, role: str) -> dict[str, str]:
        return {"reference": f"urn:uuid:{self(role)}"}


def handout_bundle(
    prescription: Prescription,
    library: Library,
    handout: Handout,
    pdf: bytes,
    *,
    date: datetime.date,
    options: BundleOptions = BundleOptions(),
) -> dict[str, Any]:
    """Return the Bundle (a JSON-ready dict) for ``handout``, rendered from ``prescription``.

    ``date`` is the handout's date (the prescription's, else the one given for the run): it is
    the Provenance's recorded time, so no clock is read.
    """
    ids = _Ids(hashlib.sha256(pdf).hexdigest())
    instant = f"{date.isoformat()}T00:00:00Z"
    resources: list[tuple[str, Resource]] = [("patient", _patient(prescription, ids))]
    if prescription.clinician:
        resources.append(("practitioner", _practitioner(prescription, ids)))
    if handout.brand.name:
        resources.append(("organization", _organization(handout, ids)))
    resources += [(f"condition/{c}", _condition(c, library, ids)) for c in prescription.conditions]
    resources.append(("careplan", _care_plan(prescription, handout, ids, date)))
    resources += [
        (f"request/{number}", _service_request(item, card, prescription, library, ids))
        for number, (item, card) in enumerate(zip(prescription.exercises, handout.cards, strict=True), 1)
    ]
    resources += _detected_issues(prescription, library, handout, ids, instant)
    resources.append(("document", _document(handout, pdf, ids, instant, options)))
    resources.append(("provenance", _provenance(prescription, ids, instant)))
    entries = []
    for role, resource in resources:
        entry: dict[str, Any] = {"fullUrl": f"urn:uuid:{ids(role)}", "resource": resource}
        if options.transaction:
            entry["request"] = {"method": "POST", "url": resource["resourceType"]}
        entries.append(entry)
    return {
        "resourceType": "Bundle",
        "id": ids("bundle"),
        "identifier": {"system": codes.HANDOUT_ID_SYSTEM, "value": ids.seed},
        "type": "transaction" if options.transaction else "collection",
        "timestamp": instant,
        "entry": entries,
    }


def _resource(kind: str, role: str, ids: _Ids, **fields: Any) -> Resource:
    return {"resourceType": kind, "id": ids(role), **{k: v for k, v in fields.items() if v is not None}}


def _patient(prescription: Prescription, ids: _Ids) -> Resource:
    patient = prescription.patient
    identifier = [{"system": codes.PATIENT_ID_SYSTEM, "value": patient.id}] if patient.id else None
    return _resource("Patient", "patient", ids, identifier=identifier, name=[{"text": patient.name}])


def _practitioner(prescription: Prescription, ids: _Ids) -> Resource:
    clinician = prescription.clinician
    assert clinician is not None
    qualification = [{"code": {"text": clinician.title}}] if clinician.title else None
    return _resource(
        "Practitioner", "practitioner", ids, name=[{"text": clinician.name}], qualification=qualification
    )


def _organization(handout: Handout, ids: _Ids) -> Resource:
    brand = handout.brand
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", brand.phone), ("email", brand.email), ("url", brand.website))
        if value
    ]
    return _resource(
        "Organization",
        "organization",
        ids,
        name=brand.name,
        telecom=telecom or None,
        address=[{"text": brand.address}] if brand.address else None,
    )


def condition_coding(condition_id: str, library: Library) -> list[dict[str, Any]]:
    """The codings of a library condition: ICD-10 and SNOMED CT when known, and its rxstretch id."""
    condition = library.conditions[condition_id]
    name = condition.names.get(library.default_language)
    found = [codes.coding(codes.ICD10, code) for code in condition.icd10]
    found += [codes.coding(codes.SNOMED, code) for code in condition.snomed]
    found.append(codes.coding(codes.CONDITION_SYSTEM, condition_id, name))
    return found


def _condition(condition_id: str, library: Library, ids: _Ids) -> Resource:
    name = library.conditions[condition_id].names.get(library.default_language, condition_id)
    return _resource(
        "Condition",
        f"condition/{condition_id}",
        ids,
        clinicalStatus={"coding": [codes.coding(codes.CONDITION_CLINICAL, "active")]},
        code={"coding": condition_coding(condition_id, library), "text": name},
        subject=ids.ref("patient"),
    )


def _care_plan(prescription: Prescription, handout: Handout, ids: _Ids, date: datetime.date) -> Resource:
    period: dict[str, str] = {"start": date.isoformat()}
    if prescription.follow_up:
        period["end"] = prescription.follow_up.isoformat()
    return _resource(
        "CarePlan",
        "careplan",
        ids,
        language=handout.language,
        status="active",
        intent="plan",
        category=[{"coding": [codes.EXERCISE_THERAPY]}],
        title=handout.subject,
        subject=ids.ref("patient"),
        period=period,
        created=date.isoformat(),
        author=ids.ref("practitioner") if prescription.clinician else None,
        addresses=[ids.ref(f"condition/{c}") for c in prescription.conditions] or None,
        activity=[{"reference": ids.ref(f"request/{n}")} for n in range(1, len(handout.cards) + 1)],
        note=[{"text": prescription.notes}] if prescription.notes else None,
    )


def _service_request(
    item: PrescribedExercise, card: Card, prescription: Prescription, library: Library, ids: _Ids
) -> Resource:
    number = card.number
    return _resource(
        "ServiceRequest",
        f"request/{number}",
        ids,
        extension=[dose_extension(item)] if _has_dose(item) else None,
        basedOn=[ids.ref("careplan")],
        status="active",
        intent="order",
        category=[{"coding": [codes.EXERCISE_THERAPY]}],
        code={"coding": exercise_coding(item.exercise_id, library, card.name), "text": card.name},
        subject=ids.ref("patient"),
        occurrenceTiming=_timing(item),
        authoredOn=prescription.date.isoformat() if prescription.date else None,
        requester=ids.ref("practitioner") if prescription.clinician else None,
        performer=[ids.ref("patient")],
        reasonReference=[ids.ref(f"condition/{c}") for c in prescription.conditions] or None,
        note=[{"text": item.notes}] if item.notes else None,
        patientInstruction="; ".join(f"{label}: {value}" for label, value in card.dosage),
    )


def exercise_coding(exercise_id: str, library: Library, display: str | None = None) -> list[dict[str, Any]]:
    """An exercise's codes: its library SNOMED CT codes (else Exercise therapy), then its id."""
    snomed = library.exercises[exercise_id].codes
    kinds = [codes.coding(codes.SNOMED, code) for code in snomed] or [codes.EXERCISE_THERAPY]
    return [*kinds, codes.coding(codes.EXERCISE_SYSTEM, exercise_id, display)]


def _has_dose(item: PrescribedExercise) -> bool:
    return any(value is not None for value in (item.sets, item.reps, item.hold, item.side))


def dose_extension(item: PrescribedExercise) -> dict[str, Any]:
    """The rxstretch-dose extension: the values the prescription gave (absent: the usual range)."""
    parts: list[dict[str, Any]] = []
    if item.sets is not None:
        parts.append({"url": "sets", "valueInteger": item.sets})
    if item.reps is not None:
        parts.append({"url": "reps", "valueInteger": item.reps})
    if item.hold is not None:
        hold = {"value": item.hold, "unit": "s", "system": codes.UCUM, "code": "s"}
        parts.append({"url": "hold", "valueDuration": hold})
    if item.side is not None:
        parts.append({"url": "side", "valueCode": item.side})
    return {"url": codes.DOSE_EXTENSION, "extension": parts}


def _timing(item: PrescribedExercise) -> dict[str, Any] | None:
    if item.frequency is None:
        return None  # the library's usual range applies; patientInstruction words it
    unit = _PERIOD_UNITS[item.frequency.per]
    return {"repeat": {"frequency": item.frequency.count, "period": 1, "periodUnit": unit}}


def _detected_issues(
    prescription: Prescription, library: Library, handout: Handout, ids: _Ids, instant: str
) -> list[tuple[str, Resource]]:
    """A DetectedIssue per caution printed (moderate) and per override used (high, mitigated)."""
    requests: dict[str, list[dict[str, str]]] = {}
    for card in handout.cards:
        requests.setdefault(card.exercise_id, []).append(ids.ref(f"request/{card.number}"))
    found = []
    # Without conditions there is nothing to be cautious about (and the review costs a batch time).
    report = review(prescription, library) if prescription.conditions else None
    cautions = report.cautions if report else {}
    # A caution decided by an implied condition (bppv → vertigo) is evidenced by the patient's own.
    via = report.via if report else {}
    for exercise_id, conditions in cautions.items():
        for decided in conditions:
            condition = via.get((exercise_id, decided), decided)
            role = f"caution/{exercise_id}/{condition}"
            found.append((role, _issue(role, "moderate", exercise_id, condition, requests, ids, instant)))
    for override in handout.overrides:
        condition = via.get((override.exercise, override.condition), override.condition)
        role = f"override/{override.exercise}/{condition}"
        issue = _issue(role, "high", override.exercise, condition, requests, ids, instant)
        mitigation: dict[str, Any] = {
            "action": {"coding": [codes.OVERRIDE_MITIGATION], "text": override.reason},
            "date": instant,
        }
        if prescription.clinician:
            mitigation["author"] = ids.ref("practitioner")
        issue["mitigation"] = [mitigation]
        found.append((role, issue))
    return found


def _issue(
    role: str,
    severity: str,
    exercise_id: str,
    condition: str,
    requests: Mapping[str, list[dict[str, str]]],
    ids: _Ids,
    instant: str,
) -> Resource:
    level = "to be avoided" if severity == "high" else "to be done with caution"
    return _resource(
        "DetectedIssue",
        role,
        ids,
        status="final",
        severity=severity,
        patient=ids.ref("patient"),
        identifiedDateTime=instant,
        implicated=requests.get(exercise_id, []),
        evidence=[{"detail": [ids.ref(f"condition/{condition}")]}],
        detail=f"{exercise_id} is {level} with {condition}",
    )


def _document(handout: Handout, pdf: bytes, ids: _Ids, instant: str, options: BundleOptions) -> Resource:
    attachment: dict[str, Any] = {
        "contentType": "application/pdf",
        "language": handout.language,
        "size": len(pdf),
        # FHIR's Attachment.hash is the base64 of the SHA-1 of the data.
        "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),
        "title": options.pdf_title or handout.subject,
        "creation": instant,
    }
    if options.embed_pdf:
        attachment["data"] = base64.b64encode(pdf).decode("ascii")
    return _resource(
        "DocumentReference",
        "document",
        ids,
        masterIdentifier={"system": codes.HANDOUT_ID_SYSTEM, "value": ids.seed},
        status="current",
        subject=ids.ref("patient"),
        date=instant,
        description=handout.title,
        content=[{"attachment": attachment}],
        context={"related": [ids.ref("careplan")]},
    )


def _provenance(prescription: Prescription, ids: _Ids, instant: str) -> Resource:
    agents: list[dict[str, Any]] = [
        {
            "type": {"coding": [codes.coding(codes.PROVENANCE_AGENT_TYPE, "assembler", "Assembler")]},
            "who": {"display": f"{codes.DEVICE_NAME} {__version__}"},
        }
    ]
    if prescription.clinician:
        agents.append(
            {
                "type": {"coding": [codes.coding(codes.PROVENANCE_AGENT_TYPE, "author", "Author")]},
                "who": ids.ref("practitioner"),
            }
        )
    return _resource(
        "Provenance",
        "provenance",
        ids,
        target=[ids.ref("careplan"), ids.ref("document")],
        recorded=instant,
        agent=agents,
        entity=[
            {
                "role": "source",
                "what": {"display": f"rxstretch exercise library {__version__}"},
            }
        ],
    )
