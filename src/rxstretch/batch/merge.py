"""Merge the reports of a sharded batch: ``manifest-K-of-N.csv`` and ``errors-K-of-N.csv``
written by ``batch --shard K/N`` into one folder become its ``manifest.csv`` and ``errors.csv``.

Every shard must be there and finished: a merged manifest that silently lacks a shard would
send patients' handouts missing without a word. Rows are put back in record order, so the
merged reports are those of one unsharded run (which ``batch --resume`` then trusts).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from rxstretch.batch import (
    ERROR_COLUMNS,
    MANIFEST_COLUMNS,
    BatchResult,
    CsvReport,
    partial_path,
)
from rxstretch.errors import OutputExistsError, RxStretchError
from rxstretch.model.frozen import frozen

_SHARD_REPORT = re.compile(r"^manifest-(\d+)-of-(\d+)\.csv$")


@frozen
class _Shard:
    number: int
    count: int
    manifest: Path
    errors: Path


def merge_shards(folder: Path, *, force: bool = False) -> BatchResult:
    """Merge the shard reports in ``folder`` into ``manifest.csv`` and ``errors.csv``.

    Raises RxStretchError when the folder has no shard reports, mixes shard counts, or misses
    a shard (naming it, and whether it was interrupted); OutputExistsError when the folder
    already has a ``manifest.csv`` and ``force`` is not set. The shard reports are kept.
    """
    shards = _shards(folder)
    manifest, errors = folder / "manifest.csv", folder / "errors.csv"
    if not force and (manifest.exists() or errors.exists()):
        raise OutputExistsError(f"{manifest}: already exists; use {{force}} to replace it with the merge")
    entries = sorted((row for s in shards for row in _rows(s.manifest)), key=_row_number)
    problems = sorted((row for s in shards for row in _rows(s.errors)), key=_row_number)
    # Names are allocated over all records, whatever the shard: two shards naming one file
    # means the shards were not run on the same export.
    seen: dict[str, str] = {}
    for entry in entries:
        if entry["file"] in seen:
            raise RxStretchError(
                f"{folder}: rows {seen[entry['file']]} and {entry['row']} both made {entry['file']}; "
                "were all shards run on the same export with the same options?"
            )
        seen[entry["file"]] = entry["row"]
    with (
        CsvReport(manifest, MANIFEST_COLUMNS) as manifest_out,
        CsvReport(errors, ERROR_COLUMNS) as errors_out,
    ):
        for entry in entries:
            manifest_out.write(entry)
        for problem in problems:
            errors_out.write(problem)
    failed = len({problem["row"] for problem in problems})
    written = sum(entry["status"] == "written" for entry in entries)
    unchanged = sum(entry["status"] == "unchanged" for entry in entries)
    return BatchResult(len(entries) + failed, written, unchanged, failed, manifest, errors)


def _shards(folder: Path) -> list[_Shard]:
    if not folder.is_dir():
        raise RxStretchError(f"{folder}: no such folder")
    found: dict[int, set[int]] = {}
    for path in folder.iterdir():
        match = _SHARD_REPORT.match(path.name)
        if match:
            found.setdefault(int(match.group(2)), set()).add(int(match.group(1)))
    unfinished = sorted(p.name for p in folder.glob(".manifest-*-of-*.csv.part"))
    if not found and not unfinished:
        raise RxStretchError(
            f"{folder}: no shard reports (manifest-K-of-N.csv); run batch --shard K/N into it first"
        )
    if len(found) > 1:
        counts = ", ".join(f"{n}" for n in sorted(found))
        raise RxStretchError(f"{folder}: holds shards of different batches (N = {counts}); keep one")
    count = next(iter(found)) if found else int(unfinished[0].split("-of-")[1].split(".")[0])
    missing = [k for k in range(1, count + 1) if k not in found.get(count, set())]
    if missing:
        described = ", ".join(_missing(folder, k, count) for k in missing)
        raise RxStretchError(
            f"{folder}: cannot merge: {described}; run each with the same options and {{shard}} "
            f"(N = {count}; {{resume}} finishes an interrupted one), then merge again"
        )
    return [
        _Shard(k, count, folder / f"manifest-{k}-of-{count}.csv", folder / f"errors-{k}-of-{count}.csv")
        for k in range(1, count + 1)
    ]


def _missing(folder: Path, number: int, count: int) -> str:
    interrupted = partial_path(folder / f"manifest-{number}-of-{count}.csv").exists()
    return f"shard {number}/{count} {'was interrupted or is still running' if interrupted else 'has not run'}"


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as stream:
            return list(csv.DictReader(stream))
    except FileNotFoundError:
        raise RxStretchError(
            f"{path}: missing; its shard did not finish (run it again with {{resume}})"
        ) from None


def _row_number(row: dict[str, str]) -> int:
    return int(row["row"]) if row.get("row", "").isdigit() else 0
