"""Batch benchmark: `run_batch` at 1 and 2 workers against a plain ReportLab loop, in one run.

Generates a seeded CSV of N records (4-6 exercises each), renders it with jobs=1 and jobs=2
(alternated, best of --repeats), renders the same content with a minimal plain-ReportLab loop
in this process (the approach of plain_reportlab.py), and prints per-handout times, the ratios
the issue asks for, the bytes per handout, the peak memory (VmHWM) of every worker process, and
how time grows from 100 to N (to 5000 with --big).

On a machine shared with other work, jobs=2 / jobs=1 cannot exceed what the machine lends: the
same ratio for two busy loops is printed beside it, measured in the same run, and CPU time per
handout (all processes of the batch), which noise from others disturbs less than wall time.
It also times writing handouts with an fsync each (write_atomic) against the batch's way
(no fsync per file, then the group synced at once).

With --fhir it times instead what `batch --fhir` adds: the same batch with and without a FHIR
Bundle per handout, runs alternated, best of --repeats (target: under 15 % more wall time).

Usage: python benchmarks/bench_batch.py [--rows 1000] [--big] [--fhir [--jobs 2] [--repeats 3]]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import multiprocessing
import os
import random
import resource
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import rxstretch
from rxstretch.loaders.library import bundled_library_dir

REPO = Path(__file__).resolve().parent.parent
FONTS = REPO / "src" / "rxstretch" / "fonts"
DATE = datetime.date(2026, 11, 26)
BUSY_LOOP = 10_000_000  # about half a second of pure Python


def make_export(path: Path, rows: int, exercise_ids: list[str]) -> list[list[str]]:
    rng = random.Random(42)
    chosen = []
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["patient_id", "patient_name", "language", "exercises", "sets", "hold", "frequency"])
        for n in range(rows):
            ids = rng.sample(exercise_ids, rng.randint(4, 6))
            chosen.append(ids)
            writer.writerow(
                [f"P-{n:05d}", f"Patient {n}", "en", "|".join(ids), rng.randint(2, 4), "30s", "2/day"]
            )
    return chosen


class PeakMemory:
    """Polls /proc for descendants of this process and keeps each one's VmHWM (peak RSS)."""

    def __init__(self) -> None:
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            family = {os.getpid()}
            for pid, status in sorted(_statuses().items()):
                if status.get("PPid") in family or pid in family:
                    family.add(pid)
            for pid in family - {os.getpid()}:
                hwm = _statuses_of(pid).get("VmHWM")
                if hwm:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), hwm)


def _statuses() -> dict[int, dict[str, int]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found[int(entry)] = _statuses_of(int(entry))
    return found


def _statuses_of(pid: int) -> dict[str, int]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in {"PPid", "VmHWM"}:
            values[key] = int(value.split()[0])
    return values


@dataclass
class BatchRun:
    """One timed batch: wall and CPU seconds, peak RSS of each worker, the PDFs' sizes."""

    wall: float
    cpu: float
    peaks: dict[int, int]
    sizes: list[int]


def time_batch(export: Path, scratch: Path, jobs: int, *, fhir: bool = False) -> BatchRun:
    out = scratch / f"out-{jobs}-{time.monotonic_ns()}"
    with PeakMemory() as memory:
        cpu = _cpu_seconds()
        start = time.perf_counter()
        result = rxstretch.run_batch(export, out, jobs=jobs, today=DATE, use_env=False, fhir=fhir)
        elapsed = time.perf_counter() - start
        cpu = _cpu_seconds() - cpu
    assert result.failed == 0, result.errors.read_text()
    sizes = [path.stat().st_size for path in out.glob("*.pdf")]
    shutil.rmtree(out)
    return BatchRun(elapsed, cpu, memory.peaks, sizes)


def _busy(_: int) -> float:
    start = time.perf_counter()
    total = 0
    for n in range(BUSY_LOOP):
        total += n
    return time.perf_counter() - start


def machine_ceiling() -> float:
    """What two CPU-bound processes get done at once, relative to one (2.0 on two free cores)."""
    with multiprocessing.get_context("fork").Pool(2) as pool:
        one = pool.apply(_busy, (0,))
        start = time.perf_counter()
        pool.map(_busy, [0, 1])
        both = time.perf_counter() - start
    return 2 * one / both


def time_writes(scratch: Path, data: bytes, count: int) -> tuple[float, float, float]:
    """Seconds to write ``count`` handouts of ``data`` with an fsync each; then, the batch's way,
    the writing alone (what a worker waits for) and the group fsyncs (on the main process's sync
    thread, alongside the rendering)."""
    from rxstretch.batch.durable import GROUP_FILES
    from rxstretch.output import sync_files, write_atomic

    paths = [scratch / "writes" / f"handout-{n}.pdf" for n in range(count)]
    paths[0].parent.mkdir()
    start = time.perf_counter()
    for path in paths:
        write_atomic(path, data)
    each = time.perf_counter() - start
    for path in paths:
        path.unlink()
    start = time.perf_counter()
    for path in paths:
        write_atomic(path, data, sync=False)
    written = time.perf_counter() - start
    start = time.perf_counter()
    for first in range(0, count, GROUP_FILES):
        sync_files(paths[first : first + GROUP_FILES], paths[0].parent)
    synced = time.perf_counter() - start
    shutil.rmtree(paths[0].parent)
    return each, written, synced


def plain_loop(rows: list[list[str]]) -> float:
    """Render the same exercises with a tight plain-ReportLab script, fonts registered once."""
    import yaml
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

    pdfmetrics.registerFont(TTFont("Sans", str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("Sans-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
    body = ParagraphStyle("body", fontName="Sans", fontSize=10, leading=13)
    title = ParagraphStyle("title", fontName="Sans-Bold", fontSize=14, leading=18)
    start = time.perf_counter()
    texts: dict[str, Any] = {}
    for n, ids in enumerate(rows):
        story = [Paragraph("Your home exercises", title), Paragraph(f"Patient: Patient {n}", body)]
        for exercise_id in ids:
            if exercise_id not in texts:
                path = bundled_library_dir() / "exercises" / f"{exercise_id}.yaml"
                texts[exercise_id] = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["text"]["en"]
            text: Any = texts[exercise_id]
            parts = [Paragraph(escape(text["name"]), title), Paragraph(escape(text["summary"]), body)]
            dosage = Table([[Paragraph("Sets", body), Paragraph("3 sets", body)]])
            dosage.setStyle([("FONTNAME", (0, 0), (-1, -1), "Sans")])
            parts.append(dosage)
            for number, step in enumerate(text["steps"], start=1):
                line = f"{number}. <b>{escape(step['title'])}</b> {escape(step['text'])}"
                parts.append(Paragraph(line, body))
            parts += [Paragraph(escape(tip), body, bulletText="•") for tip in text["tips"]]
            story.append(KeepTogether([*parts, Spacer(1, 12)]))
        SimpleDocTemplate(io.BytesIO(), invariant=1, initialFontName="Sans").build(story)
    return time.perf_counter() - start


def fhir_overhead(export: Path, scratch: Path, rows: int, jobs: int, repeats: int) -> None:
    """Print the batch's wall time with and without --fhir (alternated runs, best of each)."""
    times: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(repeats):
        for fhir in (False, True):
            run = time_batch(export, scratch, jobs, fhir=fhir)
            times[fhir].append(run.wall)
            cpu[fhir].append(run.cpu)
    print(f"{rows} handouts of 4-6 exercises, jobs={jobs}, best of {repeats}")
    for fhir, label in ((False, "without --fhir"), (True, "with --fhir   ")):
        wall, used = min(times[fhir]), min(cpu[fhir])
        print(f"  {label}  wall {wall:7.2f} s  {wall / rows * 1000:6.1f} ms/handout  cpu {used:7.2f} s")
    wall_added = (min(times[True]) / min(times[False]) - 1) * 100
    cpu_added = (min(cpu[True]) / min(cpu[False]) - 1) * 100
    # CPU time (this process and its workers) is the steadier figure on a machine others share.
    print(f"  FHIR adds {wall_added:+.1f} % wall time, {cpu_added:+.1f} % CPU time (target < 15 %)")


def _cpu_seconds() -> float:
    """User and system time of this process and of its finished worker processes."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--big", action="store_true", help="also time 5000 records (linearity)")
    parser.add_argument("--fhir", action="store_true", help="time what batch --fhir adds, only that")
    parser.add_argument("--jobs", type=int, default=2, help="workers for --fhir")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each kind (3 for --fhir)")
    args = parser.parse_args()
    exercise_ids = sorted(p.stem for p in (bundled_library_dir() / "exercises").glob("*.yaml"))
    print(f"cpu cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        export = scratch / f"export-{args.rows}.csv"
        rows = make_export(export, args.rows, exercise_ids)
        if args.fhir:
            fhir_overhead(export, scratch, args.rows, args.jobs, args.repeats)
            return
        runs: dict[int, list[BatchRun]] = {1: [], 2: []}
        ceilings = []
        for _ in range(args.repeats):  # alternated, so that noise from others hits both alike
            ceilings.append(machine_ceiling())
            for jobs in (1, 2):
                runs[jobs].append(time_batch(export, scratch, jobs))
        main_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        one, two = (min(runs[jobs], key=lambda run: run.wall) for jobs in (1, 2))
        plain = plain_loop(rows)
        n = args.rows
        print(f"{n} handouts of 4-6 exercises, best of {args.repeats}")
        for jobs, run in ((1, one), (2, two)):
            cpu = min(r.cpu for r in runs[jobs]) / n * 1000
            wall = f"{run.wall:7.2f} s  {run.wall / n * 1000:6.1f} ms/handout"
            print(f"  jobs={jobs}           {wall}  cpu {cpu:6.1f} ms/handout (all processes)")
        per_plain = plain / n * 1000
        print(f"  plain ReportLab  {plain:7.2f} s  {per_plain:6.1f} ms/handout (same process, no files)")
        print(f"  jobs=1 / plain:  {one.wall / plain:.2f} (target <= 1.3)")
        print(f"  jobs=2 speed-up: {one.wall / two.wall:.2f} x jobs=1 (target >= 1.9)")
        print(
            f"  machine ceiling: {max(ceilings):.2f} (two busy loops / one, same run; 2.00 on two free cores)"
        )
        total = sum(one.sizes)
        print(f"  bytes: {total:,} in all, {total / len(one.sizes):,.0f} a handout (mean)")
        workers = ", ".join(f"{kb / 1024:.0f}" for kb in sorted(two.peaks.values()))
        print(f"  peak RSS MB: jobs=1 process {main_peak_mb:.0f}; jobs=2 workers [{workers}] (target < 150)")
        each, written, synced = (
            t / n * 1000 for t in time_writes(scratch, bytes(round(total / len(one.sizes))), n)
        )
        print(f"  writing a handout: with an fsync {each:.2f} ms; the batch's way {written:.2f} ms")
        print(f"    + {synced:.2f} ms of group fsync on the main process's sync thread, beside rendering")
        sizes = [100, n] + ([5000] if args.big else [])
        print("linearity, jobs=2:")
        for size in sorted(set(sizes)):
            sample = scratch / f"export-lin-{size}.csv"
            make_export(sample, size, exercise_ids)
            elapsed = time_batch(sample, scratch, 2).wall
            print(f"  {size:5d} records {elapsed:7.2f} s  {elapsed / size * 1000:6.1f} ms/handout")


if __name__ == "__main__":
    main()
