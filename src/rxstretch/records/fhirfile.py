"""FHIR Bundle files as prescriptions: read with the records reader's JSON rules, mapped by rxstretch.fhir."""

from __future__ import annotations

from pathlib import Path

from rxstretch.errors import Problem, ValidationError
from rxstretch.fhir.bundle_import import MAX_BUNDLE_BYTES, read_bundle
from rxstretch.model import Library, Prescription
from rxstretch.records.jsonfile import json_record


def load_bundle_file(path: Path, library: Library) -> Prescription:
    """Read the Bundle at ``path`` into a Prescription; raise ValidationError with every problem."""
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        raise ValidationError([Problem(str(path), None, "", "is larger than 20 MB: not a prescription")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError([Problem(str(path), None, "", f"is not UTF-8 text: {exc}")]) from exc
    # The records reader's JSON rules: keys written twice and absurd nesting are refused too.
    raw = json_record(1, 1, text)
    if raw.error is not None:
        raise ValidationError([Problem(str(path), None, "", raw.error)])
    return read_bundle(raw.data, library, source=str(path))
