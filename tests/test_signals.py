"""Real signals on a real batch in a subprocess: SIGTERM stops it like Ctrl-C (exit 143,
partial manifest kept, --resume finishes it), and no worker outlives its parent, SIGKILL
included."""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import rxstretch
from tests.conftest import FIXED_DATE

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

EXERCISES = ["cat-cow", "knees-to-chest", "bridge", "pelvic-tilt", "chin-tuck"]
RECORDS = 80
# Waits for a subprocess to reach a state, never assertions about speed: generous on purpose.
PATIENCE_SECONDS = 120
# Workers check for their parent every half second; "within seconds", even on a busy machine.
ORPHAN_SECONDS = 20


def export(path: Path, rows: int = RECORDS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["patient_id", "patient_name", "exercises"])
        for n in range(1, rows + 1):
            chosen = [EXERCISES[(n + k) % len(EXERCISES)] for k in range(3)]
            writer.writerow([f"P{n:03d}", f"Patient {n}", "|".join(chosen)])
    return path


def command(records: Path, out: Path, *extra: str) -> list[str]:
    return [
        *(sys.executable, "-m", "rxstretch", "batch", str(records), "-o", str(out)),
        *("-j", "2", "--date", FIXED_DATE.isoformat(), *extra),
    ]


def start(records: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command(records, out), stderr=subprocess.PIPE, start_new_session=True)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def wait_for(condition: object, what: str, seconds: float = PATIENCE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def rows_made(partial: Path) -> int:
    try:
        return max(len(partial.read_text(encoding="utf-8-sig").splitlines()) - 1, 0)
    except FileNotFoundError:
        return 0


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its entry waits to be reaped


@pytest.fixture
def strays() -> Iterator[list[int]]:
    """Processes a failing test would leave behind: killed after the test, whatever happened."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("to_group", [False, True], ids=["parent-only", "whole-group"])
def test_sigterm_stops_the_batch_like_ctrl_c_and_resume_finishes_it(
    tmp_path: Path, to_group: bool, strays: list[int]
) -> None:
    records, out = export(tmp_path / "in.csv"), tmp_path / "out"
    process = start(records, out)
    strays.append(process.pid)
    partial = out / ".manifest.csv.part"
    wait_for(lambda: rows_made(partial) >= 3, "the first handouts")
    workers = children(process.pid)
    strays += workers
    if to_group:  # Slurm and systemd signal every process of the job
        os.killpg(process.pid, signal.SIGTERM)
    else:  # timeout(1) and Kubernetes signal the main process
        process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=PATIENCE_SECONDS)
    assert process.returncode == 143, stderr.decode()
    assert "terminated: run the same command with --resume" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert not (out / "manifest.csv").exists()
    kept = read_csv(partial)
    assert 3 <= len(kept) < RECORDS
    assert all(sha256(out / entry["file"]) == entry["sha256"] for entry in kept)
    wait_for(lambda: not any(alive(pid) for pid in workers), "the workers to exit", ORPHAN_SECONDS)

    resumed = subprocess.run(
        command(records, out, "--resume"), capture_output=True, timeout=PATIENCE_SECONDS * 3
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    manifest = read_csv(out / "manifest.csv")
    assert [entry["row"] for entry in manifest] == [str(n) for n in range(1, RECORDS + 1)]
    assert all(sha256(out / entry["file"]) == entry["sha256"] for entry in manifest)
    by_file = {entry["file"]: entry for entry in manifest}
    assert all(by_file[entry["file"]]["status"] == "unchanged" for entry in kept)
    # The same bytes as a batch that was never stopped, for the first records.
    reference = rxstretch.run_batch(
        export(tmp_path / "first.csv", 4), tmp_path / "reference", jobs=1, today=FIXED_DATE, use_env=False
    )
    for entry in read_csv(reference.manifest):
        assert by_file[entry["file"]]["sha256"] == entry["sha256"]


def test_no_worker_outlives_a_killed_parent(tmp_path: Path, strays: list[int]) -> None:
    out = tmp_path / "out"
    process = start(export(tmp_path / "in.csv"), out)
    strays.append(process.pid)
    wait_for(lambda: rows_made(out / ".manifest.csv.part") >= 1, "the first handout")
    workers = children(process.pid)
    strays += workers
    assert len(workers) >= 2
    process.kill()
    process.communicate(timeout=PATIENCE_SECONDS)
    wait_for(lambda: not any(alive(pid) for pid in workers), "the orphaned workers to exit", ORPHAN_SECONDS)
