"""Programs (presets of exercises) and finding exercises by name, position and equipment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rxstretch.api import load_prescription
from rxstretch.loaders.matching import parse_condition
from rxstretch.model import Library, Patient, Prescription
from rxstretch.safety import review

from .conftest import normalize, pdf_text


def test_prescription_program_line_expands_to_its_exercises(library: Library, tmp_path: Path) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text("patient: {name: A}\nexercises:\n  - program: low-back-basics\n  - {id: chin-tuck}\n")
    prescription = load_prescription(rx, library)
    expected = [item.exercise_id for item in library.programs["low-back-basics"].exercises]
    assert [item.exercise_id for item in prescription.exercises] == [*expected, "chin-tuck"]
    assert prescription.exercises[0].sets == library.programs["low-back-basics"].exercises[0].sets
    assert all(item.line == 3 for item in prescription.exercises[:-1])


def test_program_line_errors_are_located(run_cli, tmp_path: Path) -> None:
    rx = tmp_path / "rx.yaml"
    rx.write_text(
        "patient: {name: A}\nexercises:\n"
        "  - program: low-back-basic\n  - {program: low-back-basics, sets: 3}\n"
    )
    result = run_cli("validate", rx)
    assert result.exit_code == 1
    assert (
        f'{rx}:3: exercises[0].program: unknown program "low-back-basic" (did you mean "low-back-basics"?)'
        in result.stderr
    )
    assert f"{rx}:4: exercises[1].sets: a program line takes only program:" in result.stderr


def test_list_programs_and_filters(run_cli) -> None:
    programs = json.loads(run_cli("list", "--programs", "--lang", "fr", "--format", "json").stdout)
    by_id = {row["id"]: row for row in programs}
    assert by_id["low-back-basics"]["title"] == "Bas du dos : l'essentiel"
    seated = json.loads(run_cli("list", "--position", "sitting", "--format", "json").stdout)
    assert seated and all(row["position"] == "sitting" for row in seated)
    assert run_cli("list", "--equipment", "chiar").exit_code == 1


def test_show_accepts_a_localized_name(run_cli) -> None:
    result = run_cli("show", "Genoux a la poitrine", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "knees-to-chest"


def test_batch_row_may_name_a_program(run_cli, tmp_path: Path) -> None:
    records = tmp_path / "records.csv"
    records.write_text("patient_id,patient_name,exercises\nP1,Ana,low-back-basics\n", encoding="utf-8")
    result = run_cli("batch", records, "-o", tmp_path / "out", "--jobs", "1", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    text = normalize(pdf_text(pdf.read_bytes()))
    assert "Knees to chest" in text and "Pelvic tilt" in text


def _clinic_with_program(tmp_path: Path, program_id: str, exercise: str, title: str) -> Path:
    """A clinic library folder holding one program of one exercise line."""
    clinic = tmp_path / "clinic"
    (clinic / "programs").mkdir(parents=True)
    (clinic / "programs" / f"{program_id}.yaml").write_text(
        f"id: {program_id}\nexercises:\n  - {exercise}\ntext: {{en: {{title: {title}, intro: Daily.}}}}\n",
        encoding="utf-8",
    )
    return clinic


def test_a_broken_clinic_program_stops_only_what_uses_it(run_cli, tmp_path: Path) -> None:
    clinic = _clinic_with_program(tmp_path, "knee-school", "{id: knees-to-chst}", "Knee school")
    handout = tmp_path / "h.pdf"
    quick = ("generate", "-e", "cat-cow", "--patient", "Ana", "-o", handout, "--library", clinic)
    result = run_cli(*quick)
    assert result.exit_code == 0, result.output
    assert handout.read_bytes().startswith(b"%PDF")

    rx = tmp_path / "rx.yaml"
    rx.write_text("patient: {name: A}\nexercises:\n  - program: knee-school\n", encoding="utf-8")
    used = run_cli("generate", rx, "-o", tmp_path / "k.pdf", "--library", clinic)
    assert used.exit_code == 1
    assert "knee-school.yaml:3" in used.stderr and "knees-to-chst" in used.stderr
    assert "Traceback" not in used.output

    checked = run_cli("validate", "--library", clinic)
    assert checked.exit_code == 1
    assert "knee-school.yaml:3" in checked.stderr


def test_a_later_folders_program_replaces_the_bundled_one(library: Library, tmp_path: Path) -> None:
    from rxstretch.api import load_library

    clinic = _clinic_with_program(tmp_path, "low-back-basics", "{id: cat-cow, reps: 12}", "Our low back")
    clinic_library = load_library([clinic], lazy=True)
    program = clinic_library.programs["low-back-basics"]
    assert [item.exercise_id for item in program.exercises] == ["cat-cow"]
    assert program.text["en"].title == "Our low back"
    assert len(clinic_library.programs) == len(library.programs)


# --- each program for the patients it is written for --------------------------------------------

# What a clinician would type for the patients each program is for; () where no library condition
# names them (non-specific back or neck pain, posture, desk work).
PROGRAM_CONDITIONS: dict[str, tuple[str, ...]] = {
    "achilles-plantar-heel": ("Achilles tendinopathy", "plantar fasciitis", "M76.6"),
    "acl-reconstruction-early": ("ACL reconstruction",),
    "ankle-sprain-return": ("ankle sprain",),
    "core-stability-beginners": (),
    "desk-worker-neck-shoulders": (),
    "falls-prevention": ("osteoporosis",),
    "hand-wrist-basics": ("carpal tunnel syndrome", "tennis elbow"),
    "hip-mobility-older-adults": ("hip osteoarthritis",),
    "hip-replacement-early": ("THR", "posterior hip replacement", "anterior hip replacement"),
    "knee-replacement-early": ("TKR",),
    "low-back-basics": (),
    "neck-pain-basics": ("whiplash",),
    "osteoporosis-strength": ("osteoporosis", "osteoporotic vertebral fracture"),
    "pelvic-floor-basics": ("pregnancy", "postnatal", "diastasis recti"),
    "posture-upper-back": (),
    "rotator-cuff-early": ("rotator cuff tear", "shoulder impingement"),
    "shoulder-mobility-early": ("frozen shoulder",),
    "vestibular-basics": ("vertigo", "BPPV"),
}

# Caution boxes a program's own patients get, each read against the program and found to say how
# to do it (lighter, supported, within comfort), never not to: they agree with the program's
# intro. Anything else (an avoid, or a caution not listed here) fails until someone reads it.
_BALANCE = ("heel-and-toe-walking", "sideways-walking", "tandem-stance")  # keep the worktop
_HIP_PRECAUTIONS = ("heel-slides", "standing-hip-abduction", "supine-hip-abduction-slide")
_VESTIBULAR = ("gaze-stabilisation", "seated-head-movements", "tandem-stance")  # mild, seated
REVIEWED_CAUTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    # "Once the swelling settles ... the harder ones only when the easier ones are painless".
    ("ankle-sprain-return", "ankle sprain"): (
        "ankle-alphabet",
        "ankle-eversion-band",
        "calf-raises",
        "calf-stretch-wall",
        "single-leg-stance",
    ),
    ("falls-prevention", "osteoporosis"): _BALANCE,
    # Moderate range, light load, stop on tingling; the forearm stretch is held 15 s for this.
    ("hand-wrist-basics", "carpal tunnel syndrome"): (
        "eccentric-wrist-extension",
        "median-nerve-glide",
        "wrist-extensor-stretch",
    ),
    ("hand-wrist-basics", "tennis elbow"): ("eccentric-wrist-extension", "forearm-rotation"),
    # The hip precautions the program is built around (under 90 degrees, not past the midline).
    ("hip-replacement-early", "THR"): _HIP_PRECAUTIONS,
    ("hip-replacement-early", "posterior hip replacement"): _HIP_PRECAUTIONS,
    ("hip-replacement-early", "anterior hip replacement"): _HIP_PRECAUTIONS,
    ("neck-pain-basics", "whiplash"): ("chin-tuck", "neck-isometrics", "neck-rotation"),
    ("osteoporosis-strength", "osteoporosis"): ("single-leg-stance",),
    ("osteoporosis-strength", "osteoporotic vertebral fracture"): (
        "prone-back-extension",
        "single-leg-stance",
    ),
    # Side-lying or sitting later in pregnancy; gentle start after birth; stop if the tummy domes.
    ("pelvic-floor-basics", "pregnancy"): ("diaphragmatic-breathing", "postnatal-core-activation"),
    ("pelvic-floor-basics", "postnatal"): (
        "pelvic-floor-quick-contractions",
        "pelvic-floor-slow-holds",
        "postnatal-core-activation",
        "the-knack",
    ),
    ("pelvic-floor-basics", "diastasis recti"): ("postnatal-core-activation",),
    ("rotator-cuff-early", "rotator cuff tear"): (
        "shoulder-isometric-abduction",
        "shoulder-isometric-external-rotation",
        "shoulder-isometric-internal-rotation",
    ),
    ("rotator-cuff-early", "shoulder impingement"): ("wand-assisted-flexion",),
    ("shoulder-mobility-early", "frozen shoulder"): (
        "cross-body-shoulder-stretch",
        "towel-internal-rotation-stretch",
        "wall-walk",
    ),
    ("vestibular-basics", "vertigo"): _VESTIBULAR,
    ("vestibular-basics", "BPPV"): _VESTIBULAR,
}


def test_every_program_names_the_patients_it_is_for(library: Library) -> None:
    assert sorted(PROGRAM_CONDITIONS) == sorted(library.programs)


@pytest.mark.parametrize(
    ("program", "condition"),
    [(program, condition) for program, conditions in PROGRAM_CONDITIONS.items() for condition in conditions],
)
def test_a_program_warns_its_own_patients_of_nothing_unreviewed(
    library: Library, program: str, condition: str
) -> None:
    detail = parse_condition(library, condition)
    rx = Prescription(
        patient=Patient("A"),
        exercises=library.programs[program].exercises,
        conditions=(detail.condition,),
        condition_details=(detail,),
    )
    report = review(rx, library)
    assert [r.exercise_id for r in report.refusals] == []
    assert report.warnings == ()
    assert tuple(sorted(report.cautions)) == REVIEWED_CAUTIONS.get((program, condition), ())


def test_achilles_tendinopathy_is_the_diagnosis_and_a_flare_up_keeps_its_cautions(library: Library) -> None:
    assert parse_condition(library, "Achilles tendinopathy").condition == "achilles-tendinopathy"
    assert parse_condition(library, "M76.6").condition == "achilles-tendinopathy"
    assert parse_condition(library, "Achillessehnenentzündung").condition == "achilles-tendinopathy"
    flare = parse_condition(library, "acute achilles tendinopathy")
    assert flare.condition == "acute-achilles-tendinopathy"
    rx = Prescription(
        patient=Patient("A"),
        exercises=library.programs["achilles-plantar-heel"].exercises,
        conditions=(flare.condition,),
    )
    assert sorted(review(rx, library).cautions) == [
        "calf-raises",
        "eccentric-heel-drops",
        "seated-calf-towel-stretch",
    ]


def test_the_older_adults_hip_program_never_sends_them_to_the_floor(library: Library) -> None:
    positions = {
        library.exercises[i.exercise_id].position
        for i in library.programs["hip-mobility-older-adults"].exercises
    }
    assert positions <= {"standing", "sitting"}
