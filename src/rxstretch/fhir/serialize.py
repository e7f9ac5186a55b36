"""FHIR JSON as bytes: one fixed layout, so the same Bundle is always the same file."""

from __future__ import annotations

import json
from typing import Any


def bundle_bytes(bundle: dict[str, Any]) -> bytes:
    """UTF-8 JSON, two-space indented, keys in the order the exporter wrote them, final newline."""
    return (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
