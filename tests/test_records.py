"""Reading records exports: formats, encodings, the column mapping, and safe output names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rxstretch.errors import ValidationError
from rxstretch.loaders.matching import match_condition
from rxstretch.model import Library
from rxstretch.output import MAX_SLUG_LENGTH, RESERVED_NAMES, NameAllocator, slugify
from rxstretch.records import Record, detect_encoding, iter_records
from rxstretch.records.csvfile import detect_delimiter
from rxstretch.records.mapping import ColumnMapping, load_mapping
from tests.conftest import EXAMPLES

HEADER = "patient_id,patient_name,language,exercises,sets,hold,notes\r\n"


def records(path: Path, library: Library, mapping: ColumnMapping | None = None, **kw: object) -> list[Record]:
    return list(iter_records(path, library, mapping or ColumnMapping(), **kw))  # type: ignore[arg-type]


@given(st.text(max_size=300))
def test_slug_is_a_safe_file_name(text: str) -> None:
    slug = slugify(text)
    assert slug
    assert len(slug) <= MAX_SLUG_LENGTH
    assert "/" not in slug and "\\" not in slug and ".." not in slug
    assert slug not in RESERVED_NAMES
    assert set(slug) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("../../x", "x"),
        ("CON", "con-file"),
        ("", "patient"),
        ("Éloïse Lefèvre", "eloise-lefevre"),
        ("LPT1", "lpt1-file"),
        ("Łukasz Żółć", "lukasz-zolc"),
        ("Иван Петров", "ivan-petrov"),
        ("Γιώργος Παπαδόπουλος", "giorgos-papadopoylos"),
        ("Şükrü Çağlar", "sukru-caglar"),
        ("محمد علي", "mhmd-ly"),
        ("שלום כהן", "slvm-khhn"),
        ("ＣＯＮ", "con-file"),
    ],
)
def test_slug_examples(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_allocator_suffixes_collisions() -> None:
    names = NameAllocator()
    assert [names.allocate(n) for n in ("a", "a", "a", "a-2")] == ["a", "a-2", "a-3", "a-2-2"]


def test_encoding_detection(tmp_path: Path) -> None:
    cases = {"bom": "\ufeffé".encode(), "utf8": "é".encode(), "cp": "é".encode("cp1252")}
    found = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        found[name] = detect_encoding(tmp_path / name)
    assert found == {"bom": "utf-8-sig", "utf8": "utf-8", "cp": "cp1252"}
    assert detect_delimiter("a;b;c,d\n1;2;3") == ";"


def test_csv_with_bom_crlf_and_multiline_cell(tmp_path: Path, library: Library) -> None:
    text = HEADER + 'P1,Ana Silva,en,knees-to-chest;cat-cow,3,30s,"Walk daily,\r\nslowly."\r\n'
    path = tmp_path / "export.csv"
    path.write_bytes(("\ufeff" + text).encode())
    mapping = ColumnMapping(list_separator=";")
    (record,) = records(path, library, mapping, delimiter=",")
    assert record.prescription is not None, record.problems
    assert record.prescription.notes == "Walk daily,\r\nslowly."
    assert [e.exercise_id for e in record.prescription.exercises] == ["knees-to-chest", "cat-cow"]
    assert record.prescription.exercises[0].hold == 30


def test_french_excel_export(library: Library) -> None:
    mapping = load_mapping(EXAMPLES / "records" / "mapping-fr.yaml")
    found = records(EXAMPLES / "records" / "export-fr.csv", library, mapping)
    assert [r.row for r in found] == [1, 2, 3, 4, 5, 6]
    first, second = found[0].prescription, found[1].prescription
    assert first is not None and second is not None
    assert first.patient.name == "Jeanne Dupont" and first.date is not None and first.date.day == 26
    assert [e.exercise_id for e in first.exercises] == ["knees-to-chest", "cat-cow", "piriformis-stretch"]
    assert first.exercises[0].side == "both" and "\n" in (first.notes or "")
    assert [(e.sets, e.hold) for e in second.exercises] == [(2, 30), (3, 30)]  # 0,5 min
    assert found[1].patient_name == "Éloïse Lefèvre"
    assert [p.field for p in found[2].problems] == ["exercises"]
    assert {p.field for p in found[4].problems} == {"sets", "date"}


def test_mapping_names_missing_columns(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Nom;Autre\nx;y\n", encoding="utf-8")
    mapping = load_mapping(EXAMPLES / "records" / "mapping-fr.yaml")
    with pytest.raises(ValidationError) as caught:
        records(path, library, mapping, encoding="utf-8")
    assert any("N° dossier" in p.message.replace("n° dossier", "N° dossier") for p in caught.value.problems)


def test_json_array_and_prescription_layout(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.json"
    rows = [
        {"patient_name": "Ana", "exercises": ["Cat-Cow", "chin tuck"], "sets": 2},
        {"patient": {"name": "Bo", "id": "B1"}, "exercises": [{"id": "pelvic-tilt"}]},
        {"patient_name": "Cy", "exercises": ["no-such-thing"]},
    ]
    path.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    found = records(path, library)
    assert [r.row for r in found] == [1, 2, 3]
    assert found[0].prescription is not None
    assert [e.exercise_id for e in found[0].prescription.exercises] == ["cat-cow", "chin-tuck"]
    assert found[1].patient_id == "B1" and found[1].prescription is not None
    assert found[2].prescription is None and "no-such-thing" in found[2].problems[0].message


def test_jsonl_malformed_line_is_one_bad_record(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text(
        '{"patient_name": "Ana", "exercises": "cat-cow"}\n{"patient_name": \n\n'
        '{"patient_name": "Bo", "exercises": "Genoux à la poitrine", "language": "fr"}\n',
        encoding="utf-8",
    )
    found = records(path, library)
    assert [(r.row, r.line, r.prescription is not None) for r in found] == [
        (1, 1, True),
        (2, 2, False),
        (3, 4, True),
    ]
    assert "malformed JSON" in found[1].problems[0].message


def test_folder_of_prescriptions(tmp_path: Path, library: Library) -> None:
    (tmp_path / "a.yaml").write_text(
        (EXAMPLES / "low-back.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "b.yaml").write_text("patient: {name: X}\nexercises: [{id: nope}]\n", encoding="utf-8")
    found = records(tmp_path, library)
    assert found[0].prescription is not None and found[1].prescription is None
    assert found[1].patient_name == "X"


def test_conditions_match_ids_names_and_codes(library: Library) -> None:
    assert match_condition(library, " Acute-Disc-Herniation ") == ("acute-disc-herniation",)
    assert match_condition(library, "hernie discale aigue") == ("acute-disc-herniation",)
    assert match_condition(library, "nothing like it") == ()
