"""docs/scale-out.md, run: its shard script started as a Slurm array task, a Kubernetes
Indexed Job pod and by hand, as separate processes into one folder, then batch-merge; the
merged reports and the handouts are those of one unsharded run."""

from __future__ import annotations

import csv
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

import rxstretch
from tests.conftest import FIXED_DATE, REPO

SHARDS = 3
EXERCISES = ["cat-cow", "knees-to-chest", "bridge", "pelvic-tilt"]


def export(path: Path) -> Path:
    rows = [["patient_id", "patient_name", "exercises"]]
    for n in range(1, 11):
        rows.append([f"P{n}", f"Patient {n}", EXERCISES[n % len(EXERCISES)]])
    rows.append(["P11", "Patient 1", "no-such-exercise"])  # fails, in shard 2 of 3
    rows.append(["P1", "Patient 1", "bridge"])  # as row 1: a -2 suffix, given across shards
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows(rows)
    return path


def shard_script(tmp_path: Path) -> Path:
    text = (REPO / "docs" / "scale-out.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- shard-script -->\n```sh\n(.*?)```", text, re.S)
    assert match is not None, "docs/scale-out.md lost its shard script"
    script = tmp_path / "rxstretch-shard.sh"
    script.write_text(match.group(1), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def run_shards(tmp_path: Path, records: Path, out: Path) -> None:
    script = shard_script(tmp_path)
    base = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "EXPORT": str(records),
        "OUT": str(out),
        "DATE": FIXED_DATE.isoformat(),
    }
    for name in ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "JOB_COMPLETION_INDEX"):
        base.pop(name, None)
    tasks = [  # how each scheduler tells the script K and N
        ({"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": str(SHARDS)}, []),
        ({"JOB_COMPLETION_INDEX": "1", "SHARDS": str(SHARDS)}, []),
        ({}, ["3", str(SHARDS)]),  # GNU parallel: rxstretch-shard.sh {} 3
    ]
    processes = [
        subprocess.Popen([str(script), *args], env={**base, **extra}, stderr=subprocess.PIPE)
        for extra, args in tasks
    ]
    for process in processes:  # all three at once, into one folder
        _, stderr = process.communicate(timeout=600)
        assert process.returncode in (0, 1), stderr.decode()


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script")
def test_the_documented_recipe_gives_the_reports_of_one_unsharded_run(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    records, out = export(tmp_path / "export.csv"), tmp_path / "shared" / "handouts"
    run_shards(tmp_path, records, out)
    assert sorted(p.name for p in out.glob("*-of-*.csv")) == [
        f"{kind}-{k}-of-{SHARDS}.csv" for kind in ("errors", "manifest") for k in range(1, SHARDS + 1)
    ]
    merged = run_cli("batch-merge", out)
    assert merged.exit_code == 1, merged.output  # row 11 failed
    assert "11 handouts, 1 failed" in merged.stderr

    reference = rxstretch.run_batch(records, tmp_path / "reference", jobs=1, today=FIXED_DATE, use_env=False)
    assert read_csv(out / "manifest.csv") == read_csv(reference.manifest)
    assert read_csv(out / "errors.csv") == read_csv(reference.errors)
    for entry in read_csv(reference.manifest):
        assert (out / entry["file"]).read_bytes() == (tmp_path / "reference" / entry["file"]).read_bytes()
    assert "p1-patient-1-2.pdf" in {entry["file"] for entry in read_csv(out / "manifest.csv")}

    # After the merge, an unsharded --resume trusts the merged manifest: nothing is redone.
    resumed = rxstretch.run_batch(records, out, jobs=1, today=FIXED_DATE, use_env=False, resume=True)
    assert (resumed.written, resumed.unchanged, resumed.failed) == (0, 11, 1)


def test_a_missing_or_unfinished_shard_is_named_and_nothing_is_merged(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    records, out = export(tmp_path / "export.csv"), tmp_path / "out"
    for k in (1, 3):
        rxstretch.run_batch(records, out, jobs=1, today=FIXED_DATE, use_env=False, shard=(k, SHARDS))
    result = run_cli("batch-merge", out)
    assert result.exit_code == 1
    assert "shard 2/3 has not run" in result.stderr and "--shard K/N (N = 3; --resume" in result.stderr
    (out / ".manifest-2-of-3.csv.part").write_text("row,file\n", encoding="utf-8")  # stopped
    result = run_cli("batch-merge", out)
    assert "shard 2/3 was interrupted or is still running" in result.stderr
    assert not (out / "manifest.csv").exists()

    rxstretch.run_batch(records, out, jobs=1, today=FIXED_DATE, use_env=False, shard=(2, SHARDS), resume=True)
    assert run_cli("batch-merge", out).exit_code == 1  # merged; row 11 failed
    again = run_cli("batch-merge", out)
    assert again.exit_code == 1 and "--force" in again.stderr  # never replaced silently
    with pytest.raises(rxstretch.RxStretchError, match="force=True"):
        rxstretch.merge_batch(out)
    assert rxstretch.merge_batch(out, force=True).rows == 12


def test_a_folder_without_shards_or_with_two_batches_is_refused(tmp_path: Path) -> None:
    records = export(tmp_path / "export.csv")
    with pytest.raises(rxstretch.RxStretchError, match="no shard reports"):
        rxstretch.merge_batch(tmp_path)
    out = tmp_path / "out"
    rxstretch.run_batch(records, out, jobs=1, today=FIXED_DATE, use_env=False, shard=(1, 2))
    rxstretch.run_batch(records, out, jobs=1, today=FIXED_DATE, use_env=False, shard=(1, 3))
    with pytest.raises(rxstretch.RxStretchError, match=r"different batches \(N = 2, 3\)"):
        rxstretch.merge_batch(out)
