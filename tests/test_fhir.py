"""FHIR R4 export and import: valid Bundles, same bytes twice, and the round trip to the same PDF."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from rxstretch.api import build_handout, fhir_bundle, load_prescription, render_handout
from rxstretch.errors import ValidationError
from rxstretch.fhir import codes
from rxstretch.fhir.bundle_import import read_bundle
from rxstretch.model import Library
from rxstretch.records.fhirfile import load_bundle_file

from .conftest import EXAMPLES, FIXED_DATE
from .fhir_check import check_bundle

CONDITIONS_RX = """\
patient: {name: Sam Taylor, id: P-0101}
language: en
date: 2026-11-26
clinician: {name: Alex Martin, title: Physiotherapist}
conditions: [acute-disc-herniation, M51.2]
exercises:
  - id: knees-to-chest
    sets: 3
    hold: 1 min 30 s
    frequency: 3/week
  - id: cat-cow
    reps: 12
  - program: low-back-basics
overrides:
  - exercise: knees-to-chest
    condition: disc prolapse
    reason: Cleared by Dr Martin on 2026-11-20
notes: Walk every day.
follow_up: 2026-12-10
"""


@pytest.fixture
def conditions_rx(tmp_path: Path) -> Path:
    path = tmp_path / "conditions.yaml"
    path.write_text(CONDITIONS_RX, encoding="utf-8")
    return path


def _bundle(path: Path, library: Library, **options: Any) -> dict[str, Any]:
    rx = load_prescription(path, library)
    return fhir_bundle(rx, library, brand=EXAMPLES / "brand.yaml", today=FIXED_DATE, **options)


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.mark.parametrize("name", ["low-back.yaml", "bas-du-dos.yaml"])
def test_example_bundles_validate_with_the_r4_models(library: Library, name: str) -> None:
    bundle = _bundle(EXAMPLES / name, library)
    check_bundle(bundle)
    assert bundle["type"] == "collection"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("ServiceRequest") == 4
    assert {"Patient", "Practitioner", "Organization", "CarePlan", "DocumentReference", "Provenance"} <= set(
        kinds
    )


def test_conditions_cautions_and_overrides_are_coded_and_audited(
    library: Library, conditions_rx: Path
) -> None:
    bundle = _bundle(conditions_rx, library)
    check_bundle(bundle)
    (condition,) = _resources(bundle, "Condition")  # M51.2 is the same condition, once
    systems = {c["system"]: c["code"] for c in condition["code"]["coding"]}
    assert systems == {
        codes.ICD10: "M51.2",
        codes.SNOMED: "202708005",
        codes.CONDITION_SYSTEM: "acute-disc-herniation",
    }
    issues = _resources(bundle, "DetectedIssue")
    high = [i for i in issues if i["severity"] == "high"]
    assert len(high) == 1
    assert high[0]["mitigation"][0]["action"]["text"] == "Cleared by Dr Martin on 2026-11-20"
    assert high[0]["mitigation"][0]["author"]["reference"].startswith("urn:uuid:")
    assert any(i["severity"] == "moderate" and "cat-cow" in i["detail"] for i in issues)
    (plan,) = _resources(bundle, "CarePlan")
    assert plan["intent"] == "plan" and plan["category"][0]["coding"][0]["code"] == "229065009"
    request = _resources(bundle, "ServiceRequest")[0]
    assert request["performer"][0] == {"reference": bundle["entry"][0]["fullUrl"]}  # the patient
    assert request["occurrenceTiming"]["repeat"] == {"frequency": 3, "period": 1, "periodUnit": "wk"}
    dose = {p["url"]: p for p in request["extension"][0]["extension"]}
    assert dose["sets"]["valueInteger"] == 3
    assert dose["hold"]["valueDuration"]["value"] == 90
    assert {"system": codes.EXERCISE_SYSTEM, "code": "knees-to-chest"}.items() <= request["code"]["coding"][
        -1
    ].items()
    assert "Sets: 3\u00a0sets" in request["patientInstruction"]  # Babel keeps number and unit together


def test_same_inputs_give_the_same_bundle_bytes(run_cli, tmp_path: Path, conditions_rx: Path) -> None:
    outputs = []
    for run in ("a", "b"):
        result = run_cli(
            "generate", conditions_rx, "-o", tmp_path / f"{run}.pdf", "--fhir", tmp_path / f"{run}.json"
        )
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / f"{run}.json").read_bytes())
    first = json.loads(outputs[0])
    # Only the file name differs between the two runs.
    assert outputs[0].replace(b"a.pdf", b"b.pdf") == outputs[1]
    check_bundle(first)


def test_document_reference_describes_the_pdf_and_can_embed_it(library: Library, tmp_path: Path) -> None:
    rx = load_prescription(EXAMPLES / "low-back.yaml", library)
    handout = build_handout(rx, library, today=FIXED_DATE)
    pdf = render_handout(handout)
    bundle = fhir_bundle(rx, library, handout=handout, pdf=pdf, embed_pdf=True, pdf_title="jeanne.pdf")
    check_bundle(bundle)
    attachment = _resources(bundle, "DocumentReference")[0]["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf"
    assert attachment["language"] == "en"
    assert attachment["size"] == len(pdf)
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(pdf).digest()
    assert base64.b64decode(attachment["data"]) == pdf
    assert attachment["title"] == "jeanne.pdf"
    plain = fhir_bundle(rx, library, handout=handout, pdf=pdf)
    assert "data" not in _resources(plain, "DocumentReference")[0]["content"][0]["attachment"]


def test_transaction_bundle_posts_every_entry(library: Library) -> None:
    bundle = _bundle(EXAMPLES / "low-back.yaml", library, transaction=True)
    check_bundle(bundle)
    assert bundle["type"] == "transaction"
    for entry in bundle["entry"]:
        assert entry["request"] == {"method": "POST", "url": entry["resource"]["resourceType"]}


@pytest.mark.parametrize("name", ["low-back.yaml", "bas-du-dos.yaml", "conditions"])
def test_round_trip_through_a_bundle_gives_the_same_pdf(
    run_cli, tmp_path: Path, conditions_rx: Path, name: str
) -> None:
    source = conditions_rx if name == "conditions" else EXAMPLES / name
    first = run_cli(
        "generate",
        source,
        "-o",
        tmp_path / "yaml.pdf",
        "--fhir",
        tmp_path / "rx.json",
        "--date",
        "2026-11-26",
    )
    assert first.exit_code == 0, first.output
    second = run_cli("generate", tmp_path / "rx.json", "-o", tmp_path / "fhir.pdf", "--date", "2026-11-26")
    assert second.exit_code == 0, second.output
    assert (tmp_path / "yaml.pdf").read_bytes() == (tmp_path / "fhir.pdf").read_bytes()
    assert first.stderr.count("override:") == second.stderr.count("override:")


def test_fhir_output_is_never_overwritten_without_force(run_cli, tmp_path: Path) -> None:
    existing = tmp_path / "rx.json"
    existing.write_text("keep", encoding="utf-8")
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", tmp_path / "a.pdf", "--fhir", existing)
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert existing.read_text(encoding="utf-8") == "keep"
    assert not (tmp_path / "a.pdf").exists()
    forced = run_cli(
        "generate", EXAMPLES / "low-back.yaml", "-o", tmp_path / "a.pdf", "--fhir", existing, "--force"
    )
    assert forced.exit_code == 0, forced.output
    check_bundle(json.loads(existing.read_text(encoding="utf-8")))


def test_fhir_variants_need_fhir_output(run_cli, tmp_path: Path) -> None:
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", tmp_path / "a.pdf", "--fhir-transaction")
    assert result.exit_code == 2
    assert "--fhir" in result.stderr


def _written(library: Library) -> dict[str, Any]:
    return _bundle(EXAMPLES / "low-back.yaml", library)


def _index_of(bundle: dict[str, Any], kind: str) -> int:
    return next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == kind)


def test_unknown_exercise_code_is_located_with_a_suggestion(library: Library) -> None:
    bundle = _written(library)
    index = _index_of(bundle, "ServiceRequest")
    bundle["entry"][index]["resource"]["code"]["coding"][-1]["code"] = "knees-to-chst"
    with pytest.raises(ValidationError) as caught:
        read_bundle(bundle, library, source="rx.json")
    assert f'rx.json: entry[{index}].resource.code: unknown exercise "knees-to-chst"' in str(caught.value)
    assert 'did you mean "knees-to-chest"' in str(caught.value)


def test_unsupported_resources_and_dangling_references_are_errors(library: Library) -> None:
    bundle = _written(library)
    bundle["entry"].append({"fullUrl": "urn:uuid:x", "resource": {"resourceType": "Observation"}})
    plan = _index_of(bundle, "CarePlan")
    bundle["entry"][plan]["resource"]["activity"][1]["reference"]["reference"] = "urn:uuid:missing"
    with pytest.raises(ValidationError) as caught:
        read_bundle(bundle, library, source="rx.json")
    message = str(caught.value)
    last = len(bundle["entry"]) - 1
    assert f"rx.json: entry[{last}].resource.resourceType: Observation is not supported" in message
    assert f"entry[{plan}].resource.activity[1].reference: " in message
    assert "urn:uuid:missing" in message


def test_bad_dosage_in_a_bundle_is_located(library: Library) -> None:
    bundle = _written(library)
    index = _index_of(bundle, "ServiceRequest")
    parts = bundle["entry"][index]["resource"]["extension"][0]["extension"]
    parts[0]["valueInteger"] = 99
    with pytest.raises(ValidationError) as caught:
        read_bundle(bundle, library, source="rx.json")
    assert (
        f"entry[{index}].resource.extension[rxstretch-dose].sets: must be a valueInteger from 1 to 20"
        in str(caught.value)
    )


def test_a_bundle_that_is_not_json_is_a_located_error(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "rx.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(ValidationError, match="malformed JSON"):
        load_bundle_file(path, library)


# A candidate concept, used only to test the mechanism (the bundled library carries no codes).
CODED_EXERCISE_PATCH = ("id: knees-to-chest\n", 'id: knees-to-chest\ncodes: ["229070002"]\n')


def test_library_codes_are_exported_and_read_back(library: Library, scratch_library, tmp_path: Path) -> None:
    from rxstretch.api import load_library

    from .conftest import bundled_exercise_text

    folder = scratch_library(
        {"knees-to-chest.yaml": bundled_exercise_text("knees-to-chest").replace(*CODED_EXERCISE_PATCH)}
    )
    coded = load_library([folder], use_env=False)
    assert coded.exercises["knees-to-chest"].codes == ("229070002",)
    bundle = _bundle(EXAMPLES / "low-back.yaml", coded)
    check_bundle(bundle)
    request = _resources(bundle, "ServiceRequest")[0]
    assert request["code"]["coding"][0] == {"system": codes.SNOMED, "code": "229070002"}
    # A records system that sends only the SNOMED CT code gets the same exercise.
    request["code"]["coding"] = request["code"]["coding"][:1]
    rx = read_bundle(bundle, coded)
    assert rx.exercises[0].exercise_id == "knees-to-chest"
    del library


def test_bad_library_code_is_a_located_error(scratch_library) -> None:
    from rxstretch.api import load_library

    from .conftest import bundled_exercise_text

    text = bundled_exercise_text("knees-to-chest").replace(
        "id: knees-to-chest\n", 'id: knees-to-chest\ncodes: ["12x"]\n'
    )
    folder = scratch_library({"knees-to-chest.yaml": text})
    with pytest.raises(ValidationError, match=r'codes\[0\]: "12x" is not a SNOMED CT concept id'):
        load_library([folder], use_env=False)


def test_batch_writes_a_bundle_per_record_and_reads_them_back(run_cli, tmp_path: Path) -> None:
    records = EXAMPLES / "records" / "patients.jsonl"
    out = tmp_path / "out"
    result = run_cli("batch", records, "-o", out, "--fhir", "--date", "2026-11-26", "--jobs", "1")
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 3
    manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()
    assert manifest[0].endswith(",fhir")
    for pdf in pdfs:
        bundle = json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
        check_bundle(bundle)
        assert any(line.endswith(f",{pdf.with_suffix('.json').name}") for line in manifest)
    # A folder of those Bundles, and the same Bundles as NDJSON, make the same handouts.
    folder = tmp_path / "bundles"
    folder.mkdir()
    lines = []
    for bundle_file in sorted(out.glob("*.json")):
        (folder / bundle_file.name).write_bytes(bundle_file.read_bytes())
        lines.append(json.dumps(json.loads(bundle_file.read_bytes())))
    ndjson = tmp_path / "bundles.ndjson"
    ndjson.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for source, target in ((folder, tmp_path / "again"), (ndjson, tmp_path / "lines")):
        again = run_cli("batch", source, "-o", target, "--date", "2026-11-26", "--jobs", "1")
        assert again.exit_code == 0, again.output
        for pdf in pdfs:
            assert (target / pdf.name).read_bytes() == pdf.read_bytes()


def test_a_broken_bundle_in_a_batch_fails_that_record_only(run_cli, tmp_path: Path, library: Library) -> None:
    bundle = _written(library)
    bundle["entry"].append({"resource": {"resourceType": "MedicationRequest"}})
    ndjson = tmp_path / "bundles.ndjson"
    good = json.dumps(_written(library))
    ndjson.write_text(f"{good}\n{json.dumps(bundle)}\n", encoding="utf-8")
    result = run_cli("batch", ndjson, "-o", tmp_path / "out", "--date", "2026-11-26", "--jobs", "1")
    assert result.exit_code == 1
    errors = (tmp_path / "out" / "errors.csv").read_text(encoding="utf-8-sig")
    assert "MedicationRequest is not supported" in errors
    assert "resourceType" in errors
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 1


def _without_hashes(text: str) -> str:
    """The Bundle's JSON with what depends on the PDF's bytes (ids, hashes, size) blanked."""
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text)
    text = re.sub(r'"(value|hash)": "[0-9A-Za-z+/=]{28,64}"', r'"\1": "<hash>"', text)
    return re.sub(r'"size": \d+', '"size": 0', text)


def test_the_documented_example_bundle_is_what_rxstretch_writes(run_cli, tmp_path: Path) -> None:
    documented = EXAMPLES.parent / "docs" / "fhir-example.json"
    output = tmp_path / "fhir-example.json"
    result = run_cli(
        "generate",
        EXAMPLES / "disc-herniation.yaml",
        "--brand",
        EXAMPLES / "brand.yaml",
        "-o",
        tmp_path / "handout.pdf",
        "--fhir",
        output,
    )
    assert result.exit_code == 0, result.output
    written = output.read_text(encoding="utf-8").replace('"title": "handout.pdf"', "")
    expected = documented.read_text(encoding="utf-8").replace('"title": "handout.pdf"', "")
    assert _without_hashes(written) == _without_hashes(expected), (
        "regenerate docs/fhir-example.json with the command in docs/fhir.md"
    )
    check_bundle(json.loads(documented.read_text(encoding="utf-8")))


def test_a_bundle_with_a_key_written_twice_is_refused(library: Library, tmp_path: Path) -> None:
    text = json.dumps(_written(library)).replace('"type": "collection"', '"type": "collection", "type": "x"')
    path = tmp_path / "rx.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match='"type" written twice'):
        load_bundle_file(path, library)


def test_cli_transaction_with_the_pdf_embedded_from_the_quick_form(run_cli, tmp_path: Path) -> None:
    pdf, bundle_file = tmp_path / "quick.pdf", tmp_path / "quick.json"
    result = run_cli(
        "generate",
        "-e",
        "cat-cow",
        "--patient",
        "Jeanne Dupont",
        "--condition",
        "M51.2",
        "--date",
        "2026-11-26",
        "-o",
        pdf,
        "--fhir",
        bundle_file,
        "--fhir-transaction",
        "--fhir-embed-pdf",
    )
    assert result.exit_code == 0, result.output
    bundle = json.loads(bundle_file.read_text(encoding="utf-8"))
    check_bundle(bundle)
    assert bundle["type"] == "transaction"
    attachment = _resources(bundle, "DocumentReference")[0]["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]) == pdf.read_bytes()
    assert attachment["title"] == "quick.pdf"
    assert _resources(bundle, "DetectedIssue")[0]["severity"] == "moderate"  # cat-cow: caution


def test_validate_reads_a_bundle_like_a_prescription(run_cli, tmp_path: Path, library: Library) -> None:
    documented = EXAMPLES.parent / "docs" / "fhir-example.json"
    result = run_cli("validate", documented)
    assert result.exit_code == 0, result.output
    assert "override: knees-to-chest despite acute-disc-herniation" in result.stdout + result.stderr
    broken = _written(library)
    broken["entry"].append({"resource": {"resourceType": "Goal"}})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    failed = run_cli("validate", path)
    assert failed.exit_code == 1
    assert "resourceType: Goal is not supported" in failed.stderr


def test_batch_resume_makes_a_removed_bundle_again(run_cli, tmp_path: Path) -> None:
    records = EXAMPLES / "records" / "patients.jsonl"
    out = tmp_path / "out"
    args = ("batch", records, "-o", out, "--fhir", "--date", "2026-11-26", "--jobs", "1")
    assert run_cli(*args).exit_code == 0
    bundles = sorted(out.glob("*.json"))
    kept = {path: path.read_bytes() for path in bundles}
    bundles[0].unlink()
    result = run_cli(*args, "--resume")
    assert result.exit_code == 0, result.output
    assert "3 unchanged" in result.stderr  # the PDFs; the missing Bundle is written again
    assert {path: path.read_bytes() for path in sorted(out.glob("*.json"))} == kept
