"""Numbers as people write them in records exports: fractional holds (7.5, 7,5, 7½), decimal
commas beside comma-separated exercise lists, and the cells that could be read two ways."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from rxstretch.errors import ValidationError
from rxstretch.i18n import Localizer, parse_locale
from rxstretch.loaders.reader import Reader
from rxstretch.model import Library
from rxstretch.prescription.quantities import QuantityError, cell_hold
from rxstretch.records.mapping import ColumnMapping, load_mapping
from rxstretch.records.rows import RowReader
from tests.conftest import normalize, pdf_text

openpyxl = pytest.importorskip("openpyxl")

FRENCH_MAP = """\
columns:
  patient_id: N° dossier
  patient_name: Nom
  exercises: Exercices
  hold: Maintien (s)
  date: Date
list_separator: ","
decimal_comma: true
date_format: dd/mm/yyyy
language: fr
"""
HEADER = ["N° dossier", "Nom", "Exercices", "Maintien (s)", "Date"]
# Each row as Excel shows it in a French workbook; a numeric cell is typed (7.5), the CSV
# Excel saves from it writes 7,5.
ROWS = [
    ["F1", "Éloïse Fäßler", "knees-to-chest, cat-cow", 7.5, datetime.datetime(2026, 11, 26)],
    ["F2", "Noël Dupré", "bridge, knees-to-chest", "7,5|20", datetime.datetime(2026, 11, 26)],
    ["F3", "Zoé Leñero", "knees-to-chest", 12, datetime.datetime(2026, 11, 26)],
]


def read(library: Library, mapping: ColumnMapping, **fields: object) -> tuple[object, list[str]]:
    reader = Reader("export.csv")
    prescription = RowReader(mapping, library).prescription(fields, reader, 7)
    return prescription, [f"{p.file}:{p.line}: {p.field}: {p.message}" for p in reader.problems]


def as_csv_cell(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def test_a_french_workbook_and_its_cp1252_csv_give_the_same_handouts(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(FRENCH_MAP, encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in ROWS:
        book.active.append(row)
    book.save(tmp_path / "export.xlsx")
    with (tmp_path / "export.csv").open("w", encoding="cp1252", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        writer.writerows([HEADER, *[[as_csv_cell(cell) for cell in row] for row in ROWS]])
    made = []
    for name in ("export.xlsx", "export.csv"):
        out = tmp_path / name.replace(".", "-")
        result = run_cli("batch", tmp_path / name, "--map", mapping, "-o", out, "-j", "1")
        assert result.exit_code == 0, result.output
        made.append({path.name: path.read_bytes() for path in sorted(out.glob("*.pdf"))})
    assert len(made[0]) == 3 and made[0] == made[1]
    first = normalize(pdf_text(made[0]["f1-eloise-fassler.pdf"]))
    assert first.count("7,5 secondes") == 2  # both exercises, neither 7 s nor 8 s
    second = normalize(pdf_text(made[0]["f2-noel-dupre.pdf"]))
    assert "7,5 secondes" in second and "20 secondes" in second


@pytest.mark.parametrize(
    ("language", "printed"),
    [("fr", "7,5 secondes"), ("de", "7,5 Sekunden"), ("en", "7.5 seconds"), ("pl", "7,5 sekundy")],
)
def test_a_fractional_hold_prints_in_the_patients_number_format(language: str, printed: str) -> None:
    ui = Localizer(parse_locale(language))
    assert ui.duration(7.5).replace("\u00a0", " ") == printed
    assert ui.duration(67.5).replace("\u00a0", " ").endswith(printed)


@pytest.mark.parametrize("written", ["7.5", "7,5", "7½", "7 ½"])
def test_every_way_of_writing_seven_and_a_half_seconds_is_kept(library: Library, written: str) -> None:
    mapping = ColumnMapping(decimal_comma=True)
    prescription, problems = read(library, mapping, patient_name="Ana", exercises="bridge", hold=written)
    assert problems == []
    assert [item.hold for item in prescription.exercises] == [7.5]  # type: ignore[attr-defined]


def test_list_cells_split_on_commas_while_numbers_keep_their_decimal_comma(library: Library) -> None:
    mapping = ColumnMapping(list_separator=",", decimal_comma=True)
    prescription, problems = read(
        library, mapping, patient_name="Ana", exercises="bridge, cat-cow", hold="7,5 | 0,5 min", sets="2;3"
    )
    assert problems == []
    items = prescription.exercises  # type: ignore[attr-defined]
    assert [(item.exercise_id, item.hold, item.sets) for item in items] == [
        ("bridge", 7.5, 2),
        ("cat-cow", 30, 3),
    ]


def test_several_values_under_decimal_commas_need_a_semicolon_or_a_bar(library: Library) -> None:
    mapping = ColumnMapping(list_separator=",", decimal_comma=True)
    _, problems = read(library, mapping, patient_name="Ana", exercises="bridge, cat-cow", hold="30, 45")
    (problem,) = problems
    assert problem.startswith("export.csv:7: hold: ")
    assert '"30, 45" is not a number; separate one value per exercise with ; or |' in problem


def test_a_comma_between_digits_is_ambiguous_without_decimal_comma(tmp_path: Path, library: Library) -> None:
    mapping = ColumnMapping(columns={"patient_name": ("nom",), "exercises": ("ex",), "hold": ("tenue",)})
    mapping = ColumnMapping(columns=mapping.columns, list_separator=",")
    prescription, problems = read(library, mapping, nom="Ana", ex="bridge, cat-cow", tenue="7,5")
    assert prescription is None  # never 7 s for one exercise and 5 s for the other
    (problem,) = problems
    assert problem.startswith('export.csv:7: hold: column "tenue": "7,5" is ambiguous')
    assert "decimal_comma" in problem and "; or |" in problem
    # Spaced, the comma separates: one value each.
    prescription, problems = read(library, mapping, nom="Ana", ex="bridge, cat-cow", tenue="30, 45")
    assert problems == []
    assert [item.hold for item in prescription.exercises] == [30, 45]  # type: ignore[attr-defined]


def test_the_ambiguous_cell_is_reported_in_errors_csv_with_row_and_column(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    export = tmp_path / "export.csv"
    export.write_text("nom;ex;tenue\nAna;bridge, cat-cow;7,5\nBo;bridge;30\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        'columns: {patient_name: nom, exercises: ex, hold: tenue}\nlist_separator: ","\n', encoding="utf-8"
    )
    out = tmp_path / "out"
    result = run_cli("batch", export, "--map", mapping, "-o", out, "-j", "1", "--date", "2026-11-26")
    assert result.exit_code == 1
    with (out / "errors.csv").open(encoding="utf-8-sig", newline="") as stream:
        (error,) = list(csv.DictReader(stream))
    assert (error["line"], error["field"]) == ("2", "hold")
    assert error["reason"].startswith('column "tenue": "7,5" is ambiguous')
    assert [path.name for path in out.glob("*.pdf")] == ["bo.pdf"]


def test_a_mapping_may_have_both_a_comma_list_separator_and_decimal_commas(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(FRENCH_MAP, encoding="utf-8")
    mapping = load_mapping(path)
    assert (mapping.list_separator, mapping.decimal_comma) == (",", True)
    path.write_text(FRENCH_MAP.replace('list_separator: ","', 'list_separator: ""'), encoding="utf-8")
    with pytest.raises(ValidationError, match="must not be empty"):
        load_mapping(path)


@given(st.integers(1, 5999), st.booleans())
def test_a_decimal_hold_reads_back_exactly(tenths: int, comma: bool) -> None:
    seconds = Decimal(tenths) / 10
    written = str(seconds).replace(".", ",") if comma else str(seconds)
    try:
        held = cell_hold(written, written, decimal_comma=comma)
    except QuantityError:
        assert "," in written and not comma
        return
    assert Decimal(str(held)) == seconds
