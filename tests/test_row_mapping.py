"""How the cells of a records export become a prescription: columns without a mapping file,
program dosage, names with commas, aliases, mapping-file checks and the wording of messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import rxstretch
from rxstretch.batch import BatchResult
from rxstretch.errors import ValidationError
from rxstretch.loaders.reader import Reader
from rxstretch.model import Frequency, Library, Prescription
from rxstretch.records import Record, iter_records
from rxstretch.records.mapping import ColumnMapping, load_mapping, probable_field
from rxstretch.records.rows import RowReader
from tests.conftest import FIXED_DATE, normalize, pdf_text


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def batch(export: Path, out: Path, mapping: Path | None = None) -> BatchResult:
    return rxstretch.run_batch(export, out, mapping=mapping, use_env=False, jobs=1, today=FIXED_DATE)


def records(path: Path, library: Library, mapping: ColumnMapping | None = None) -> list[Record]:
    return list(iter_records(path, library, mapping or ColumnMapping()))


def row(library: Library, **fields: object) -> tuple[Prescription | None, list[str]]:
    """Read one flat record with the default mapping: its prescription and "field: message"s."""
    reader = Reader("export.csv")
    prescription = RowReader(ColumnMapping(), library).prescription(fields, reader, 2)
    return prescription, [f"{p.field}: {p.message}" for p in reader.problems]


# --- columns without a mapping file -----------------------------------------------------------


def test_misspelt_dosage_columns_stop_the_csv_at_its_header(tmp_path: Path) -> None:
    export = write(
        tmp_path / "export.csv",
        "patient_id,patient_name,exercises,frequncy,hold_seconds\nP1,Ana,cat-cow,2/day,30\n",
    )
    out = tmp_path / "out"
    with pytest.raises(ValidationError) as caught:
        batch(export, out)
    found = {(p.file, p.line, p.field): p.message for p in caught.value.problems}
    assert set(found) == {(str(export), 1, "frequncy"), (str(export), 1, "hold_seconds")}
    assert 'did you mean "frequency"?' in found[(str(export), 1, "frequncy")]
    assert 'did you mean "hold"?' in found[(str(export), 1, "hold_seconds")]
    assert "--map" in found[(str(export), 1, "frequncy")]
    assert not out.exists() or not list(out.glob("*.pdf"))


def test_unrelated_columns_are_read_past_and_listed(tmp_path: Path, library: Library) -> None:
    export = write(
        tmp_path / "export.csv",
        "patient_id,Phone,patient_name,exercises,address,sets\nP1,555,Ana,cat-cow,1 Main St,2\n",
    )
    mapping = ColumnMapping()
    (record,) = records(export, library, mapping)
    assert record.prescription is not None, record.problems
    assert record.prescription.exercises[0].sets == 2
    assert mapping.ignored_columns == ("Phone", "address")


def test_json_keys_are_checked_per_record(tmp_path: Path, library: Library) -> None:
    export = write(
        tmp_path / "export.jsonl",
        '{"patient_name": "Ana", "exercises": "cat-cow", "frequncy": "2/day", "phone": "555"}\n'
        '{"patient_name": "Bo", "exercises": "cat-cow", "Sets": 2, "email": "b@example.org"}\n',
    )
    mapping = ColumnMapping()
    first, second = records(export, library, mapping)
    assert first.prescription is None
    assert [(p.line, p.field) for p in first.problems] == [(1, "frequncy")]
    assert 'did you mean "frequency"?' in first.problems[0].message
    assert second.prescription is not None and second.prescription.exercises[0].sets == 2
    assert mapping.ignored_columns == ("phone", "email")


def test_json_misspelt_key_fails_only_its_record_in_a_batch(tmp_path: Path) -> None:
    export = write(
        tmp_path / "export.jsonl",
        '{"patient_id": "P1", "patient_name": "Ana", "exercises": "cat-cow", "hold_seconds": 30}\n'
        '{"patient_id": "P2", "patient_name": "Bo", "exercises": "cat-cow", "hold": 30}\n',
    )
    result = batch(export, tmp_path / "out")
    assert (result.written, result.failed) == (1, 1)
    (error,) = read_csv(tmp_path / "out" / "errors.csv")
    assert (error["row"], error["line"], error["field"]) == ("1", "1", "hold_seconds")
    assert 'did you mean "hold"?' in error["reason"]


def test_a_mapping_names_the_columns_so_others_are_fine(tmp_path: Path, library: Library) -> None:
    export = write(tmp_path / "export.csv", "Nom;Exos;frequncy;Tel\nAna;cat-cow;x;555\n")
    mapping = load_mapping(write(tmp_path / "map.yaml", "columns: {patient_name: Nom, exercises: Exos}\n"))
    (record,) = records(export, library, mapping)
    assert record.prescription is not None, record.problems
    assert mapping.ignored_columns == ()


def test_a_column_given_twice_would_hide_the_first(tmp_path: Path, library: Library) -> None:
    export = write(tmp_path / "export.csv", "patient_name,exercises,sets,Sets\nAna,cat-cow,2,3\n")
    with pytest.raises(ValidationError) as caught:
        records(export, library)
    assert [(p.line, p.field, p.message) for p in caught.value.problems] == [
        (1, "Sets", "column appears twice; keep one")
    ]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("frequncy", "frequency"),
        ("Fréquence", "frequency"),
        ("hold_seconds", "hold"),
        ("Hold (s)", "hold"),
        ("Patient Name", "patient_name"),
        ("exercise_ids", "exercises"),
        ("Exercices", "exercises"),
        ("set", "sets"),
        ("repetitions", "reps"),
        ("freq_per_day", "frequency"),
        ("lang", "language"),
        ("program", "exercises"),
        ("phone", None),
        ("address", None),
        ("status", None),
        ("state", None),
        ("reason", None),
        ("date_of_birth", None),
        ("first_name", None),
        ("id", None),
    ],
)
def test_which_headers_look_like_a_field(header: str, field: str | None) -> None:
    assert probable_field(header) == field


# --- dosage cells and programs ----------------------------------------------------------------


def test_one_value_is_for_every_exercise_a_programs_included(tmp_path: Path) -> None:
    export = write(
        tmp_path / "export.csv",
        "patient_id;patient_name;language;exercises;sets\nP4;Prog;en;low-back-basics;1\n",
    )
    out = tmp_path / "out"
    result = batch(export, out)
    assert (result.written, result.failed) == (1, 0)
    text = normalize(pdf_text((out / "p4-prog.pdf").read_bytes()))
    assert text.count("Sets 1 set ") == 4  # the program's four exercises
    assert "Sets 3 sets" not in text and "Sets 2 sets" not in text
    assert "Hold 30 seconds" in text  # the program's own hold is kept


def test_per_exercise_values_follow_the_expanded_program(library: Library) -> None:
    prescription, problems = row(
        library,
        patient_name="Ana",
        exercises="chin-tuck|low-back-basics|cat-cow",
        sets="1|2|3|4|5|6",
        frequency="3/day",
    )
    assert prescription is not None, problems
    found = [(e.exercise_id, e.sets, e.hold, e.frequency) for e in prescription.exercises]
    three_a_day = Frequency(3, "day")
    assert found == [
        ("chin-tuck", 1, None, three_a_day),
        ("knees-to-chest", 2, 30, three_a_day),
        ("pelvic-tilt", 3, None, three_a_day),
        ("cat-cow", 4, None, three_a_day),
        ("lumbar-rotation", 5, None, three_a_day),
        ("cat-cow", 6, None, three_a_day),
    ]


def test_empty_dosage_cells_keep_the_programs_own(library: Library) -> None:
    prescription, problems = row(library, patient_name="Ana", exercises="low-back-basics")
    assert prescription is not None, problems
    assert [(e.sets, e.reps, e.hold) for e in prescription.exercises] == [
        (3, None, 30),
        (2, 10, None),
        (2, 10, None),
        (2, 10, None),
    ]


def test_value_count_mismatch_counts_the_programs_exercises(tmp_path: Path) -> None:
    export = write(
        tmp_path / "export.csv",
        "patient_id;patient_name;exercises;sets;reps\n"
        "P1;Ana;low-back-basics|cat-cow;2|3;\n"
        "P2;Bo;cat-cow;;2|3\n",
    )
    result = batch(export, tmp_path / "out")
    assert (result.written, result.failed) == (0, 2)
    errors = read_csv(tmp_path / "out" / "errors.csv")
    assert [(e["patient_id"], e["field"], e["reason"]) for e in errors] == [
        ("P1", "sets", "has 2 values for 5 exercises (4 from low-back-basics)"),
        ("P2", "reps", "has 2 values for 1 exercise"),
    ]


def test_exercise_note_with_a_comma_is_one_note(library: Library) -> None:
    prescription, problems = row(
        library,
        patient_name="Ana",
        exercises="cat-cow, chin-tuck",
        exercise_notes="Slowly, without pain",
    )
    assert prescription is not None, problems
    assert [e.notes for e in prescription.exercises] == ["Slowly, without pain"] * 2


def test_sets_and_reps_have_the_prescription_file_limits(library: Library) -> None:
    prescription, problems = row(library, patient_name="Ana", exercises="cat-cow", sets="30", reps="300")
    assert prescription is None
    assert problems == ['sets: "30" is more than 20', 'reps: "300" is more than 100']


# --- names with commas, aliases ---------------------------------------------------------------


def test_names_with_a_comma_survive_the_default_separators(tmp_path: Path) -> None:
    export = write(
        tmp_path / "export.csv",
        "patient_id;patient_name;language;exercises\n"
        "P1;Ana;fr;Élévation latérale de la jambe, couché sur le côté, Chat-vache\n"
        "P2;Bo;en;Shoulder mobility, early phase\n"
        "P3;Cy;en;cat-cow, chin tuck | bridge\n",
    )
    result = batch(export, tmp_path / "out")
    assert (result.written, result.failed) == (3, 0), read_csv(tmp_path / "out" / "errors.csv")
    library = rxstretch.load_library(use_env=False)
    found = {r.patient_id: r.prescription for r in records(export, library)}
    assert [[e.exercise_id for e in p.exercises] for p in found.values() if p] == [
        ["side-lying-hip-abduction", "cat-cow"],
        ["pendulum", "wall-walk", "cross-body-shoulder-stretch", "towel-internal-rotation-stretch"],
        ["cat-cow", "chin-tuck", "bridge"],
    ]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Knee rolls", "en", "lumbar-rotation"),
        ("lumbar rotation", "en", "lumbar-rotation"),
        ("Piriformis stretch", "en", "piriformis-stretch"),
        ("piriformis STRETCH", "en", "piriformis-stretch"),
        ("Bascule des genoux", "fr", "lumbar-rotation"),
        ("Pendulum exercise", "en", "pendulum"),
        ("Knee rolls", "fr", "lumbar-rotation"),  # the library's default language, as for names
    ],
)
def test_short_names_and_parentheses_are_aliases(
    library: Library, text: str, language: str, expected: str
) -> None:
    prescription, problems = row(library, patient_name="Ana", language=language, exercises=text)
    assert prescription is not None, problems
    assert [e.exercise_id for e in prescription.exercises] == [expected]


def test_an_alias_inside_another_name_is_ambiguous(library: Library) -> None:
    prescription, problems = row(library, patient_name="Ana", language="en", exercises="back extension")
    assert prescription is None
    assert problems == [
        'exercises: "back extension" could be prone-press-up or thoracic-extension-chair; write the id'
    ]


# --- mapping files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ('csv: {delimiter: ";;"}', 2, "csv.delimiter", "must be one character"),
        ('csv: {delimiter: "\\""}', 2, "csv.delimiter", "must be one character other than a quote"),
        ("csv: {encoding: latin-42}", 2, "csv.encoding", 'unknown encoding "latin-42"'),
        ('list_separator: ""', 2, "list_separator", "must not be empty"),
        ("date_format: jj/mm/aaaa", 2, "date_format", "must give the day, month and year"),
        (
            "values:\n  side: {gauche: lft}",
            3,
            "values.side.gauche",
            "must be one of left, right, both or alternate",
        ),
    ],
)
def test_mapping_file_values_are_checked_where_written(
    tmp_path: Path, text: str, line: int, field: str, message: str
) -> None:
    path = write(tmp_path / "map.yaml", f"columns: {{patient_name: n, exercises: e}}\n{text}\n")
    with pytest.raises(ValidationError) as caught:
        load_mapping(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), line, field)
    assert message in problem.message


def test_a_two_character_delimiter_never_reaches_the_csv_reader(tmp_path: Path) -> None:
    export = write(tmp_path / "export.csv", "n;;e\nAna;;cat-cow\n")
    mapping = write(
        tmp_path / "map.yaml", 'columns: {patient_name: n, exercises: e}\ncsv: {delimiter: ";;"}\n'
    )
    with pytest.raises(ValidationError) as caught:
        batch(export, tmp_path / "out", mapping)
    assert str(caught.value.problems[0]) == (
        f'{mapping}:2: csv.delimiter: ";;" must be one character other than a quote or a line break, '
        "e.g. ; or , or a tab"
    )


# --- JSON items and the wording of messages -----------------------------------------------------


def test_json_exercise_items_may_be_objects_with_an_id(tmp_path: Path) -> None:
    rows = [
        {
            "patient_id": "P1",
            "patient_name": "Ana",
            "exercises": [{"id": "bridge"}, "cat-cow"],
            "sets": [2, 3],
        },
        {"patient_id": "P2", "patient_name": "Bo", "exercises": [{"program": "low-back-basics"}], "sets": 1},
        {"patient_id": "P3", "patient_name": "Cy", "exercises": [{"id": "bridge", "sets": 2}]},
        {"patient_id": "P4", "patient_name": "Di", "exercises": [None]},
    ]
    export = write(tmp_path / "export.json", json.dumps(rows, indent=1))
    result = batch(export, tmp_path / "out")
    assert (result.written, result.failed) == (2, 2)
    errors = {e["patient_id"]: e["reason"] for e in read_csv(tmp_path / "out" / "errors.csv")}
    assert errors["P3"].startswith('{"id": "bridge", "sets": 2} takes only "id" (or "program")')
    assert errors["P4"] == 'null is not an exercise id or name, a program, or {"id": ...}'
    assert not any("{'" in reason for reason in errors.values())  # no Python reprs
    text = normalize(pdf_text((tmp_path / "out" / "p1-ana.pdf").read_bytes()))
    assert "Sets 2 sets" in text and "Sets 3 sets" in text


def test_did_you_mean_shows_the_real_name(library: Library) -> None:
    _, problems = row(
        library, patient_name="Ana", language="fr", exercises="bascule des genoux rotation lombair"
    )
    assert problems == [
        'exercises: unknown exercise "bascule des genoux rotation lombair" '
        '(did you mean "Bascule des genoux (rotation lombaire)"?)'
    ]
    _, problems = row(library, patient_name="Ana", exercises="low-back-basic")
    assert problems == ['exercises: unknown exercise "low-back-basic" (did you mean "low-back-basics"?)']


def test_a_programs_own_note_is_kept_beside_the_rows(tmp_path: Path) -> None:
    folder = tmp_path / "clinic"
    write_program = folder / "programs" / "gentle-back.yaml"
    write_program.parent.mkdir(parents=True)
    write(
        write_program,
        "id: gentle-back\n"
        "exercises:\n"
        "  - {id: cat-cow, sets: 2, reps: 8, notes: Keep the movement small}\n"
        "  - {id: pelvic-tilt, sets: 2, reps: 10}\n"
        "text:\n"
        "  en: {title: Gentle back, intro: Two easy ones.}\n",
    )
    library = rxstretch.load_library([folder], use_env=False)
    prescription, problems = row(
        library, patient_name="Ana", exercises="Gentle back", exercise_notes="Stop if it hurts"
    )
    assert prescription is not None, problems
    assert [e.notes for e in prescription.exercises] == [
        "Keep the movement small\nStop if it hurts",
        "Stop if it hurts",
    ]


def test_json_text_fields_and_overrides(library: Library) -> None:
    prescription, problems = row(library, patient_name=["Ana", "Silva"], exercises="cat-cow")
    assert prescription is None
    assert problems == ["patient_name: must be text or a number, not a list or an object"]
    override = {
        "exercise": "knees-to-chest",
        "condition": "acute-disc-herniation",
        "reason": "Cleared, gently",
    }
    prescription, problems = row(
        library,
        patient_name="Ana",
        exercises="knees-to-chest",
        conditions=[{"id": "acute-disc-herniation"}],
        overrides=[override],
    )
    assert prescription is not None, problems
    assert prescription.conditions == ("acute-disc-herniation",)
    assert [(o.exercise, o.condition, o.reason) for o in prescription.overrides] == [
        ("knees-to-chest", "acute-disc-herniation", "Cleared, gently")
    ]


def test_json_keys_are_listed_as_written(library: Library) -> None:
    mapping = ColumnMapping()
    reader = Reader("export.jsonl")
    RowReader(mapping, library).prescription(
        {"patient_name": "Ana", "exercises": "cat-cow", "Phone": "555", "Sets": 2}, reader, 1
    )
    assert reader.problems == [] and mapping.ignored_columns == ("Phone",)


def test_a_decimal_comma_is_never_read_as_two_values(tmp_path: Path) -> None:
    export = write(
        tmp_path / "export.csv",
        "patient_id;patient_name;exercises;sets;hold\r\nF1;Anne;bridge, cat-cow;1,5;1,5 min\r\n",
    )
    result = batch(export, tmp_path / "out")
    assert (result.written, result.failed) == (0, 1)
    errors = [(e["field"], e["reason"]) for e in read_csv(result.errors)]
    assert [field for field, _ in errors] == ["sets", "hold"]  # once each, not once per exercise
    assert "decimal_comma" in errors[0][1]


def test_names_in_other_scripts_keep_their_letters() -> None:
    from rxstretch.text import match_key

    assert match_key("Αποκατάσταση ώμου") == "αποκατασταση ωμου"
    assert match_key("Мост") == "мост"
    assert match_key("-") == ""  # names nothing, so it can match nothing


def test_rejoining_a_long_cell_tries_few_joins() -> None:
    from rxstretch.records.rows import _rejoin

    tried: list[str] = []

    def known(text: str) -> bool:
        tried.append(text)
        return text == "b,c"

    pieces = [f"x{n}" for n in range(600)] + ["b", "c"]
    assert _rejoin(pieces, known)[-1] == "b,c"
    assert len(tried) < 4 * len(pieces)  # not one try per pair of pieces


def test_a_date_format_with_spaces_reads_dates_and_drops_an_excel_time(tmp_path: Path) -> None:
    export = write(
        tmp_path / "export.csv",
        "patient_name,exercises,date\nAna,bridge,26 11 2026\nBo,bridge,26 11 2026 00:00:00\n",
    )
    mapping = write(
        tmp_path / "map.yaml",
        "columns: {patient_name: patient_name, exercises: exercises, date: date}\ndate_format: dd mm yyyy\n",
    )
    result = batch(export, tmp_path / "out", mapping)
    assert (result.written, result.failed) == (2, 0), read_csv(result.errors)
