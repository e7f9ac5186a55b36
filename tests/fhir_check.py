"""Checks every FHIR Bundle the tests write must pass: the R4 models, references, code systems."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# fhir.resources (pydantic) keeps the R4 line as R4B (4.3.0), the maintained R4 models; the
# resources rxstretch writes are the same in R4 4.0.1 and R4B.
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle


def _walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def check_bundle(bundle: dict[str, Any]) -> None:
    """Validate ``bundle`` and each resource with the FHIR models; references resolve inside it;
    every coding has a system and a code."""
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    targets = {entry["fullUrl"] for entry in bundle["entry"]}
    for path, value in _walk(bundle):
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            assert value["reference"] in targets, f"{path}: {value['reference']} does not resolve"
        if path.endswith(".coding"):
            for coding in value:
                assert coding.get("system") and coding.get("code"), f"{path}: {coding}"
