"""The condition model: codes matched like a coder, qualifiers and recency, inheritance, red flags,
rule reasons, and the library checks that keep them consistent."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rxstretch.api import build_handout, render_handout
from rxstretch.errors import ContraindicationError, ValidationError
from rxstretch.loaders.codes import icd10_key, match_code
from rxstretch.loaders.library import library_dirs, load_library_dirs
from rxstretch.loaders.matching import (
    ConditionTextError,
    describe_unmatched,
    format_condition,
    merge_details,
    parse_condition,
)
from rxstretch.model import Library, Override, Patient, PatientCondition, PrescribedExercise, Prescription
from rxstretch.prescription import quick_prescription
from rxstretch.records import iter_records
from rxstretch.records.mapping import ColumnMapping
from rxstretch.safety import review

from .conftest import FIXED_DATE, bundled_exercise_text, normalize, pdf_text


def _rx(*ids: str, conditions: list[str], **extra: object) -> Prescription:
    return Prescription(
        patient=Patient("Ana"),
        exercises=tuple(PrescribedExercise(i) for i in ids),
        conditions=tuple(conditions),
        date=FIXED_DATE,
        **extra,  # type: ignore[arg-type]
    )


# --- codes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("M54.16", "lumbar-radiculopathy"),
        ("M54.17", "lumbar-radiculopathy"),
        ("M54.12", "cervical-radiculopathy"),
        ("M50.1", "cervical-radiculopathy"),
        ("M51.1", "acute-disc-herniation"),
        ("M51.26", "acute-disc-herniation"),
        ("M17.1", "knee-osteoarthritis"),
        ("M171", "knee-osteoarthritis"),
        ("m17.1", "knee-osteoarthritis"),
        (" M17.9 ", "knee-osteoarthritis"),
        ("M81.0", "osteoporosis"),
        ("M80.08", "osteoporotic-vertebral-fracture"),
        ("M05.79", "rheumatoid-arthritis"),
        ("M24.41", "shoulder-instability"),
        ("S43.004A", "shoulder-instability"),
        ("S46.011A", "rotator-cuff-tear"),
        ("M54.4", "sciatica"),
        ("I82.401", "deep-vein-thrombosis"),
        ("Z33.1", "pregnancy"),
        ("Z34.90", "pregnancy"),
        ("Z96.641", "recent-hip-replacement"),
        ("Z96.652", "recent-knee-replacement"),
        ("Z98.1", "recent-spinal-surgery"),
        ("M25.561", "knee-pain"),
        ("30989003", "knee-pain"),
        ("1003722009", "knee-pain"),
    ],
)
def test_a_subcode_finds_the_condition_of_its_most_specific_listed_code(
    library: Library, code: str, expected: str
) -> None:
    assert parse_condition(library, code).condition == expected


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ("M54.1", ("cervical-radiculopathy", "lumbar-radiculopathy")),
        ("Z96.6", ("recent-hip-replacement", "recent-knee-replacement")),
        ("Z47.1", ("recent-hip-replacement", "recent-knee-replacement")),
        ("M48.0", ("lumbar-spinal-stenosis", "cervical-spinal-stenosis")),
    ],
)
def test_a_code_broader_than_two_conditions_asks_which_naming_them(
    library: Library, code: str, named: tuple[str, ...]
) -> None:
    message = describe_unmatched(library, code) or ""
    assert "could mean" in message and all(name in message for name in named)
    assert set(match_code(library.conditions, code).found) == set(named)


def test_a_code_broader_than_one_condition_is_not_taken_for_it(library: Library) -> None:
    message = describe_unmatched(library, "M24") or ""
    assert message.startswith('"M24" is broader than the codes of shoulder-instability')


@pytest.mark.parametrize("code", ["M51.9", "M54.9", "M81", "M99.9", "73589001", "M51.16", "Z99.9"])
def test_did_you_mean_never_offers_another_region_for_a_code(library: Library, code: str) -> None:
    message = describe_unmatched(library, code)
    if message is None:
        return  # the code names a condition: nothing to suggest
    assert "did you mean" not in message
    category = icd10_key(code)[:3]
    for condition in library.conditions.values():
        if f" {condition.id} (" in message:
            assert any(icd10_key(c).startswith(category) for c in condition.icd10), (condition.id, message)


def test_an_unknown_code_says_so_and_how_to_write_an_id(library: Library) -> None:
    assert describe_unmatched(library, "M99.9") == (
        'no condition of the library has the ICD-10 code "M99.9"; write the condition\'s id '
        "(lowercase words joined by hyphens) or its name instead"
    )
    near = describe_unmatched(library, "M51.9") or ""
    assert "conditions coded in M51: acute-disc-herniation (M51.1, M51.2" in near


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_listed_code_is_found_whatever_its_case_and_dot(library: Library, data: st.DataObject) -> None:
    condition = data.draw(st.sampled_from([c for c in library.conditions.values() if c.icd10]))
    code = data.draw(st.sampled_from(condition.icd10))
    written = code.replace(".", "") if data.draw(st.booleans()) else code
    written = written.lower() if data.draw(st.booleans()) else written
    found = match_code(library.conditions, written).found
    assert condition.id in found


def test_conditions_take_one_code_or_a_list_and_check_each(tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "conditions.yaml").write_text(
        "tennis-leg:\n  names: {en: Tennis leg}\n  icd10: [S86.1, M62]\n  snomed: '123456789'\n"
        "bad-codes:\n  names: {en: Bad}\n  icd10: [M17, 'M17-1']\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        load_library_dirs(library_dirs([folder], use_env=False))
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (7, "bad-codes.icd10")
    assert '"M17-1" is not an ICD-10 code' in problem.message


# --- inheritance -----------------------------------------------------------------------------


def test_bppv_brings_the_vertigo_cautions_with_their_text(library: Library) -> None:
    rx = _rx("single-leg-stance", conditions=["bppv"], language="fr")
    report = review(rx, library)
    assert report.cautions == {"single-leg-stance": ("vertigo",)}
    text = normalize(pdf_text(render_handout(rx, library=library, today=FIXED_DATE)))
    explanation = library.exercises["single-leg-stance"].text["fr"].contraindications["vertigo"]
    assert normalize(explanation) in text


def _clinic(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "clinic"
    folder.mkdir(exist_ok=True)
    (folder / "conditions.yaml").write_text(text, encoding="utf-8")
    return folder


def test_the_strictest_rule_over_a_condition_and_what_it_implies_wins(tmp_path: Path) -> None:
    folder = _clinic(
        tmp_path, "steroid-osteopenia:\n  names: {en: Steroid osteopenia}\n  implies: [osteoporosis]\n"
    )
    clinic = load_library_dirs(library_dirs([folder], use_env=False))
    (refusal,) = review(_rx("seated-forward-bend", conditions=["steroid-osteopenia"]), clinic).refusals
    assert refusal.condition == "steroid-osteopenia"
    assert "must be avoided with osteoporosis" in refusal.reason
    assert "implied by steroid-osteopenia" in refusal.reason
    override = Override("seated-forward-bend", "steroid-osteopenia", "bone scan reviewed")
    rx = _rx("seated-forward-bend", conditions=["steroid-osteopenia"], overrides=(override,))
    report = review(rx, clinic)
    assert not report.refusals and report.overrides == (override,)


def test_an_implies_cycle_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    folder = _clinic(
        tmp_path,
        "a-thing:\n  names: {en: A}\n  implies: [b-thing]\n"
        "b-thing:\n  names: {en: B}\n  implies: [a-thing, vertigo]\n",
    )
    with pytest.raises(ValidationError) as caught:
        load_library_dirs(library_dirs([folder], use_env=False))
    (problem,) = caught.value.problems
    assert problem.file == str(folder / "conditions.yaml") and problem.line == 1
    assert problem.message == "implies itself through a-thing → b-thing → a-thing; remove one of these"


def test_implies_names_a_known_condition(tmp_path: Path) -> None:
    folder = _clinic(tmp_path, "a-thing:\n  names: {en: A}\n  implies: [vertgo]\n")
    with pytest.raises(ValidationError) as caught:
        load_library_dirs(library_dirs([folder], use_env=False))
    assert 'unknown condition "vertgo" (did you mean "vertigo"?)' in caught.value.problems[0].message


def test_a_clinic_condition_implying_a_bundled_one_brings_its_rules(tmp_path: Path) -> None:
    folder = _clinic(tmp_path, "menieres:\n  names: {en: Ménière's disease}\n  implies: [vertigo]\n")
    clinic = load_library_dirs(library_dirs([folder], use_env=False))
    assert review(_rx("tandem-stance", conditions=["menieres"]), clinic).cautions == {
        "tandem-stance": ("vertigo",)
    }


# --- qualifiers and recency ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("posterior hip replacement", "recent-hip-replacement:approach=posterior"),
        ("THR, posterior approach", "recent-hip-replacement:approach=posterior"),
        ("hip replacement (anterior approach)", "recent-hip-replacement:approach=anterior"),
        ("recent-hip-replacement:posterior", "recent-hip-replacement:approach=posterior"),
        ("THR:approach=posterior:6w", "recent-hip-replacement:approach=posterior:weeks=6"),
        (
            "Hüft-TEP:hinterer Zugang:since=2026-11-02",
            "recent-hip-replacement:approach=posterior:since=2026-11-02",
        ),
        ("PTH voie antérieure", "recent-hip-replacement:approach=anterior"),
        ("protesi d'anca accesso posteriore", "recent-hip-replacement:approach=posterior"),
        (
            "эндопротезирование тазобедренного сустава задним доступом",
            "recent-hip-replacement:approach=posterior",
        ),
        ("history of hip replacement", "recent-hip-replacement:past"),
        ("ancienne prothèse de hanche", "recent-hip-replacement:past"),
        ("TKR:weeks=30", "recent-knee-replacement:weeks=30"),
        ("hemiarthroplasty", "recent-hip-replacement"),
        ("hip fracture surgery", "recent-hip-replacement"),
    ],
)
def test_qualified_conditions_are_read_in_every_form(library: Library, text: str, expected: str) -> None:
    assert format_condition(parse_condition(library, text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("THR:lateral", 'recent-hip-replacement has no qualifier "lateral"; it takes approach=posterior'),
        ("sciatica:weeks=3", 'sciatica has no protected period, so "weeks=3" changes nothing'),
        ("THR:since=2026-02-30", '"since=2026-02-30" is not a date'),
        ("THR:posterior:anterior", "recent-hip-replacement: approach is given twice (posterior, anterior)"),
        ("THR:", 'an empty qualifier after "recent-hip-replacement:"'),
        (":posterior", "a condition is empty"),
        ("posterior sciatica", 'unknown condition "posterior sciatica"'),
    ],
)
def test_qualifier_mistakes_say_what_works(library: Library, text: str, message: str) -> None:
    with pytest.raises(ConditionTextError) as caught:
        parse_condition(library, text)
    assert message in str(caught.value)


def _qualified(library: Library) -> st.SearchStrategy[PatientCondition]:
    def build(condition_id: str, data: st.DataObject) -> PatientCondition:
        condition = library.conditions[condition_id]
        values = {
            q: data.draw(st.sampled_from(sorted(vs)))
            for q, vs in condition.qualifiers.items()
            if data.draw(st.booleans())
        }
        recent = condition.recent_weeks is not None
        weeks = data.draw(st.none() | st.integers(0, 5200)) if recent else None
        since = data.draw(st.none() | st.dates()) if recent else None
        past = data.draw(st.booleans()) if recent else False
        return PatientCondition(condition_id, values, weeks, since, past)

    return st.builds(build, st.sampled_from(sorted(library.conditions)), st.data())


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_written_condition_reads_back_the_same(library: Library, data: st.DataObject) -> None:
    detail = data.draw(_qualified(library))
    assert parse_condition(library, format_condition(detail)) == detail


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60) | st.from_regex(r"[A-Za-z0-9 .:=\-]{0,30}", fullmatch=True))
def test_any_text_is_a_condition_or_a_clear_error(library: Library, text: str) -> None:
    try:
        detail = parse_condition(library, text)
    except ConditionTextError as exc:
        assert str(exc)
    else:
        assert detail.condition in library.conditions


@settings(max_examples=100, deadline=None)
@given(
    name=st.sampled_from(
        ["posterior hip replacement", "THR posterior approach", "hip replacement posterior"]
    ),
    case=st.sampled_from([str.upper, str.lower, str.title]),
    spaces=st.sampled_from([" ", "  ", " - ", ", "]),
)
def test_phrases_ignore_case_and_punctuation(library: Library, name: str, case: object, spaces: str) -> None:
    text = case(name.replace(" ", spaces))  # type: ignore[operator]
    assert parse_condition(library, text).values == {"approach": "posterior"}


def test_several_mentions_merge_to_the_strictest(library: Library) -> None:
    merged = merge_details(
        [
            PatientCondition("recent-hip-replacement", {"approach": "posterior"}, weeks=20),
            PatientCondition("recent-hip-replacement", {"approach": "anterior"}, weeks=3),
            PatientCondition("recent-hip-replacement", past=True),
        ]
    )
    assert merged == (PatientCondition("recent-hip-replacement", {}, 3, None, False),)


def test_unknown_approach_applies_the_rules_of_both(library: Library) -> None:
    report = review(
        _rx("hamstring-stretch-strap", "hip-flexor-stretch", conditions=["recent-hip-replacement"]), library
    )
    assert [r.exercise_id for r in report.refusals] == ["hamstring-stretch-strap"]
    assert report.cautions == {"hip-flexor-stretch": ("recent-hip-replacement",)}


def test_a_condition_past_its_protected_period_brings_no_rules_and_says_so(library: Library) -> None:
    rx = quick_prescription(
        library,
        exercise_ids=["knees-to-chest"],
        patient="A",
        conditions=["recent-hip-replacement:since=2026-06-01"],
        date=FIXED_DATE,
    )
    report = review(rx, library)
    assert not report.refusals and not report.cautions
    assert report.warnings == (
        "recent-hip-replacement: 25 weeks on, past its 12-week protected period; its rules are not applied",
    )
    recent = dataclasses.replace(
        rx, condition_details=(PatientCondition("recent-hip-replacement", since=FIXED_DATE),)
    )
    assert [r.exercise_id for r in review(recent, library).refusals] == ["knees-to-chest"]


def test_a_prescription_file_takes_qualified_conditions_as_text_or_mapping(
    library: Library, run_cli, tmp_path: Path
) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text(
        "patient: {name: A}\ndate: 2026-11-26\n"
        "conditions:\n  - {condition: THR, approach: posterior, since: 2026-11-02}\n  - BPPV\n"
        "exercises:\n  - id: dead-bug\n  - id: tandem-stance\n",
        encoding="utf-8",
    )
    result = run_cli("validate", rx)
    assert result.exit_code == 0, result.output
    assert "caution: dead-bug with recent-hip-replacement: Posterior approach: the 90-degree" in result.stdout
    assert "caution: tandem-stance with vertigo" in result.stdout
    rx.write_text(rx.read_text(encoding="utf-8").replace("dead-bug", "lumbar-rotation"), encoding="utf-8")
    refused = run_cli("validate", rx)
    assert refused.exit_code == 1
    assert f"{rx}:7: exercises[0]: " in refused.stderr
    assert "(Recent hip replacement, approach: posterior): Posterior approach" in refused.stderr
    rx.write_text(
        rx.read_text(encoding="utf-8").replace("approach: posterior", "aproach: posterior"), "utf-8"
    )
    broken = run_cli("validate", rx)
    assert broken.exit_code == 1 and f"{rx}:4: conditions[0]: " in broken.stderr
    assert 'no qualifier "aproach=posterior"' in broken.stderr


def test_records_rows_read_qualified_conditions(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "patient_name,exercises,conditions\n"
        'Ana,lumbar-rotation,"THR, posterior approach"\n'
        "Ben,lumbar-rotation,recent-hip-replacement:posterior:weeks=20\n"
        "Cy,pelvic-tilt,M54.1\n",
        encoding="utf-8",
    )
    ana, ben, cy = iter_records(path, library, ColumnMapping(list_separator=";"))
    assert ana.prescription is not None and ana.prescription.condition_details == (
        PatientCondition("recent-hip-replacement", {"approach": "posterior"}),
    )
    assert [r.exercise_id for r in review(ana.prescription, library).refusals] == ["lumbar-rotation"]
    assert ben.prescription is not None and not review(ben.prescription, library).refusals
    assert "could mean cervical-radiculopathy" in cy.problems[0].message


def test_json_records_take_a_condition_mapping(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    row = {
        "patient_name": "Ana",
        "exercises": ["dead-bug"],
        "conditions": [{"condition": "recent-hip-replacement", "approach": "posterior"}],
    }
    path.write_text(json.dumps([row]), encoding="utf-8")
    (record,) = iter_records(path, library, ColumnMapping())
    assert record.prescription is not None
    assert review(record.prescription, library).cautions == {"dead-bug": ("recent-hip-replacement",)}


# --- exercise rules: when, reason, texts -----------------------------------------------------


def test_a_rule_qualifier_must_exist_on_the_condition(library: Library, scratch_library, run_cli) -> None:
    text = bundled_exercise_text("dead-bug").replace(
        "when: {approach: posterior}", "when: {approach: lateral}"
    )
    folder = scratch_library({"dead-bug.yaml": text})
    result = run_cli("validate", folder)
    assert result.exit_code == 1
    assert '.when.approach: unknown value "lateral"' in result.stderr
    text = bundled_exercise_text("dead-bug").replace("when: {approach: posterior}", "when: {side: left}")
    result = run_cli("validate", scratch_library({"dead-bug.yaml": text}))
    assert "recent-hip-replacement has no qualifier side (it has: approach)" in result.stderr


def test_a_qualified_rule_needs_its_own_patient_text(scratch_library, run_cli) -> None:
    text = bundled_exercise_text("dead-bug")
    start = text.index('      "recent-hip-replacement:posterior": >-\n        After')
    end = text.index("  fr:\n")
    result = run_cli("validate", scratch_library({"dead-bug.yaml": text[:start] + text[end:]}))
    assert result.exit_code == 1
    assert (
        "explain, for the patient, why to take care with: recent-hip-replacement:posterior" in result.stderr
    )


def test_show_gives_the_qualifier_and_the_clinicians_reason(run_cli) -> None:
    text = run_cli("show", "lumbar-rotation").stdout
    assert "AVOID: Recent hip replacement (approach: posterior). After a hip replacement done from" in text
    assert "    Reason: Posterior approach (or hemiarthroplasty): knee rolls" in text


def test_every_bundled_rule_gives_the_clinician_a_reason(library: Library) -> None:
    unexplained = [
        (e.id, r.key) for e in library.exercises.values() for r in e.contraindications if not r.reason
    ]
    assert not unexplained


def test_a_refusal_gives_the_clinician_the_rules_reason(library: Library) -> None:
    (refusal,) = review(_rx("wall-squat", conditions=["uncontrolled-hypertension"]), library).refusals
    (rule,) = [r for r in library.exercises["wall-squat"].contraindications if r.level == "avoid"]
    assert rule.reason
    assert refusal.reason == (
        '"wall-squat" must be avoided with uncontrolled-hypertension (Uncontrolled high blood pressure): '
        + rule.reason.rstrip(".")
    )


# --- red flags -------------------------------------------------------------------------------


def test_suspected_dvt_refuses_every_exercise_and_an_override_prints_the_urgent_text(
    library: Library,
) -> None:
    ids = ("calf-raises", "ankle-pumps", "heel-to-toe-walk")
    with pytest.raises(ContraindicationError) as caught:
        build_handout(_rx(*ids, conditions=["suspected-dvt"]), library)
    assert [p.field for p in caught.value.problems] == ["exercises[0]", "exercises[1]", "exercises[2]"]
    assert all("is a red flag: refer the patient" in p.message for p in caught.value.problems)
    overrides = tuple(Override(i, "suspected-dvt", "Doppler negative today") for i in ids)
    rx = _rx(*ids, conditions=["suspected-dvt"], overrides=overrides)
    text = normalize(pdf_text(render_handout(rx, library=library, today=FIXED_DATE)))
    assert text.count("This is a warning sign that needs a doctor.") == 3
    assert "a painful, swollen or warm calf" in text and "chest pain or sudden breathlessness" in text
    assert "Doppler negative" not in text


def test_the_urgent_signs_are_on_every_handout_in_the_patients_language(library: Library) -> None:
    rx = _rx("pelvic-tilt", conditions=[], language="de")
    text = normalize(pdf_text(render_handout(rx, library=library, today=FIXED_DATE)))
    assert "einer schmerzhaften, geschwollenen oder warmen Wade" in text
    assert "Blase oder Darm" in text


def test_bundled_programs_pass_their_own_checks_without_a_warning(library: Library) -> None:
    for program in library.programs.values():
        rx = Prescription(patient=Patient("A"), exercises=program.exercises)
        assert review(rx, library).warnings == (), program.id


def test_a_fhir_caution_decided_by_an_implied_condition_cites_the_patients_own(library: Library) -> None:
    from rxstretch.api import fhir_bundle

    from .fhir_check import check_bundle

    bundle = fhir_bundle(_rx("tandem-stance", conditions=["bppv"]), library, today=FIXED_DATE)
    check_bundle(bundle)
    issues = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "DetectedIssue"]
    assert [i["detail"] for i in issues] == ["tandem-stance is to be done with caution with bppv"]
