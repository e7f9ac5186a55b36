"""Where a handout may be written: clear errors, never a traceback, never over an input."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rxstretch.errors import OutputExistsError, RxStretchError
from rxstretch.output import sync_files, write_atomic

from .conftest import EXAMPLES

PRESCRIPTION = EXAMPLES / "low-back.yaml"


def test_output_naming_a_folder_is_a_clear_error(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "adir"
    folder.mkdir()
    for extra in ((), ("--force",)):
        result = run_cli("generate", PRESCRIPTION, "-o", folder, *extra)
        assert result.exit_code == 1, result.output
        assert f"{folder} is a folder; give a file name such as {folder / 'handout.pdf'}" in result.stderr
        assert "Traceback" not in result.output


def test_output_under_a_file_says_it_is_a_file(run_cli, tmp_path: Path) -> None:
    prescription = tmp_path / "ok.yaml"
    shutil.copy(PRESCRIPTION, prescription)
    result = run_cli("generate", prescription, "-o", prescription / "x.pdf")
    assert result.exit_code == 1
    assert f"{prescription} is a file, not a folder" in result.stderr


@pytest.mark.parametrize("which", ["prescription", "brand"])
def test_output_equal_to_an_input_is_refused_even_with_force(run_cli, tmp_path: Path, which: str) -> None:
    prescription, brand = tmp_path / "ok.yaml", tmp_path / "brand.yaml"
    shutil.copy(PRESCRIPTION, prescription)
    shutil.copy(EXAMPLES / "brand.yaml", brand)
    target = prescription if which == "prescription" else brand
    before = target.read_bytes()
    result = run_cli("generate", prescription, "--brand", brand, "-o", target, "--force")
    assert result.exit_code == 1, result.output
    assert "is also an input" in result.stderr
    assert target.read_bytes() == before


def test_unwritable_folder_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("rxstretch.output.tempfile.mkstemp", refuse)
    with pytest.raises(RxStretchError, match=r"cannot write to .*: permission denied"):
        write_atomic(tmp_path / "x.pdf", b"%PDF-")


def test_full_disk_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("rxstretch.output.os.fsync", full)
    with pytest.raises(RxStretchError, match="the disk is full"):
        write_atomic(tmp_path / "x.pdf", b"%PDF-")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_read_only_folder_through_the_cli(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = run_cli("generate", PRESCRIPTION, "-o", folder / "x.pdf")
    finally:
        folder.chmod(0o700)
    assert result.exit_code == 1
    assert "permission denied" in result.stderr


def test_a_name_not_ending_in_pdf_warns(run_cli, tmp_path: Path) -> None:
    output = tmp_path / "x.docx"
    result = run_cli("generate", PRESCRIPTION, "-o", output)
    assert result.exit_code == 0, result.output
    assert "x.docx does not end in .pdf" in result.stderr
    assert output.read_bytes().startswith(b"%PDF-")


@pytest.mark.skipif(sys.platform != "linux", reason="uses a Linux pseudo-terminal")
def test_output_dash_refuses_a_terminal(tmp_path: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "rxstretch", "generate", str(PRESCRIPTION), "-o", "-"],
            stdout=follower,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert completed.returncode == 2
    assert b"redirect it to a file or a pipe" in completed.stderr


def test_batch_output_equal_to_an_input_is_refused(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "prescriptions"
    folder.mkdir()
    shutil.copy(PRESCRIPTION, folder / "a.yaml")
    result = run_cli("batch", folder, "-o", folder)
    assert result.exit_code == 1
    assert "is also the input folder" in result.stderr
    mapping = EXAMPLES / "records" / "mapping-fr.yaml"
    result = run_cli("batch", EXAMPLES / "records" / "export-fr.csv", "--map", mapping, "-o", mapping)
    assert result.exit_code == 2
    assert "is a file" in result.stderr
    assert list(folder.iterdir()) == [folder / "a.yaml"]


def test_write_without_sync_is_still_atomic_and_never_overwrites(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fsync(_fd: int) -> None:
        raise AssertionError("fsync called")

    monkeypatch.setattr("rxstretch.output.os.fsync", no_fsync)
    target = tmp_path / "x.pdf"
    write_atomic(target, b"%PDF-1", sync=False)
    with pytest.raises(OutputExistsError):
        write_atomic(target, b"%PDF-2", sync=False)
    assert target.read_bytes() == b"%PDF-1"
    write_atomic(target, b"%PDF-3", sync=False, force=True)
    assert target.read_bytes() == b"%PDF-3"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]  # no temporary file left


def test_sync_files_syncs_each_file_then_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real = os.fsync

    def record(fd: int) -> None:
        synced.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real(fd)

    if not Path("/proc/self/fd").is_dir():
        pytest.skip("reads /proc")
    for name in ("a.pdf", "b.json"):
        write_atomic(tmp_path / name, b"data", sync=False)
    monkeypatch.setattr("rxstretch.output.os.fsync", record)
    sync_files([tmp_path / "a.pdf", tmp_path / "b.json"], tmp_path)
    assert synced == ["a.pdf", "b.json", tmp_path.name]
