"""Reading records sources: encodings decided over the whole file, a format that does not fit the
path, unclosed quotes in CSV, where a folder's problems are, and inputs without records."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from rxstretch import records as records_module
from rxstretch.errors import Problem, RxStretchError
from rxstretch.model import Library
from rxstretch.records import Format, Record, count_records, detect_encoding, iter_records
from rxstretch.records.jsonfile import MAX_JSON_RECORD
from rxstretch.records.mapping import ColumnMapping
from tests.conftest import EXAMPLES

CSV_HEADER = "patient_id,patient_name,exercises,notes\n"
NEVER_CLOSED = "a quote opened on line {} is never closed: the rest of the file was read as one cell"


def read(path: Path, library: Library, **options: object) -> list[Record]:
    return list(iter_records(path, library, ColumnMapping(), **options))  # type: ignore[arg-type]


def summary(found: list[Record]) -> list[tuple[int, int | None, str | None, bool]]:
    return [(r.row, r.line, r.patient_name, r.prescription is not None) for r in found]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def exercise_ids(record: Record) -> list[str]:
    assert record.prescription is not None, record.problems
    return [e.exercise_id for e in record.prescription.exercises]


# --- 1. JSON and JSON Lines in any encoding --------------------------------------------------

JSONL_TEXT = (
    '{"patient_name": "Hélène", "exercises": "bridge"}\n{"patient_name": "Zoë", "exercises": "cat-cow"}\n'
)


@pytest.mark.parametrize(
    ("data", "options"),
    [
        (JSONL_TEXT.encode("cp1252"), {}),
        (JSONL_TEXT.encode("utf-8"), {}),
        (b"\xef\xbb\xbf" + JSONL_TEXT.encode("utf-8"), {}),
        (JSONL_TEXT.encode("utf-16"), {}),
        (JSONL_TEXT.encode("utf-16-le"), {"encoding": "utf-16-le"}),
        (JSONL_TEXT.encode("latin-1"), {"encoding": "latin-1"}),
    ],
    ids=["cp1252", "utf-8", "utf-8-bom", "utf-16-bom", "explicit-utf-16-le", "explicit-latin-1"],
)
def test_json_lines_in_any_encoding(
    tmp_path: Path, library: Library, data: bytes, options: dict[str, str]
) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes(data)
    found = read(path, library, **options)
    assert summary(found) == [(1, 1, "Hélène", True), (2, 2, "Zoë", True)]
    assert exercise_ids(found[0]) == ["bridge"]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_json_array_in_any_encoding(tmp_path: Path, library: Library, encoding: str) -> None:
    path = tmp_path / "export.json"
    rows = [
        {"patient_name": "Hélène", "exercises": "bridge"},
        {"patient_name": "Zoë", "exercises": "cat-cow"},
    ]
    path.write_bytes(json.dumps(rows, ensure_ascii=False, indent=1).encode(encoding))
    assert summary(read(path, library)) == [(1, 2, "Hélène", True), (2, 6, "Zoë", True)]


def test_explicit_encoding_wins_for_json(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.jsonl"
    path.write_bytes('{"patient_name": "Хелен", "exercises": "bridge"}\n'.encode("koi8-r"))
    assert [r.patient_name for r in read(path, library, encoding="koi8-r")] == ["Хелен"]


def test_cp1252_json_lines_batch_from_the_command_line(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    path = tmp_path / "cp.jsonl"
    path.write_bytes(b'{"patient_name": "H\xe9l\xe8ne", "exercises": "bridge"}\n')
    out = tmp_path / "out"
    result = run_cli("batch", path, "-o", out, "-j", "1", "--date", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert [m["file"] for m in read_csv(out / "manifest.csv")] == ["helene.pdf"]


# --- 2. The encoding is decided over the whole file -----------------------------------------


def late_cp1252_export(path: Path, rows: int = 400) -> Path:
    """A CSV over 64 KB, UTF-8 except for one cp1252 "é" on its last line."""
    lines = [f"P{i},Name {i} Ødegård,cat-cow,{'x' * 180}\n" for i in range(1, rows)]
    body = (CSV_HEADER + "".join(lines)).replace("Ødegård", "Odegard")
    path.write_bytes(body.encode("utf-8") + f"P{rows},Renée,cat-cow,last\n".encode("cp1252"))
    assert path.stat().st_size > 64 * 1024
    return path


def test_one_cp1252_byte_on_the_last_line_decides_the_whole_file(tmp_path: Path, library: Library) -> None:
    path = late_cp1252_export(tmp_path / "export.csv")
    assert detect_encoding(path) == "cp1252"
    found = read(path, library)
    assert len(found) == 400 and all(r.prescription is not None for r in found)
    assert [r.row for r in found] == list(range(1, 401))
    assert (found[0].patient_name, found[-1].patient_name, found[-1].line) == ("Name 1 Odegard", "Renée", 401)
    assert count_records(path) == 400


def test_a_utf8_file_with_a_character_on_the_64k_boundary_is_utf8(tmp_path: Path, library: Library) -> None:
    count = 630  # rows of 102 bytes: the last row's notes start under 1 KB before 64 KB
    rows = CSV_HEADER + "".join(f"P{i:04d},Ana,cat-cow,{'x' * 83}\n" for i in range(count))
    start = f"P{count},Zoë,cat-cow,"
    data = (rows + start).encode() + b"x" * (64 * 1024 - 1 - len((rows + start).encode())) + "é\n".encode()
    assert data[64 * 1024 - 1 : 64 * 1024 + 1] == "é".encode()  # "é" straddles the first 64 KB
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == "utf-8"
    found = read(path, library)
    assert len(found) == count + 1 and found[-1].patient_name == "Zoë"
    assert found[-1].prescription is not None and found[-1].prescription.notes is not None
    assert found[-1].prescription.notes.endswith("xé")


def test_explicit_encoding_that_does_not_decode_is_a_located_error_before_any_output(
    tmp_path: Path, library: Library, run_cli: Callable[..., Result]
) -> None:
    path = late_cp1252_export(tmp_path / "export.csv")
    with pytest.raises(RxStretchError) as caught:
        iter_records(path, library, ColumnMapping(), encoding="utf-8")  # raised at once, not when read
    assert str(caught.value).startswith(f"{path}:401: not utf-8 text (invalid continuation byte); ")
    out = tmp_path / "out"
    result = run_cli("batch", path, "-o", out, "--encoding", "utf-8")
    assert result.exit_code == 1 and result.exception is not None
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert f"{path}:401: not utf-8 text" in result.stderr
    assert not out.exists()


def test_mapping_encoding_that_does_not_decode_is_a_located_error(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes((CSV_HEADER + "P1,Renée,cat-cow,\n").encode("cp1252"))
    with pytest.raises(RxStretchError, match=r"export\.csv:2: not utf-8 text"):
        iter_records(path, library, ColumnMapping(encoding="utf-8"))


def test_neither_utf8_nor_cp1252_is_a_located_error(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes((CSV_HEADER + "P1,Renée,cat-cow,\n").encode("cp1252") + b"P2,\x81,cat-cow,\n")
    with pytest.raises(RxStretchError) as caught:
        iter_records(path, library, ColumnMapping())
    assert str(caught.value) == (
        f"{path}:3: not cp1252 text (character maps to <undefined>); give the file's encoding with --encoding"
    )


@pytest.mark.parametrize("name", ["no-such-codec", "base64"])
def test_unknown_or_non_text_encoding_is_refused(tmp_path: Path, library: Library, name: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV_HEADER + "P1,Ana,cat-cow,\n", encoding="utf-8")
    with pytest.raises(RxStretchError, match=f'unknown encoding "{name}"'):
        iter_records(path, library, ColumnMapping(), encoding=name)


def test_utf16_csv_with_bom(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes((CSV_HEADER + "P1,Hélène,cat-cow,\r\nP2,Zoë,bridge,\r\n").encode("utf-16"))
    assert detect_encoding(path) == "utf-16"
    assert summary(read(path, library)) == [(1, 2, "Hélène", True), (2, 3, "Zoë", True)]


def test_utf8_bom_then_cp1252_reads_as_cp1252_without_the_bom(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (CSV_HEADER + "P1,Renée,cat-cow,\n").encode("cp1252"))
    assert detect_encoding(path) == "cp1252"
    (record,) = read(path, library)
    assert (record.patient_id, record.patient_name, record.problems) == ("P1", "Renée", ())


ACCENTED_TEXT = st.text(alphabet=st.sampled_from("abcdefghij ;,\n\"'éèàçöüßœ€—ÉØ"), min_size=1, max_size=400)


@settings(max_examples=40, deadline=None)
@given(text=ACCENTED_TEXT, position=st.floats(0, 1))
def test_one_cp1252_byte_anywhere_in_a_large_file(
    tmp_path_factory: pytest.TempPathFactory, library: Library, text: str, position: float
) -> None:
    whole = text * (70_000 // len(text.encode()) + 1)
    valid = whole.encode()
    at = len(whole[: int(position * len(whole))].encode())  # between two characters
    data = valid[:at] + "é".encode("cp1252") + valid[at:]
    path = tmp_path_factory.mktemp("enc") / "export.csv"
    path.write_bytes(valid)
    assert len(valid) > 64 * 1024 and detect_encoding(path) == "utf-8"
    path.write_bytes(data)
    if valid.isascii():
        assert detect_encoding(path) == "cp1252"
    else:  # UTF-8 accents beside a cp1252 byte: read either way, some names would be garbled
        with pytest.raises(RxStretchError, match="mixes encodings"):
            detect_encoding(path)
    line = valid[:at].count(b"\n") + 1
    with pytest.raises(RxStretchError) as caught:
        iter_records(path, library, ColumnMapping(), encoding="utf-8")
    assert str(caught.value).startswith(f"{path}:{line}: not utf-8 text")


@settings(max_examples=60, deadline=None)
@given(text=ACCENTED_TEXT, chunk=st.integers(1, 9), bad=st.booleans(), position=st.floats(0, 1))
def test_characters_cut_between_chunks_are_not_errors(
    tmp_path_factory: pytest.TempPathFactory, text: str, chunk: int, bad: bool, position: float
) -> None:
    valid = text.encode()
    at = len(text[: int(position * len(text))].encode())  # between two characters
    path = tmp_path_factory.mktemp("chunks") / "export.csv"
    path.write_bytes(valid[:at] + b"\xe9" + valid[at:] if bad else valid)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records_module, "DECODE_CHUNK", chunk)
        if bad and not valid.isascii():  # UTF-8 accents beside a cp1252 byte
            with pytest.raises(RxStretchError, match="mixes encodings"):
                detect_encoding(path)
        else:
            assert detect_encoding(path) == ("cp1252" if bad else "utf-8")


# --- 3. A format that does not fit the path -------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "json", "jsonl"])
def test_file_format_on_a_folder_is_a_clear_error(tmp_path: Path, library: Library, kind: Format) -> None:
    with pytest.raises(RxStretchError) as caught:
        iter_records(tmp_path, library, ColumnMapping(), input_format=kind)
    assert str(caught.value) == (
        f'{tmp_path}: the format "{kind}" needs a file, but this is a folder; use the format auto or '
        "folder (a folder of prescription files, .yaml)"
    )
    with pytest.raises(RxStretchError, match="needs a file"):
        count_records(tmp_path, input_format=kind)


def test_folder_format_on_a_file_is_a_clear_error(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV_HEADER + "P1,Ana,cat-cow,\n", encoding="utf-8")
    with pytest.raises(RxStretchError) as caught:
        iter_records(path, library, ColumnMapping(), input_format="folder")
    assert str(caught.value) == (
        f'{path}: the format "folder" needs a folder of prescription files (.yaml), but this is a file; '
        "use the format auto, csv, json or jsonl"
    )
    with pytest.raises(RxStretchError, match="needs a folder"):
        count_records(path, input_format="folder")


@pytest.mark.parametrize(("target", "kind"), [("file", "folder"), ("folder", "csv"), ("folder", "jsonl")])
def test_wrong_format_from_the_command_line(
    tmp_path: Path, run_cli: Callable[..., Result], target: str, kind: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = tmp_path / "export.csv"
    path.write_text(CSV_HEADER + "P1,Ana,cat-cow,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", path if target == "file" else folder, "--format", kind, "-o", out)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)  # a usage mistake
    assert f'the format "{kind}" needs a' in result.stderr
    assert not out.exists()


def test_missing_path_is_a_clear_error(tmp_path: Path, library: Library) -> None:
    with pytest.raises(RxStretchError, match="no such file or folder"):
        iter_records(tmp_path / "nope.csv", library, ColumnMapping())


# --- 4. A quote that is never closed --------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def test_quote_never_closed_is_reported_where_it_opened(tmp_path: Path, library: Library) -> None:
    path = write(
        tmp_path / "export.csv",
        CSV_HEADER + 'P1,Ana,cat-cow,ok\nP2,Bo,cat-cow,"forgot to close\nP3,Cy,cat-cow,ok\nP4,Di,bridge,ok\n',
    )
    found = read(path, library)
    assert summary(found) == [(1, 2, "Ana", True), (2, 3, "Bo", False)]
    assert (found[1].patient_id, found[1].problems) == (
        "P2",
        (Problem(str(path), 3, "notes", NEVER_CLOSED.format(3)),),
    )


def test_quote_never_closed_after_a_multiline_cell_counts_its_lines(tmp_path: Path, library: Library) -> None:
    path = write(
        tmp_path / "export.csv",
        "patient_id,patient_name,notes,exercises\n"
        'P1,Ana,"Walk daily,\nslowly.",cat-cow\n'
        'P2,Bo,"two\nlines","cat-cow\nP3,Cy,,bridge',  # no newline at the end either
    )
    found = read(path, library)
    assert summary(found) == [(1, 2, "Ana", True), (2, 5, "Bo", False)]  # the line of the quote
    assert found[1].problems == (Problem(str(path), 5, "exercises", NEVER_CLOSED.format(5)),)


def test_quote_closed_by_a_stray_quote_rows_below(tmp_path: Path, library: Library) -> None:
    path = write(
        tmp_path / "export.csv",
        CSV_HEADER
        + 'P1,Ana,cat-cow,ok\nP2,Bo,cat-cow,"forgot to close\nP3,Cy,cat-cow,fine\nP4,Di,cat-cow,"fine"\n'
        + "P5,Ed,bridge,ok\n",
    )
    found = read(path, library)
    assert summary(found) == [(1, 2, "Ana", True), (2, 3, "Bo", False), (3, 6, "Ed", True)]
    assert found[1].problems == (
        Problem(
            str(path),
            3,
            "notes",
            "a quote opened on line 3 is closed only on line 5: what looks like whole rows on lines 4 to 5 "
            "was read into this cell",
        ),
    )


@pytest.mark.parametrize("end", ["\n", "\r\n", ""])
def test_multiline_notes_still_work(tmp_path: Path, library: Library, end: str) -> None:
    notes = "Walk daily, twice,\r\nslowly; rest.\r\nStop if it hurts, call us."
    path = write(
        tmp_path / "export.csv",
        CSV_HEADER + f'P1,Ana,cat-cow,"{notes}"\nP2,Bo,"cat-cow,bridge","two,\nlines"{end}',
    )
    found = read(path, library)
    assert summary(found) == [(1, 2, "Ana", True), (2, 5, "Bo", True)]
    assert found[0].prescription is not None and found[0].prescription.notes == notes
    assert exercise_ids(found[1]) == ["cat-cow", "bridge"]


def test_french_export_multiline_notes_are_not_runaway_quotes(library: Library) -> None:
    from rxstretch.records.mapping import load_mapping

    mapping = load_mapping(EXAMPLES / "records" / "mapping-fr.yaml")
    found = list(iter_records(EXAMPLES / "records" / "export-fr.csv", library, mapping))
    assert not any("quote" in p.message for r in found for p in r.problems)


def test_quote_open_past_the_largest_cell_stops_with_its_record(tmp_path: Path, library: Library) -> None:
    rows = "".join(f"P{i},Name {i},cat-cow,{'x' * 100}\n" for i in range(3, 2000))
    path = write(tmp_path / "export.csv", CSV_HEADER + 'P1,Ana,cat-cow,ok\nP2,Bo,cat-cow,"oops\n' + rows)
    found = read(path, library)
    assert [(r.row, r.line, r.prescription is not None) for r in found] == [(1, 2, True), (2, 3, False)]
    (problem,) = found[1].problems
    assert problem.line == 3
    assert problem.message.startswith("a quoted cell of this record is still open on line ")
    assert problem.message.endswith("is a quote never closed? Stopped reading here")


def test_unclosed_quote_from_the_command_line(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    path = write(tmp_path / "export.csv", CSV_HEADER + 'P1,Ana,cat-cow,"oops\nP2,Bo,cat-cow,ok\n')
    out = tmp_path / "out"
    result = run_cli("batch", path, "-o", out, "-j", "1")
    assert result.exit_code == 1
    assert "1 of 1 records failed" in result.stderr
    assert read_csv(out / "errors.csv") == [
        {"row": "1", "line": "2", "patient_id": "P1", "field": "notes", "reason": NEVER_CLOSED.format(2)}
    ]


# --- 5. A folder's problems name their file and line ----------------------------------------


def test_folder_problems_keep_file_and_line(tmp_path: Path, library: Library) -> None:
    folder = tmp_path / "prescriptions"
    folder.mkdir()
    bad = folder / "bad.yaml"
    bad.write_text("patient: {name: X}\nexercises:\n  - id: cat-cow\n  - id: nope\n", encoding="utf-8")
    syntax = folder / "syntax.yaml"
    syntax.write_text("patient: {name: Y\nexercises: [\n", encoding="utf-8")
    found = read(folder, library)
    assert [(r.row, r.line, r.patient_name) for r in found] == [(1, 4, "X"), (2, 2, None)]
    (unknown,) = found[0].problems
    assert (unknown.file, unknown.line, unknown.field) == (str(bad), 4, "exercises[1].id")
    assert unknown.message == 'bad.yaml:4: unknown exercise "nope"'
    (invalid,) = found[1].problems
    assert (invalid.file, invalid.line) == (str(syntax), 2)
    assert invalid.message.startswith("syntax.yaml:2: invalid YAML: ")


def test_folder_errors_csv_names_file_and_line(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    folder = tmp_path / "prescriptions"
    folder.mkdir()
    (folder / "bad.yaml").write_text("patient: {name: X}\nexercises:\n  - id: nope\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", folder, "-o", out, "-j", "1")
    assert result.exit_code == 1
    assert read_csv(out / "errors.csv") == [
        {
            "row": "1",
            "line": "3",
            "patient_id": "",
            "field": "exercises[0].id",
            "reason": 'bad.yaml:3: unknown exercise "nope"',
        }
    ]


# --- 6. No records at all -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("empty.csv", ""),
        ("header-only.csv", CSV_HEADER),
        ("blank-lines.csv", "\n\r\n  \n"),
        ("header-and-blank-rows.csv", CSV_HEADER + "\n,,,\n\n"),
        ("empty.jsonl", ""),
        ("blank.jsonl", "\n  \n"),
        ("empty-array.json", "[]"),
        ("spaced-array.json", " \n[ \n ]\n"),
        ("empty.json", ""),
    ],
)
def test_no_records_is_one_clear_error_raised_at_once(
    tmp_path: Path, library: Library, name: str, text: str
) -> None:
    path = write(tmp_path / name, text)
    with pytest.raises(RxStretchError) as caught:
        iter_records(path, library, ColumnMapping())  # not iterated: raised before any output
    assert type(caught.value) is RxStretchError
    assert str(caught.value) == f"{path} has no records"


def test_folder_without_prescriptions_has_no_records(tmp_path: Path, library: Library) -> None:
    (tmp_path / "readme.txt").write_text("not a prescription", encoding="utf-8")
    with pytest.raises(RxStretchError) as caught:
        iter_records(tmp_path, library, ColumnMapping())
    assert str(caught.value) == f"{tmp_path} has no records: no .yaml, .yml or .json (FHIR Bundle) file in it"


@pytest.mark.parametrize(("name", "text"), [("header-only.csv", CSV_HEADER), ("empty.jsonl", "")])
def test_no_records_from_the_command_line_writes_nothing(
    tmp_path: Path, run_cli: Callable[..., Result], name: str, text: str
) -> None:
    path = write(tmp_path / name, text)
    out = tmp_path / "out"
    result = run_cli("batch", path, "-o", out)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"{path} has no records" in result.stderr
    assert not out.exists()


def test_header_after_blank_lines(tmp_path: Path, library: Library) -> None:
    path = write(tmp_path / "export.csv", "\n\npatient_name;exercises\nAna;cat-cow\n")
    assert summary(read(path, library)) == [(1, 4, "Ana", True)]


# --- hostile JSON ---------------------------------------------------------------------------


def test_hostile_json_lines_become_located_problems(tmp_path: Path, library: Library) -> None:
    good = '{"patient_name": "Bo", "exercises": "cat-cow"}\n'
    lines = [
        '{"patient_name": "Ana", "sets": ' + "1" * 5000 + "}\n",
        "[" * 5000 + "]" * 5000 + "\n",
        '{"patient": {"name": "Cy", "x": ' + "[" * 600 + "]" * 600 + '}, "exercises": []}\n',
        "x" * (MAX_JSON_RECORD + 10) + "\n",
        good,
    ]
    path = write(tmp_path / "export.jsonl", "".join(lines))
    found = read(path, library)
    assert summary(found)[-1] == (5, 5, "Bo", True)
    messages = [r.problems[0].message for r in found[:4]]
    assert messages[0].startswith("unreadable JSON: Exceeds the limit")
    assert messages[1].startswith("unreadable JSON: maximum recursion depth")
    assert messages[2] == "the record is nested too deeply to be a prescription"
    assert messages[3] == f"record is larger than {MAX_JSON_RECORD} characters"
    assert [r.line for r in found] == [1, 2, 3, 4, 5]


def test_a_line_too_long_stops_reading_with_a_located_problem(
    tmp_path: Path, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_module, "MAX_LINE", 60)
    path = write(tmp_path / "export.csv", CSV_HEADER + "P1,Ana,cat-cow,ok\nP2,Bo,cat-cow," + "x" * 80 + "\n")
    found = read(path, library)
    assert summary(found) == [(1, 2, "Ana", True), (2, 3, None, False)]
    assert (
        found[1].problems[0].message
        == "unreadable CSV, stopped reading here: a line is longer than 60 characters"
    )
    assert count_records(path) == 2


def test_a_file_mixing_utf8_and_cp1252_is_refused(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(
        b"patient_id,patient_name,exercises\nP5,H\xc3\xa9l\xc3\xa8ne,bridge\nP6,Zo\xeb,bridge\n"
    )
    result = run_cli("batch", export, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 1
    assert "mixes encodings: line 2 is UTF-8 but line 3 is not" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_encoding_that_cannot_start_the_file_is_a_located_error(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(CSV_HEADER + "P1,Ana,cat-cow,\n", encoding="utf-8")
    result = run_cli("batch", export, "-o", tmp_path / "out", "--encoding", "utf-16")
    assert result.exit_code == 1 and "not utf-16 text" in result.stderr
    assert "Traceback" not in result.output


def test_a_json_object_over_several_lines_is_not_read_as_json_lines(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        '{\n  "patients": [\n    {"patient_name": "A", "exercises": "bridge"}\n  ]\n}\n', encoding="utf-8"
    )
    with pytest.raises(RxStretchError, match="one JSON object over several lines"):
        iter_records(path, library, ColumnMapping())


def test_excel_sep_line_names_the_delimiter(tmp_path: Path, library: Library) -> None:
    path = tmp_path / "export.csv"
    path.write_text("sep=;\r\npatient_id;patient_name;exercises\r\nS1;Ana;bridge\r\n", encoding="utf-8")
    (record,) = iter_records(path, library, ColumnMapping())
    assert record.patient_name == "Ana" and record.prescription is not None


@pytest.mark.parametrize(
    "data",
    [
        b'\n{"patient_name": "A", "exercises": "bridge"}\n',
        '{"patient_name": "A", "exercises": "bridge"}\n'.encode("utf-16"),
    ],
)
def test_json_lines_in_a_json_file_with_a_bom_or_a_blank_first_line(
    tmp_path: Path, library: Library, data: bytes
) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(data)
    (record,) = iter_records(path, library, ColumnMapping())
    assert record.patient_name == "A" and record.prescription is not None


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "export.json",
            '[{"patient_name": "A", "exercises": "bridge", "sets": 2, "sets": 3}, '
            '{"patient_name": "B", "exercises": "bridge"}]',
        ),
        (
            "export.jsonl",
            '{"patient_name": "A", "exercises": "bridge", "sets": 2, "sets": 3}\n'
            '{"patient_name": "B", "exercises": "bridge"}\n',
        ),
    ],
)
def test_a_key_written_twice_fails_its_record_only(
    tmp_path: Path, library: Library, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    first, second = iter_records(path, library, ColumnMapping())
    assert first.prescription is None
    assert any('"sets" written twice' in problem.message for problem in first.problems)
    assert second.prescription is not None
