"""Read the records of a spreadsheet (.xlsx, .xlsm, .xls, .ods) one row at a time, with typed cells.

Excel is the export clinics have most. python-calamine reads every one of these formats and is
imported only when a spreadsheet is read. Cells keep their types: a number cell 3.0 is the
number 3 and a date cell is a date, whatever the computer's regional settings were. Rows are
numbered as the spreadsheet shows them, so ``patients.xlsx:7`` is row 7 in Excel.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rxstretch.errors import RxStretchError, UsageError
from rxstretch.records.mapping import ColumnMapping
from rxstretch.records.raw import RawRecord
from rxstretch.text import header_key

SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
_HEADER_CELLS = 2  # patient_name and exercises at least


def spreadsheet_raws(path: Path, sheet: str | None, mapping: ColumnMapping | None) -> Iterator[RawRecord]:
    """Yield the raw records of one sheet of ``path`` (the first unless ``sheet`` names one).

    ``sheet`` is a sheet's name or its number from 1. Without a mapping (to count them) any
    columns will do.
    """
    rows = _sheet_rows(path, sheet)
    found = _header(rows)
    if found is None:
        return
    line, headers = found
    if mapping is not None:
        mapping.check_headers(headers, str(path), line)  # the row the header is on, as shown
    keys = [header_key(h) for h in headers]
    record = 0
    for number, cells in rows:
        if not any(_filled(cell) for cell in cells):
            continue
        record += 1
        values = [_value(cell) for cell in cells]
        if any(_filled(v) for v in values[len(keys) :]):
            yield RawRecord(record, number, error=f"has cells beyond the {len(keys)} named columns")
        else:
            yield RawRecord(record, number, data=dict(zip(keys, values, strict=False)))


def _sheet_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[Any]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        name = _sheet_name(path, names, sheet)
        rows = workbook.get_sheet_by_name(name).iter_rows()
    except (CalamineError, OSError, ValueError) as exc:
        raise RxStretchError(f"{path}: cannot read the spreadsheet ({exc})") from exc
    # iter_rows starts at A1, blank rows included: the row number is the one the spreadsheet shows.
    return ((number, list(cells)) for number, cells in enumerate(rows, start=1))


def _sheet_name(path: Path, names: list[str], sheet: str | None) -> str:
    if not names:
        raise RxStretchError(f"{path} has no sheets")
    if sheet is None:
        return names[0]
    if sheet in names:
        return sheet
    if sheet.isdigit() and 1 <= int(sheet) <= len(names):
        return names[int(sheet) - 1]
    listed = ", ".join(f'{n} "{name}"' for n, name in enumerate(names, start=1))
    raise UsageError(f'{path}: no sheet "{sheet}"; its sheets are {listed} (give --sheet NAME or N)')


def _header(rows: Iterator[tuple[int, list[Any]]]) -> tuple[int, list[str]] | None:
    """The row number and column names of the first row with two cells or more filled.

    A record needs at least a name and exercises, so a row above with one cell (a title such
    as "Export of 26/11/2026") is not the header.
    """
    for number, cells in rows:
        if sum(_filled(cell) for cell in cells) >= _HEADER_CELLS:
            names = [str(_value(cell)).strip() for cell in cells]
            while names and not names[-1]:
                names.pop()
            return number, names
    return None


def _filled(cell: Any) -> bool:
    return not (cell is None or (isinstance(cell, str) and not cell.strip()))


def _value(cell: Any) -> Any:
    """A cell as the record readers take it: whole numbers as int, dates as ISO dates."""
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)  # Excel keeps every number as a float: 3.0 sets is 3 sets
    if isinstance(cell, datetime.datetime):
        return cell.date().isoformat() if cell.time() == datetime.time() else cell.isoformat(" ")
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    if isinstance(cell, datetime.time | datetime.timedelta):
        return str(cell)
    return cell
