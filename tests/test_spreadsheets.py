"""Spreadsheet exports (.xlsx, .xlsm, .ods) read directly, typed cells and the rows Excel shows."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from rxstretch.errors import RxStretchError, UsageError
from rxstretch.model import Library
from rxstretch.records import Record, count_records, detect_format, iter_records
from rxstretch.records.mapping import ColumnMapping
from tests.conftest import EXAMPLES

openpyxl = pytest.importorskip("openpyxl")

HEADER = ["patient_id", "patient_name", "exercises", "sets", "date"]
DAY = datetime.date(2026, 11, 26)


def workbook(path: Path, rows: list[list[Any]], *, sheets: tuple[str, ...] = ("Patients",)) -> Path:
    book = openpyxl.Workbook()
    book.active.title = sheets[0]
    for row in rows:
        book.active.append(row)
    for line in book.active.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a name typed as "=HYPERLINK(...)" is text, not a formula
    for other in sheets[1:]:
        book.create_sheet(other).append(["nothing", "here"])
    book.save(path)
    return path


def read(path: Path, library: Library, **options: Any) -> list[Record]:
    return list(iter_records(path, library, ColumnMapping(), **options))


def test_typed_cells_and_rows_numbered_as_the_spreadsheet_shows(tmp_path: Path, library: Library) -> None:
    path = workbook(
        tmp_path / "patients.xlsx",
        [
            [],  # a blank first row: the header is on row 2
            HEADER,
            ["P1", "Éloïse Lefèvre", "cat-cow", 3.0, DAY],  # a float 3.0 is 3 sets; a date cell is a date
            [42, "Zoë", "bridge", 2, datetime.datetime(2026, 11, 27)],
            [],
            ["P3", "Marc", "bridge", "many", DAY],
        ],
    )
    found = read(path, library)
    assert [(r.row, r.line, r.patient_id, r.patient_name) for r in found] == [
        (1, 3, "P1", "Éloïse Lefèvre"),
        (2, 4, "42", "Zoë"),
        (3, 6, "P3", "Marc"),
    ]
    first, second, bad = found
    assert first.prescription is not None and second.prescription is not None
    assert [e.sets for e in first.prescription.exercises] == [3]
    assert (first.prescription.date, second.prescription.date) == (DAY, datetime.date(2026, 11, 27))
    assert bad.prescription is None and bad.problems
    assert all(p.line == 6 for p in bad.problems), bad.problems
    assert count_records(path) == 3


def test_sheet_by_name_or_number_and_an_unknown_sheet_lists_them(tmp_path: Path, library: Library) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["sans", "rapport"])
    patients = book.create_sheet("Patients")
    for row in (HEADER, ["P1", "Ana", "cat-cow", 2, DAY]):
        patients.append(row)
    path = tmp_path / "p.xlsx"
    book.save(path)
    assert [r.patient_name for r in read(path, library, sheet="Patients")] == ["Ana"]
    assert [r.patient_name for r in read(path, library, sheet="2")] == ["Ana"]
    with pytest.raises(UsageError, match=r'no sheet "Patientes"; its sheets are 1 "Notes", 2 "Patients"'):
        read(path, library, sheet="Patientes")


def test_a_workbook_is_never_read_as_text(tmp_path: Path, library: Library) -> None:
    path = workbook(tmp_path / "patients.csv", [HEADER, ["P1", "Ana", "cat-cow", 2, DAY]])
    assert detect_format(path) == "spreadsheet"
    assert [r.patient_name for r in read(path, library)] == ["Ana"]
    with pytest.raises(UsageError, match="is a spreadsheet: its cells have no encoding"):
        read(path, library, encoding="cp1252")


def test_sheet_is_refused_for_text_exports(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "p.csv"
    path.write_text("patient_name,exercises\nAna,cat-cow\n", encoding="utf-8")
    with pytest.raises(UsageError, match="--sheet is for spreadsheets"):
        read(path, library, sheet="1")


def test_xlsm_is_read(tmp_path: Path, library: Library) -> None:
    source = workbook(tmp_path / "p.xlsx", [HEADER, ["P1", "Ana", "cat-cow", 2, DAY]])
    path = tmp_path / "p.xlsm"
    path.write_bytes(source.read_bytes())
    assert [r.patient_name for r in read(path, library)] == ["Ana"]


def test_ods_is_read(tmp_path: Path, library: Library) -> None:
    opendocument = pytest.importorskip("odf.opendocument")
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = opendocument.OpenDocumentSpreadsheet()
    table = Table(name="Patients")
    for row in (HEADER[:4], ["P1", "Ana", "cat-cow", 2]):
        line = TableRow()
        for value in row:
            if isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            line.addElement(cell)
        table.addElement(line)
    document.spreadsheet.addElement(table)
    path = tmp_path / "p.ods"
    document.save(str(path))
    (record,) = read(path, library)
    assert record.patient_name == "Ana" and record.prescription is not None
    assert [e.sets for e in record.prescription.exercises] == [2]


@pytest.mark.skip(reason="no maintained writer of .xls (BIFF) files to make one in the test")
def test_xls_is_read() -> None:
    pass


def test_not_a_workbook_is_a_clear_error(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RxStretchError, match="cannot read the spreadsheet"):
        read(path, library)


def _typed(header: str, text: str) -> Any:
    """A cell as Excel types it when the French export is typed in: numbers and dates typed."""
    if text and header.startswith(("Date", "Prochain")):
        try:
            return datetime.datetime.strptime(text, "%d/%m/%Y")
        except ValueError:
            return text  # 31/02/2026: Excel keeps what is not a date as text
    return int(text) if text.isdigit() else text


def test_french_workbook_and_cp1252_csv_give_the_same_handouts(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    example = EXAMPLES / "records" / "export-fr.csv"
    mapping = EXAMPLES / "records" / "mapping-fr.yaml"
    text = example.read_bytes().decode("cp1252")
    # A line break inside a cell is LF in a workbook and in the CSV Excel saves from it.
    rows = [
        [cell.replace("\r\n", "\n") for cell in row]
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")
    ]
    export = tmp_path / "export-fr.csv"
    with export.open("w", encoding="cp1252", newline="") as stream:
        csv.writer(stream, delimiter=";", lineterminator="\r\n").writerows(rows)
    header = rows[0]
    book = workbook(
        tmp_path / "export-fr.xlsx",
        [header] + [[_typed(h, c) for h, c in zip(header, row, strict=True)] for row in rows[1:]],
    )
    outputs = []
    for source in (export, book):
        out = tmp_path / source.suffix.lstrip(".")
        result = run_cli("batch", source, "--map", mapping, "-o", out, "-j", "1", "--date", "2026-11-26")
        assert result.exit_code in (0, 1), result.output
        outputs.append({p.name: p.read_bytes() for p in sorted(out.glob("*.pdf"))})
    assert outputs[0] and outputs[0] == outputs[1]


def test_batch_sheet_option(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = workbook(
        tmp_path / "p.xlsx", [HEADER, ["P1", "Ana", "cat-cow", 2, DAY]], sheets=("Patients", "Old")
    )
    out = tmp_path / "out"
    result = run_cli("batch", path, "--sheet", "Patients", "-o", out, "-j", "1", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == ["p1-ana.pdf"]
    result = run_cli("batch", path, "--sheet", "9", "-o", tmp_path / "o2", "-j", "1")
    assert result.exit_code == 2 and 'no sheet "9"' in result.stderr


def test_header_problems_name_the_row_the_header_is_on(tmp_path: Path, library: Library) -> None:
    book = openpyxl.Workbook()
    book.active["A1"] = "Export of 26/11/2026"  # a title, a blank row, then the header
    book.active.append([])
    book.active.append(["patient_name", "exercises", "frequncy"])
    book.active.append(["Ana", "cat-cow", "2/day"])
    book.save(tmp_path / "titled.xlsx")
    with pytest.raises(RxStretchError) as caught:
        read(tmp_path / "titled.xlsx", library)
    problems = {(p.line, p.field) for p in caught.value.problems}  # type: ignore[attr-defined]
    assert problems == {(3, "frequncy")}


def test_a_missing_column_is_reported_on_the_header_row(tmp_path: Path, library: Library) -> None:
    book = openpyxl.Workbook()
    book.active["B4"] = "patient_name"  # the table starts at B4, as exports pasted into a sheet do
    book.active["C4"] = "exercices"
    book.active["B5"] = "Ana"
    book.save(tmp_path / "offset.xlsx")
    with pytest.raises(RxStretchError) as caught:
        read(tmp_path / "offset.xlsx", library)
    problems = {(p.line, p.field) for p in caught.value.problems}  # type: ignore[attr-defined]
    assert problems == {(4, "exercises"), (4, "exercices")}  # required, and a misspelt field
