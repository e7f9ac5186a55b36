"""FHIR JSON as bytes: one fixed layout, so the same Bundle is always the same file."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

# Without indent= the json module uses its C encoder: several times faster on a batch, where the
# Bundle is written beside every handout.
_dumps = partial(json.dumps, ensure_ascii=False, separators=(", ", ": "))


def bundle_bytes(bundle: dict[str, Any]) -> bytes:
    """UTF-8 JSON, one entry per line (readable, diffable, quick to write), final newline."""
    head = _dumps({key: value for key, value in bundle.items() if key != "entry"})
    entries = ",\n".join(_dumps(entry) for entry in bundle.get("entry", []))
    return f'{head[:-1]}, "entry": [\n{entries}\n]}}\n'.encode()
