"""The batch runner and ``rxstretch batch``: reports, names, resume, shards, workers, the API."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import rxstretch
from rxstretch.batch import safe_cell
from tests.conftest import EXAMPLES, FIXED_DATE

FRENCH = ["--map", EXAMPLES / "records" / "mapping-fr.yaml"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def write_export(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["patient_id,patient_name,exercises"] + [",".join(f'"{c}"' for c in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_french_export_end_to_end(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    out = tmp_path / "out"
    result = run_cli("batch", EXAMPLES / "records" / "export-fr.csv", *FRENCH, "-o", out, "-j", "1")
    assert result.exit_code == 1
    assert "3 of 6 records failed" in result.stderr
    manifest = read_csv(out / "manifest.csv")
    assert [(m["row"], m["file"], m["language"]) for m in manifest] == [
        ("1", "p-0042-jeanne-dupont.pdf", "fr"),
        ("2", "p-0043-eloise-lefevre.pdf", "fr"),
        ("4", "p-0045-hyperlink-x-benoit.pdf", "en"),
    ]
    assert all(int(m["pages"]) >= 1 and len(m["sha256"]) == 64 for m in manifest)
    errors = read_csv(out / "errors.csv")
    assert [(e["row"], e["line"], e["patient_id"], e["field"][:9]) for e in errors] == [
        ("3", "5", "P-0044", "exercises"),
        ("5", "7", "P-0046", "sets"),
        ("5", "7", "P-0046", "date"),
        ("6", "8", "P-0047", "exercises"),  # the safety check names exercises[0]
    ]
    assert 'unknown exercise "planche costale"' in errors[0]["reason"]
    assert "acute-disc-herniation" in errors[3]["reason"]
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(m["file"] for m in manifest)


def test_hostile_names_stay_inside_and_distinct(tmp_path: Path) -> None:
    rows = [
        ("", "../../x", "cat-cow"),
        ("", "CON", "cat-cow"),
        ("", "///", "cat-cow"),
        ("", "Ana", "cat-cow"),
    ]
    rows += [("", "Ana", "cat-cow"), ("=cmd|' /C calc'!A0", "", "cat-cow")]
    export = write_export(tmp_path / "in.csv", rows)
    out = tmp_path / "out"
    result = rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False)
    files = sorted(p.name for p in out.iterdir() if p.suffix == ".pdf")
    assert files == ["ana-2.pdf", "ana.pdf", "con-file.pdf", "patient.pdf", "x.pdf"]
    assert not (tmp_path / "x.pdf").exists()
    assert (result.written, result.failed) == (5, 1)
    (error,) = read_csv(out / "errors.csv")
    assert error["patient_id"].startswith("'=") and error["field"] == "patient_name"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)"])
def test_formula_cells_are_defused(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell
    assert safe_cell("P-1") == "P-1"


def test_existing_files_need_force_or_resume(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow"), ("P2", "Bo", "chin-tuck")])
    out = tmp_path / "out"
    args = ["batch", export, "-o", out, "-j", "1", "--date", "2026-11-26"]
    assert run_cli(*args).exit_code == 0
    first = (out / "p1-ana.pdf").stat().st_mtime_ns
    # A plain rerun is refused before anything is touched: the manifest of the first stays.
    again = run_cli(*args)
    assert again.exit_code == 1 and "already holds this batch" in again.stderr and "--resume" in again.stderr
    assert [m["status"] for m in read_csv(out / "manifest.csv")] == ["written", "written"]
    resumed = run_cli(*args, "--resume")
    assert resumed.exit_code == 0, resumed.stderr
    assert [m["status"] for m in read_csv(out / "manifest.csv")] == ["unchanged", "unchanged"]
    assert (out / "p1-ana.pdf").stat().st_mtime_ns == first
    # A changed record is redone only with --force; the unchanged one is still skipped.
    write_export(export, [("P1", "Ana", "cat-cow"), ("P2", "Bo", "chin-tuck;pelvic-tilt")])
    assert run_cli(*args, "--resume").exit_code == 1
    assert run_cli(*args, "--resume", "--force").exit_code == 0
    assert [m["status"] for m in read_csv(out / "manifest.csv")] == ["unchanged", "written"]


def test_resume_without_manifest_compares_content(tmp_path: Path) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    out = tmp_path / "out"
    rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False)
    (out / "manifest.csv").unlink()
    result = rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False, resume=True)
    assert (result.unchanged, result.failed) == (1, 0)


def test_shards_cover_every_row_once(tmp_path: Path) -> None:
    rows = [(f"P{n}", "Same Name", "cat-cow") for n in range(7)]
    export = write_export(tmp_path / "in.csv", rows)
    whole = rxstretch.run_batch(export, tmp_path / "whole", jobs=1, today=FIXED_DATE, use_env=False)
    seen: list[tuple[str, str]] = []
    for k in (1, 2, 3):
        result = rxstretch.run_batch(
            export, tmp_path / "shards", jobs=1, today=FIXED_DATE, use_env=False, shard=(k, 3)
        )
        assert result.manifest.name == f"manifest-{k}-of-3.csv"
        seen += [(m["row"], m["file"]) for m in read_csv(result.manifest)]
    expected = [(m["row"], m["file"]) for m in read_csv(whole.manifest)]
    assert sorted(seen, key=lambda s: int(s[0])) == expected
    assert len(expected) == 7


def test_cli_rejects_bad_shard(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    result = run_cli("batch", export, "-o", tmp_path / "out", "--shard", "4/3")
    assert result.exit_code == 2 and "K/N" in result.stderr


def test_two_workers_write_the_same_bytes(tmp_path: Path) -> None:
    rows = [(f"P{n}", f"Patient {n}", "cat-cow;knees-to-chest;chin-tuck") for n in range(6)]
    export = write_export(tmp_path / "in.csv", rows)
    outputs = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        rxstretch.run_batch(export, out, jobs=jobs, today=FIXED_DATE, use_env=False)
        outputs[jobs] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert outputs[1] == outputs[2]
    assert len([n for n in outputs[1] if n.endswith(".pdf")]) == 6


def test_api_run_batch_with_jsonl(tmp_path: Path) -> None:
    calls: list[int] = []
    result = rxstretch.run_batch(
        EXAMPLES / "records" / "patients.jsonl",
        tmp_path / "out",
        jobs=1,
        today=FIXED_DATE,
        use_env=False,
        progress=calls.append,
    )
    assert (result.rows, result.written, result.failed) == (3, 3, 0)
    assert calls == [1, 1, 1]
    assert [m["patient_id"] for m in read_csv(result.manifest)] == ["P-0101", "P-0042", "P-0103"]
    assert read_csv(result.errors) == []


def test_workers_write_the_same_files_as_one_process_and_as_generate(tmp_path: Path, library) -> None:
    folder = tmp_path / "prescriptions"
    folder.mkdir()
    for name in ("low-back.yaml", "bas-du-dos.yaml"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    made = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs-{jobs}"
        result = rxstretch.run_batch(folder, out, jobs=jobs, today=FIXED_DATE, use_env=False)
        assert (result.written, result.failed) == (2, 0)
        made[jobs] = {m["file"]: (out / m["file"]).read_bytes() for m in read_csv(out / "manifest.csv")}
    assert made[1] == made[2]
    # Whatever each renderer drew before, the same prescription gives the same bytes.
    for name in ("low-back.yaml", "bas-du-dos.yaml"):
        prescription = rxstretch.load_prescription(folder / name, library)
        alone = rxstretch.render_handout(prescription, library=library, today=FIXED_DATE)
        assert alone in made[1].values()


def test_resume_after_a_plain_run_renders_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rxstretch.batch

    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow"), ("P2", "Bo", "chin-tuck")])
    out = tmp_path / "out"
    rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False)

    def must_not_render(job: object) -> None:
        raise AssertionError(f"rendered again: {job}")

    monkeypatch.setattr(rxstretch.batch, "render_job", must_not_render)
    result = rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False, resume=True)
    assert (result.unchanged, result.written, result.failed) == (2, 0, 0)


def test_output_folder_that_cannot_be_made_is_a_clear_error(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli("batch", export, "-o", blocker / "out", "-j", "1")
    assert result.exit_code == 1
    assert f"{blocker / 'out'}: cannot write there" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unreadable_export_leaves_nothing_behind(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    export = tmp_path / "in.csv"
    export.write_text("patient_id,patient_name\nP1,Ana\n", encoding="utf-8")  # no exercises column
    out = tmp_path / "out"
    result = run_cli("batch", export, "-o", out, "-j", "1")
    assert result.exit_code == 1 and "exercises" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--delimiter", ";;", "must be one character"), ("--encoding", "latin-9x", "unknown")],
)
def test_impossible_csv_options_are_usage_errors(
    tmp_path: Path, run_cli: Callable[..., Result], option: str, value: str, message: str
) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    result = run_cli("batch", export, "-o", tmp_path / "out", option, value)
    assert result.exit_code == 2 and message in result.stderr
    with pytest.raises(rxstretch.RxStretchError, match=message):
        rxstretch.run_batch(export, tmp_path / "out", **{option.strip("-"): value}, use_env=False)  # type: ignore[arg-type]


def test_api_reports_a_missing_export_as_an_rxstretch_error(tmp_path: Path) -> None:
    with pytest.raises(rxstretch.RxStretchError, match="no such file"):
        rxstretch.run_batch(tmp_path / "nope.csv", tmp_path / "out", use_env=False)
    assert not (tmp_path / "out").exists()


def test_a_refused_exercise_says_how_to_override_it_in_the_export(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text(
        "patient_id,patient_name,exercises,conditions,overrides\n"
        "P1,Ana,knees-to-chest,acute-disc-herniation,\n"
        "P2,Bo,knees-to-chest,acute-disc-herniation,knees-to-chest / acute-disc-herniation: seen by Dr B\n",
        encoding="utf-8",
    )
    result = rxstretch.run_batch(export, tmp_path / "out", jobs=1, today=FIXED_DATE, use_env=False)
    assert (result.written, result.failed) == (1, 1)
    (error,) = read_csv(result.errors)
    assert error["row"] == "1" and error["field"] == "exercises[0]"
    assert 'write "knees-to-chest / acute-disc-herniation: <reason>"' in error["reason"]
    assert "--allow" not in error["reason"]
    (entry,) = read_csv(result.manifest)
    assert "seen by Dr B" in entry["overrides"]


def test_progress_bar_is_left_out_when_the_export_cannot_be_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import rxstretch.records
    from rxstretch.cli.batch import _progress

    def broken(*_: object, **__: object) -> int:
        raise UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(rxstretch.records, "count_records", broken)
    with _progress(tmp_path / "x.csv", "auto", None, None, (1, 1)) as progress:
        assert progress is None


CJK_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")


@pytest.mark.skipif(
    not CJK_FONT.exists(), reason="needs Debian's fonts-droid-fallback (installed by .ci/run)"
)
def test_batch_takes_a_font_for_other_scripts(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "王芳", "cat-cow")])
    without = run_cli("batch", export, "-o", tmp_path / "a", "-j", "1")
    assert without.exit_code == 0  # made, with marks where the name is, and a warning
    (entry,) = read_csv(tmp_path / "a" / "manifest.csv")
    assert "Patient: no font has '王' U+738B, '芳' U+82B3" in entry["warnings"]
    assert "--font" in entry["warnings"]
    with_font = run_cli("batch", export, "-o", tmp_path / "b", "-j", "1", "--font", CJK_FONT)
    assert with_font.exit_code == 0, with_font.stderr
    (entry,) = read_csv(tmp_path / "b" / "manifest.csv")
    assert "no font has" not in entry["warnings"]


def test_manifest_lists_the_cautions_printed_on_the_sheet(tmp_path: Path) -> None:
    export = tmp_path / "in.csv"
    export.write_text(
        "patient_id,patient_name,exercises,conditions\nP1,Ana,knees-to-chest,osteoporosis\n", encoding="utf-8"
    )
    result = rxstretch.run_batch(export, tmp_path / "out", jobs=1, today=FIXED_DATE, use_env=False)
    (entry,) = read_csv(result.manifest)
    assert "knees-to-chest: caution with osteoporosis" in entry["warnings"]


def test_columns_nothing_reads_are_named_on_stderr(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    export = tmp_path / "in.csv"
    export.write_text("patient_id,patient_name,exercises,phone\nP1,Ana,cat-cow,0600\n", encoding="utf-8")
    result = run_cli("batch", export, "-o", tmp_path / "out", "-j", "1")
    assert result.exit_code == 0 and "ignored columns: phone" in result.stderr


def test_folder_records_report_the_line_in_their_own_file(tmp_path: Path) -> None:
    folder = tmp_path / "prescriptions"
    folder.mkdir()
    (folder / "ana.yaml").write_text(
        "patient: {name: Ana}\nconditions: [acute-disc-herniation]\nexercises:\n"
        "  - id: cat-cow\n  - id: knees-to-chest\n",
        encoding="utf-8",
    )
    result = rxstretch.run_batch(folder, tmp_path / "out", jobs=1, today=FIXED_DATE, use_env=False)
    (error,) = read_csv(result.errors)
    assert (error["line"], error["field"]) == ("5", "exercises[1]")
    assert "add to the file: overrides:" in error["reason"]


def test_an_interrupted_batch_is_refused_without_resume(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    out = tmp_path / "out"
    out.mkdir()
    (out / ".manifest.csv.part").write_text("row,file\n", encoding="utf-8")  # left by Ctrl-C
    result = run_cli("batch", export, "-o", out, "-j", "1")
    assert result.exit_code == 1 and "an interrupted batch" in result.stderr and "--resume" in result.stderr
    assert run_cli("batch", export, "-o", out, "-j", "1", "--resume").exit_code == 0
    assert not (out / ".manifest.csv.part").exists()


def test_a_file_that_is_no_font_stops_the_batch_before_anything(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    result = run_cli("batch", export, "-o", tmp_path / "out", "--font", export)
    assert result.exit_code == 1 and "cannot use this font" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_name_too_long_is_a_clear_error(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    result = run_cli("batch", export, "-o", tmp_path / ("x" * 300))
    assert result.exit_code == 1 and "cannot use this folder" in result.stderr


def test_api_takes_one_library_folder_as_a_string_and_bounds_jobs(tmp_path: Path) -> None:
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    with pytest.raises(rxstretch.RxStretchError, match="give 1 to 256"):
        rxstretch.run_batch(export, tmp_path / "out", jobs=0, use_env=False)
    with pytest.raises(rxstretch.RxStretchError, match=r"give a datetime\.date"):
        rxstretch.run_batch(export, tmp_path / "out", today="2026-11-26", use_env=False)  # type: ignore[arg-type]
    with pytest.raises(rxstretch.RxStretchError, match='unknown language "xx"'):
        rxstretch.run_batch(export, tmp_path / "out", language="xx", use_env=False)
    with pytest.raises(rxstretch.RxStretchError) as caught:
        rxstretch.run_batch(export, tmp_path / "out", libraries=str(tmp_path / "nolib"), use_env=False)
    assert "nolib" in str(caught.value) and "n, o" not in str(caught.value)


def test_resume_redoes_handouts_when_the_font_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rxstretch.batch
    from rxstretch.resources import package_file

    fonts = package_file("fonts")
    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow")])
    out = tmp_path / "out"
    run = rxstretch.run_batch
    run(export, out, jobs=1, today=FIXED_DATE, use_env=False, font=fonts / "DejaVuSans.ttf")
    rendered: list[object] = []
    real = rxstretch.batch.render_job
    monkeypatch.setattr(rxstretch.batch, "render_job", lambda job: rendered.append(job) or real(job))
    run(export, out, jobs=1, today=FIXED_DATE, use_env=False, resume=True, font=fonts / "DejaVuSans.ttf")
    assert rendered == []
    run(export, out, jobs=1, today=FIXED_DATE, use_env=False, resume=True, font=fonts / "DejaVuSans-Bold.ttf")
    assert len(rendered) == 1


def test_the_manifest_lists_a_file_only_once_it_is_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rxstretch.batch.durable
    from rxstretch.batch import partial_path

    rows = [(f"P{n}", f"Patient {n}", "cat-cow") for n in range(5)]
    export = write_export(tmp_path / "in.csv", rows)
    out = tmp_path / "out"
    synced: list[str] = []
    real = rxstretch.batch.durable.sync_files

    def checked(paths: list[Path], folder: Path) -> None:
        listed = {m["file"] for m in read_csv(partial_path(out / "manifest.csv"))}
        assert not listed & {p.name for p in paths}, "listed before it was synced"
        real(paths, folder)
        synced.extend(p.name for p in paths)

    monkeypatch.setattr(rxstretch.batch.durable, "sync_files", checked)
    monkeypatch.setattr(rxstretch.batch.durable, "GROUP_FILES", 2)
    result = rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False, fhir=True)
    made = sorted(m["file"] for m in read_csv(result.manifest))
    assert len(made) == 5
    assert sorted(synced) == sorted([*made, *(m.replace(".pdf", ".json") for m in made)])


def test_a_disk_that_cannot_sync_stops_the_batch_and_resume_makes_the_files_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import rxstretch.batch.durable
    from rxstretch.batch import partial_path

    export = write_export(tmp_path / "in.csv", [("P1", "Ana", "cat-cow"), ("P2", "Bo", "chin-tuck")])
    out = tmp_path / "out"

    def failing(paths: list[Path], folder: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(rxstretch.batch.durable, "sync_files", failing)
    with pytest.raises(rxstretch.RxStretchError, match="the batch stopped: Input/output error"):
        rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False)
    assert read_csv(partial_path(out / "manifest.csv")) == []
    assert not list(out.glob("*.pdf"))  # maybe only in memory: removed, not trusted
    monkeypatch.undo()
    result = rxstretch.run_batch(export, out, jobs=1, today=FIXED_DATE, use_env=False, resume=True)
    assert (result.written, result.failed) == (2, 0)
