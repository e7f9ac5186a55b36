"""Safety engine: conditions matched from free text, avoid/caution levels, overrides, dosage checks."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rxstretch.api import build_handout, render_handout
from rxstretch.errors import ContraindicationError, ValidationError
from rxstretch.loaders.matching import describe_unmatched, match_condition
from rxstretch.model import Frequency, Library, Override, Patient, PrescribedExercise, Prescription
from rxstretch.prescription import quick_prescription, with_overrides
from rxstretch.safety import review

from .conftest import FIXED_DATE, normalize, pdf_text


def _rx(*items: PrescribedExercise, conditions: tuple[str, ...] = (), **extra: object) -> Prescription:
    return Prescription(patient=Patient("Ana"), exercises=items, conditions=conditions, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "acute-disc-herniation",
        "Acute disc herniation",
        "disc prolapse",
        "Slipped disc",
        "hernie discale",
        "HERNIE DISCALE AIGUË",
        "hernie  discale aigue",
        "M51.2",
        "m512",
        "202708005",
        "Bandscheibenvorfall",
    ],
)
def test_condition_matched_by_id_name_synonym_and_code(library: Library, text: str) -> None:
    assert match_condition(library, text) == ("acute-disc-herniation",)


def test_ambiguous_and_unknown_conditions_are_explained(library: Library) -> None:
    assert set(match_condition(library, "Z96.6")) == {"recent-hip-replacement", "recent-knee-replacement"}
    assert "write the condition id" in (describe_unmatched(library, "Z96.6") or "")
    assert 'did you mean "acute-disc-herniation"' in (describe_unmatched(library, "hernie discal") or "")
    assert describe_unmatched(library, "gonarthrose") is None


def test_conditions_vocabulary_is_complete(library: Library) -> None:
    assert len(library.conditions) >= 25
    for condition in library.conditions.values():
        assert {"en", "fr"} <= set(condition.names), condition.id
    assert library.conditions["cauda-equina-syndrome"].red_flag
    coded = [c for c in library.conditions.values() if c.icd10 and c.snomed]
    assert len(coded) >= 20


def test_avoid_refuses_with_location_and_how_to_override(library: Library) -> None:
    item = PrescribedExercise("knees-to-chest", line=7)
    with pytest.raises(ContraindicationError) as caught:
        build_handout(_rx(item, conditions=("acute-disc-herniation",), source="rx.yaml"), library)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("rx.yaml", 7, "exercises[0]")
    assert "must be avoided with acute-disc-herniation" in problem.message
    assert (
        "overrides:" in problem.message and "--allow knees-to-chest:acute-disc-herniation" in problem.message
    )


def test_override_with_reason_allows_and_is_audited_not_printed(library: Library) -> None:
    override = Override("knees-to-chest", "acute-disc-herniation", "Cleared by Dr Martin on 2026-11-20")
    rx = _rx(
        PrescribedExercise("knees-to-chest"), conditions=("acute-disc-herniation",), overrides=(override,)
    )
    handout = build_handout(rx, library, today=FIXED_DATE)
    assert handout.overrides == (override,)
    assert "Cleared by Dr Martin" not in pdf_text(render_handout(handout))


def test_cli_allow_option_builds_an_override(library: Library) -> None:
    rx = quick_prescription(
        library, exercise_ids=["knees-to-chest"], patient="A", conditions=["hernie discale"]
    )
    allowed = with_overrides(rx, library, ["knees-to-chest:disc prolapse"], "Imaging shows no herniation")
    assert allowed.overrides == (
        Override("knees-to-chest", "acute-disc-herniation", "Imaging shows no herniation"),
    )
    with pytest.raises(ValidationError) as caught:
        with_overrides(rx, library, ["knees-to-chets:hernie discale", "cat-cow"], "x")
    messages = [p.message for p in caught.value.problems]
    assert any('did you mean "knees-to-chest"' in m for m in messages)
    assert any("write EXERCISE:CONDITION" in m for m in messages)


def test_red_flag_refuses_every_exercise(library: Library) -> None:
    rx = _rx(
        PrescribedExercise("pelvic-tilt"),
        PrescribedExercise("chin-tuck"),
        conditions=("cauda-equina-syndrome",),
    )
    report = review(rx, library)
    assert len(report.refusals) == 2
    assert all("urgent medical assessment" in r.reason for r in report.refusals)


def test_caution_box_is_printed_in_the_patient_language(library: Library) -> None:
    rx = _rx(PrescribedExercise("cat-cow"), conditions=("acute-disc-herniation",), language="fr")
    text = normalize(pdf_text(render_handout(rx, library=library, today=FIXED_DATE)))
    explanation = library.exercises["cat-cow"].text["fr"].contraindications["acute-disc-herniation"]
    assert "Prudence" in text
    assert f"Hernie discale aiguë. {normalize(explanation)}" in text
    english = normalize(
        pdf_text(render_handout(dataclasses.replace(rx, language="en"), library=library, today=FIXED_DATE))
    )
    assert "Caution Acute disc herniation." in english


def test_general_safety_section_on_every_handout_with_the_clinic_phone(
    library: Library, tmp_path: Path
) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text("name: Physio Nord\nphone: 01 23 45 67 89\n", encoding="utf-8")
    rx = _rx(PrescribedExercise("pelvic-tilt"), language="fr")
    text = normalize(pdf_text(render_handout(rx, library=library, brand=brand, today=FIXED_DATE)))
    assert "Quand arrêter et demander de l'aide" in text
    assert "vessie ou vos intestins" in text
    assert "Téléphone du cabinet : 01 23 45 67 89" in text


def test_dosage_outside_the_usual_range_warns(library: Library) -> None:
    rx = _rx(
        PrescribedExercise("knees-to-chest", sets=6, hold=90),
        PrescribedExercise("cat-cow", hold=20),
        PrescribedExercise("pelvic-tilt", frequency=Frequency(5, "day")),
    )
    warnings = review(rx, library).warnings
    assert "knees-to-chest: 6 sets is outside the usual 3-4" in warnings
    assert "knees-to-chest: hold 90 s is outside the usual 30-45 s" in warnings
    assert "cat-cow: a hold of 20 s is prescribed but the exercise has none" in warnings
    assert any(w.startswith("pelvic-tilt: 5 times a day is outside the usual") for w in warnings)
    assert review(_rx(PrescribedExercise("knees-to-chest", sets=3, hold=30)), library).warnings == ()


def test_overrides_that_change_nothing_and_repeated_exercises_warn(library: Library) -> None:
    rx = _rx(
        PrescribedExercise("cat-cow"),
        PrescribedExercise("cat-cow"),
        PrescribedExercise("knees-to-chest", reps=8),
        overrides=(Override("cat-cow", "knee-replacement", "seen by Dr B"),),
    )
    warnings = review(rx, library).warnings
    assert "cat-cow is prescribed more than once: it has a card each time" in warnings
    assert any(w.startswith("override cat-cow/knee-replacement is not needed") for w in warnings)
    assert "knees-to-chest: 8 repetitions are prescribed but the exercise has none" in warnings


def test_an_override_given_twice_is_not_called_unneeded(library: Library) -> None:
    rx = _rx(
        PrescribedExercise("knees-to-chest"),
        conditions=("acute-disc-herniation",),
        overrides=(
            Override("knees-to-chest", "acute-disc-herniation", "seen by Dr B"),
            Override("knees-to-chest", "acute-disc-herniation", "and by Dr C"),
        ),
    )
    assert not [w for w in review(rx, library).warnings if "not needed" in w]


def test_long_handout_warns_and_the_limit_is_configurable(library: Library) -> None:
    items = tuple(PrescribedExercise(exercise_id) for exercise_id in list(library.exercises)[:9])
    assert any("9 exercises" in w for w in review(_rx(*items), library).warnings)
    assert not any("exercises:" in w for w in review(_rx(*items), library, max_exercises=10).warnings)


@pytest.mark.parametrize(
    ("line", "field", "phrase"),
    [
        ("    sets: 0", "exercises[0].sets", "at least 1"),
        ("    sets: 21", "exercises[0].sets", "at most 20"),
        ("    sets: -2", "exercises[0].sets", "at least 1"),
        ("    hold: 11 min", "exercises[0].hold", "10 minutes"),
        ("    side: up", "exercises[0].side", 'unknown side "up"'),
    ],
)
def test_impossible_values_are_errors_with_location(
    run_cli, tmp_path: Path, line: str, field: str, phrase: str
) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text(f"patient: {{name: A}}\nexercises:\n  - id: pelvic-tilt\n{line}\n", encoding="utf-8")
    result = run_cli("generate", rx, "-o", tmp_path / "out.pdf")
    assert result.exit_code == 1
    assert f"{rx}:4: {field}: " in result.stderr and phrase in result.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_cli_refusal_writes_nothing_and_allow_needs_a_reason(run_cli, tmp_path: Path) -> None:
    output = tmp_path / "out.pdf"
    base = [
        "generate",
        "-e",
        "knees-to-chest",
        "--patient",
        "A",
        "--condition",
        "hernie discale",
        "-o",
        output,
    ]
    refused = run_cli(*base)
    assert refused.exit_code == 1 and "must be avoided" in refused.stderr
    assert not output.exists()
    assert run_cli(*base, "--allow", "knees-to-chest:acute-disc-herniation").exit_code == 2
    allowed = run_cli(*base, "--allow", "knees-to-chest:acute-disc-herniation", "--reason", "MRI clear")
    assert allowed.exit_code == 0, allowed.output
    assert "override: knees-to-chest despite acute-disc-herniation: MRI clear" in allowed.stderr


def test_validate_reports_safety_findings_without_rendering(run_cli, tmp_path: Path) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text(
        "patient: {name: A}\nconditions: [hernie discale]\nexercises:\n  - id: cat-cow\n    sets: 9\n",
        encoding="utf-8",
    )
    result = run_cli("validate", rx)
    assert result.exit_code == 0, result.output
    assert "caution: cat-cow with acute-disc-herniation" in result.stdout
    assert "warning: cat-cow: 9 sets is outside the usual" in result.stdout
    rx.write_text(rx.read_text(encoding="utf-8").replace("cat-cow", "knees-to-chest"), encoding="utf-8")
    refused = run_cli("validate", rx)
    assert refused.exit_code == 1
    assert f"{rx}:4: exercises[0]: " in refused.stderr
    assert list(tmp_path.iterdir()) == [rx]


def test_show_lists_contraindications(run_cli) -> None:
    text = run_cli("show", "childs-pose").stdout
    assert "Contraindications:" in text and "AVOID: Recent hip replacement" in text
