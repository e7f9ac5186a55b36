"""The example handouts keep their exact bytes: hashes recorded before the package restructuring.

Rendered with fixed dates from every prescription in examples/ (standard, compact and large-print
templates, with and without the example brand, and once in a right-to-left language) and from
the records exports through the batch runner. A change to the code that moves a byte fails here.

The hashes also depend on the data (library/, templates/, fonts, catalogs): that data is
fingerprinted beside them, so a change to the data is named as such. After an intended change
to the output or the data, regenerate with ``RXSTRETCH_REGENERATE_HASHES=1 pytest
tests/test_example_hashes.py`` and say why in the commit.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from rxstretch.api import build_handout, load_prescription, render_handout, run_batch
from rxstretch.model import Library

from .conftest import EXAMPLES, FIXED_DATE, REPO

HASHES = Path(__file__).parent / "data" / "example-hashes.json"
REGENERATE = os.environ.get("RXSTRETCH_REGENERATE_HASHES") == "1"
PRESCRIPTIONS = sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "brand.yaml")
TEMPLATES = ("standard", "compact", "large-print")
RTL_LANGUAGE = "ar"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _data_fingerprint() -> str:
    digest = hashlib.sha256()
    folders = [REPO / "library", REPO / "templates", REPO / "src" / "rxstretch" / "fonts"]
    folders.append(REPO / "src" / "rxstretch" / "locale")
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix != ".po"):
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _render_all(library: Library, tmp_path: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    brand = EXAMPLES / "brand.yaml"
    for path in PRESCRIPTIONS:
        prescription = load_prescription(path, library)
        for brand_name, brand_file in (("plain", None), ("brand", brand)):
            handout = build_handout(prescription, library, brand=brand_file, today=FIXED_DATE)
            for template in TEMPLATES:
                pdf = render_handout(handout, template=template)
                hashes[f"{path.name}:{brand_name}:{template}"] = _sha(pdf)
        handout = build_handout(prescription, library, language=RTL_LANGUAGE, today=FIXED_DATE)
        hashes[f"{path.name}:plain:standard:{RTL_LANGUAGE}"] = _sha(render_handout(handout))
    records = EXAMPLES / "records"
    runs = {
        "export-fr.csv": (records / "export-fr.csv", records / "mapping-fr.yaml"),
        "patients.jsonl": (records / "patients.jsonl", None),
    }
    for name, (export, mapping) in runs.items():
        out = tmp_path / name
        run_batch(export, out, mapping=mapping, use_env=False, today=FIXED_DATE, jobs=1)
        for pdf_path in sorted(out.glob("*.pdf")):
            hashes[f"batch:{name}:{pdf_path.name}"] = _sha(pdf_path.read_bytes())
    return hashes


def test_example_handouts_keep_their_bytes(library: Library, tmp_path: Path) -> None:
    hashes = _render_all(library, tmp_path)
    if REGENERATE:
        recorded = {"data_fingerprint": _data_fingerprint(), "pdf_sha256": hashes}
        HASHES.write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("hashes regenerated")
    recorded = json.loads(HASHES.read_text(encoding="utf-8"))
    assert recorded["data_fingerprint"] == _data_fingerprint(), (
        "library/, templates/, fonts or catalogs changed since the hashes were recorded: "
        "check the handouts, then regenerate (see this module's docstring)"
    )
    changed = sorted(k for k in recorded["pdf_sha256"] if hashes.get(k) != recorded["pdf_sha256"][k])
    assert sorted(hashes) == sorted(recorded["pdf_sha256"])
    assert not changed, f"handouts whose bytes changed: {changed}"
