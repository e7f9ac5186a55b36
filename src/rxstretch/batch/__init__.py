"""Run a batch: records export in, one handout per record out, plus manifest.csv and errors.csv.

Owns: scheduling, workers, resume, the reports. Renders through rxstretch.pipeline; must never
import the API (it sits below it) or the CLI.

Records are read in order in this process; handouts are resolved and rendered by worker
processes that each load the library, fonts and template once. Results are written back in
record order, so manifest.csv is the same whatever the number of workers.

``resume`` skips a record when manifest.csv says its file was made from the same input (the
record, the options and the library files, hashed) and the file on disk still has the sha256
the manifest recorded; a record not in the manifest whose file exists is rendered again and
left alone if the new bytes are identical. Anything else that exists needs ``force``.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import gc
import hashlib
import itertools
import multiprocessing
import multiprocessing.context
import os
import re
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from rxstretch import __version__
from rxstretch.batch.durable import DurableRows
from rxstretch.errors import (
    ContraindicationError,
    OutputExistsError,
    Problem,
    Refusal,
    RxStretchError,
    UsageError,
    ValidationError,
)
from rxstretch.model import Brand, Library, Prescription
from rxstretch.model.frozen import frozen
from rxstretch.model.handout import Handout
from rxstretch.output import NameAllocator, patient_slug
from rxstretch.records import Record

MANIFEST_COLUMNS = (
    "row",
    "patient_id",
    "file",
    "pages",
    "sha256",
    "language",
    "warnings",
    "overrides",
    "status",
    "input_sha256",
    "fhir",
)
ERROR_COLUMNS = ("row", "line", "patient_id", "field", "reason")
# How often a worker checks that the process that started it is still there.
PARENT_CHECK_SECONDS = 0.5
# A cell starting with one of these is a formula to Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PAGE = re.compile(rb"/Type\s*/Page\b")


@frozen
class BatchOptions:
    """How every handout of a batch is made and written (sent to each worker process)."""

    output_dir: Path
    libraries: tuple[Path, ...] = ()
    use_env: bool = True
    brand: Brand | None = None
    template: str | None = None  # None: the brand's template, else standard
    language: str | None = None
    today: datetime.date | None = None
    force: bool = False
    resume: bool = False
    invariant: bool = True
    fonts: tuple[Path, ...] = ()  # TrueType fonts for scripts the bundled fonts lack, in order
    fhir: bool = False  # also write each prescription as a FHIR R4 Bundle beside its PDF


@frozen
class Outcome:
    """What happened to one record: a manifest entry, or the problems that stopped it."""

    row: int
    patient_id: str | None
    line: int | None = None
    entry: dict[str, str] | None = None
    problems: tuple[tuple[int | None, str, str], ...] = ()  # (line, field, reason)
    written: tuple[str, ...] = ()  # names of the files this run wrote, not yet synced


@frozen
class BatchResult:
    """Counts of a finished batch and where its reports are."""

    rows: int
    written: int
    unchanged: int
    failed: int
    manifest: Path
    errors: Path


@frozen
class _Job:
    row: int
    line: int | None
    patient_id: str | None
    path: Path
    prescription: Prescription
    input_sha256: str


def safe_cell(value: object) -> str:
    """Return ``value`` as CSV text that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def count_pages(pdf: bytes) -> int:
    """Return the number of pages of a PDF written by ReportLab (page objects are plain text)."""
    return len(_PAGE.findall(pdf))


def sha256_file(path: Path) -> str | None:
    """Return the hex sha256 of ``path``'s bytes, or None if it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def check_csv_options(*, encoding: str | None = None, delimiter: str | None = None) -> None:
    """Raise UsageError for an encoding text files cannot be read in or a delimiter that cannot
    separate cells (before any file is read)."""
    from rxstretch.records.encoding import encoding_problem
    from rxstretch.records.mapping import delimiter_problem

    if delimiter is not None and (problem := delimiter_problem(delimiter)):
        raise UsageError(f"delimiter {problem}")
    if encoding is not None and (problem := encoding_problem(encoding)):
        raise UsageError(problem)


# --- worker side -----------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def init_worker(options: BatchOptions) -> None:
    """Load the library, fonts and template once per process (the pool's initializer).

    The parent calls it before starting the pool: forked workers inherit what it loaded and
    return at once, so they share those pages and start rendering at once.
    """
    from rxstretch.loaders.library import library_dirs, load_library_dirs
    from rxstretch.pipeline import prepare_renderer

    if _worker.get("options") is options:
        return
    _worker["options"] = options
    folders = library_dirs([Path(p) for p in options.libraries], use_env=options.use_env)
    _worker["library"] = load_library_dirs(folders, lazy=True)
    prepare_renderer(options.template or (options.brand.template if options.brand else None) or "standard")


def start_worker(options: BatchOptions) -> None:
    """The pool's initializer: make the worker unable to outlive the batch, then load.

    A worker ignores SIGTERM: schedulers (Slurm, systemd) send it to every process of a job,
    and the parent, which gets it too, decides what to finish. Whatever ends the parent,
    SIGKILL included, a watch thread sees the worker re-parented and exits within a second,
    rather than waiting forever on the task queue.
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    init_worker(options)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # no clean-up to do: a handout is written atomically or not at all


def render_job(job: _Job) -> Outcome:
    """Resolve, render and write one handout; every failure becomes the Outcome's problems."""
    try:
        return _render(job, _worker["options"], _worker["library"])
    except ContraindicationError as exc:  # before ValidationError, which it is
        return _failed(
            job, *((r.problem.line, r.problem.field, _override_hint(r, job)) for r in exc.refusals)
        )
    except ValidationError as exc:
        return _failed(job, *_located(exc.problems, job))
    except OutputExistsError as exc:
        return _failed(job, (None, "file", exc.report_message))
    except RxStretchError as exc:
        return _failed(job, (None, "", exc.report_message))
    except Exception as exc:  # one unexpected failure must not cost the other 299 handouts
        return _failed(job, (None, "", f"internal error: {type(exc).__name__}: {exc}"))


def _failed(job: _Job, *problems: tuple[int | None, str, str]) -> Outcome:
    return Outcome(job.row, job.patient_id, job.line, problems=problems)


def _located(problems: Iterable[Problem], job: _Job) -> Iterator[tuple[int | None, str, str]]:
    """Each problem with its own line; from a prescription file, also the file's name, since
    errors.csv has no column for it (an export's records are all in the one export)."""
    from_file = _from_yaml_file(job)
    for problem in problems:
        reason = problem.message
        if from_file:
            reason = (
                f"{Path(problem.file).name}{'' if problem.line is None else f':{problem.line}'}: {reason}"
            )
        yield problem.line, problem.field, reason


def _from_yaml_file(job: _Job) -> bool:
    return job.prescription.source.rsplit(":", 1)[0].endswith((".yaml", ".yml"))


def _override_hint(refusal: Refusal, job: _Job) -> str:
    """The refusal, with how to override it in this record: its file, or its overrides column."""
    exercise, condition = refusal.exercise_id, refusal.condition
    if _from_yaml_file(job):
        how = f"add to the file: overrides: [{{exercise: {exercise}, condition: {condition}, reason: ...}}]"
    else:
        how = (
            f'write "{exercise} / {condition}: <reason>" in the record\'s overrides column (add one '
            "to the export if it has none, and to the --map file if one names the columns)"
        )
    return f"{refusal.reason}; to prescribe it anyway, {how}"


def _render(job: _Job, options: BatchOptions, library: Library) -> Outcome:
    from rxstretch.output import write_atomic
    from rxstretch.pipeline import build_handout, render_pdf

    handout = build_handout(
        job.prescription, library, brand=options.brand, language=options.language, today=options.today
    )
    glyphs: list[str] = []
    pdf = render_pdf(
        handout, template=options.template, invariant=options.invariant, font=options.fonts, warnings=glyphs
    )
    digest = hashlib.sha256(pdf).hexdigest()
    status = "written"
    written: list[str] = []
    if options.resume and not options.force and sha256_file(job.path) == digest:
        status = "unchanged"
    else:
        try:  # synced with its group before the manifest lists it (batch.durable)
            write_atomic(job.path, pdf, force=options.force, sync=False)
        except OSError as exc:  # a full disk, a folder made read-only meanwhile
            return _failed(job, (None, "file", f"cannot write {job.path.name}: {exc.strerror}"))
        written.append(job.path.name)
    bundle_path = job.path.with_suffix(".json") if options.fhir else None
    if bundle_path is not None:
        failed = _write_bundle(job, handout, pdf, bundle_path, options, library)
        if isinstance(failed, Outcome):
            return failed
        written += failed
    entry = {
        "row": str(job.row),
        "patient_id": job.patient_id or "",
        "file": job.path.name,
        "pages": str(count_pages(pdf)),
        "sha256": digest,
        "language": handout.language,
        "warnings": " | ".join([*handout.warnings, *glyphs, *(f"fallback {f}" for f in handout.fallbacks)]),
        "overrides": " | ".join(f"{o.exercise}/{o.condition}: {o.reason}" for o in handout.overrides),
        "status": status,
        "input_sha256": job.input_sha256,
        "fhir": bundle_path.name if bundle_path is not None else "",
    }
    return Outcome(job.row, job.patient_id, entry=entry, written=tuple(written))


def _write_bundle(
    job: _Job, handout: Handout, pdf: bytes, path: Path, options: BatchOptions, library: Library
) -> Outcome | list[str]:
    """Write the record's FHIR Bundle beside its PDF: the names written, or an Outcome when that
    failed."""
    from rxstretch.fhir.export import BundleOptions, handout_bundle
    from rxstretch.fhir.serialize import bundle_bytes
    from rxstretch.output import write_atomic

    date = job.prescription.date or options.today or datetime.date.today()
    bundle = handout_bundle(
        job.prescription, library, handout, pdf, date=date, options=BundleOptions(pdf_title=job.path.name)
    )
    data = bundle_bytes(bundle)
    if options.resume and not options.force and path.is_file() and path.read_bytes() == data:
        return []
    try:
        write_atomic(path, data, force=options.force, sync=False)
    except OSError as exc:
        return _failed(job, (None, "file", f"cannot write {path.name}: {exc.strerror}"))
    return [path.name]


# --- main side -------------------------------------------------------------------------------


def run_records(
    records: Iterable[Record],
    options: BatchOptions,
    *,
    jobs: int = 1,
    shard: tuple[int, int] = (1, 1),
    library_fingerprint: str = "",
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Render every record of ``records`` in ``shard`` (K of N) into ``options.output_dir``.

    Raises RxStretchError, before anything is written, when the records cannot be read at all
    (their first record raises it), when the folder already holds this batch and neither
    ``force`` nor ``resume`` is set, or when the folder cannot be written.
    """
    folder = options.output_dir
    suffix = "" if shard == (1, 1) else f"-{shard[0]}-of-{shard[1]}"
    manifest, errors = folder / f"manifest{suffix}.csv", folder / f"errors{suffix}.csv"
    # A file that cannot be read at all (no records, missing columns) fails on its first
    # record: read it before creating the folder or its reports, so nothing is left behind.
    records = iter(records)
    first = next(records, None)
    records = itertools.chain([first] if first is not None else [], records)
    _refuse_a_made_batch(manifest, options)
    previous = read_manifest(manifest) if options.resume else {}
    outcomes = _outcomes(records, options, jobs, shard, previous, library_fingerprint)
    counts = {"written": 0, "unchanged": 0, "failed": 0}
    # closing: when the run is interrupted, the workers stop now, not when the traceback goes.
    with (
        contextlib.closing(outcomes),
        _writing(manifest.parent),
        _opened_reports(manifest, errors) as (manifest_out, errors_out),
    ):
        rows = DurableRows(folder, manifest_out.write_rows)
        try:
            for outcome in outcomes:
                _report(outcome, rows, errors_out, counts)
                if progress is not None:
                    progress(1)
        except BaseException:
            # Interrupted: list what is already made, so that --resume skips it (unless the
            # disk is what failed: then the rows stay out, and --resume makes those files again).
            with contextlib.suppress(OSError):
                rows.commit()
            raise
        rows.commit()
    return BatchResult(sum(counts.values()), **counts, manifest=manifest, errors=errors)


def _report(outcome: Outcome, rows: DurableRows, errors_out: CsvReport, counts: dict[str, int]) -> None:
    """Count an outcome and report it: its manifest row once its files are synced, or its
    problems in errors.csv at once (they name no file)."""
    if outcome.entry is not None:
        rows.add(outcome.entry, outcome.written)
        counts[outcome.entry["status"]] += 1
        return
    counts["failed"] += 1
    for line, field, reason in outcome.problems:
        line = outcome.line if line is None else line
        errors_out.write(
            {
                "row": str(outcome.row),
                "line": "" if line is None else str(line),
                "patient_id": outcome.patient_id or "",
                "field": field,
                "reason": reason,
            }
        )


def _outcomes(
    records: Iterable[Record],
    options: BatchOptions,
    jobs: int,
    shard: tuple[int, int],
    previous: dict[str, dict[str, str]],
    library_fingerprint: str,
) -> Generator[Outcome, None, None]:
    pending = _pending(records, options, shard, previous, library_fingerprint)
    init_worker(options)
    if jobs <= 1:
        for item in pending:
            yield render_job(item) if isinstance(item, _Job) else item
        return
    window = jobs * 4  # enough queued work to keep every worker busy, bounded memory
    # What init_worker loaded above is in pages the forked workers share with this process.
    # Frozen, the garbage collector of a worker never walks those objects: it would touch, and
    # so copy, every one of those pages, and spend time on objects that live as long as it does.
    gc.freeze()
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=_worker_context(), initializer=start_worker, initargs=(options,)
    )
    try:
        queue: deque[Outcome | Future[Outcome]] = deque()
        for item in pending:
            queue.append(pool.submit(render_job, item) if isinstance(item, _Job) else item)
            while len(queue) > window or (queue and _ready(queue[0])):
                yield _result(queue.popleft())
        while queue:
            yield _result(queue.popleft())
    except BaseException:  # interrupted (Ctrl-C, SIGTERM) or closed: queued records are dropped
        pool.shutdown(wait=True, cancel_futures=True)  # the running ones finish their file
        raise
    finally:
        gc.unfreeze()
    pool.shutdown(wait=True)


def _worker_context() -> multiprocessing.context.BaseContext | None:
    """Fork on Linux, where it is safe, so that workers start with this process's library,
    fonts and template (Python 3.14 no longer forks by default there); elsewhere the default
    (spawn: each worker loads them itself, forking being unsafe on macOS)."""
    return multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None


def _ready(item: Outcome | Future[Outcome]) -> bool:
    return not isinstance(item, Future) or item.done()


def _result(item: Outcome | Future[Outcome]) -> Outcome:
    return item.result() if isinstance(item, Future) else item


def _pending(
    records: Iterable[Record],
    options: BatchOptions,
    shard: tuple[int, int],
    previous: dict[str, dict[str, str]],
    library_fingerprint: str,
) -> Iterator[_Job | Outcome]:
    """Yield a job per record of the shard, or its Outcome when it failed or can be skipped."""
    names = NameAllocator()
    folder = options.output_dir.resolve()
    salt = _options_salt(options, library_fingerprint)
    for record in records:
        # Every record takes its name, in order, even outside the shard or when it failed:
        # names then never depend on the shard or on which other rows are broken.
        has_identity = record.patient_id or record.patient_name
        name = names.allocate(patient_slug(record.patient_id, record.patient_name)) if has_identity else None
        if (record.row - 1) % shard[1] != shard[0] - 1:
            continue
        if record.prescription is None or name is None:
            problems = tuple((p.line, p.field, p.message) for p in record.problems) or (
                (None, "", "no prescription"),
            )
            yield Outcome(record.row, record.patient_id, record.line, problems=problems)
            continue
        path = folder / f"{name}.pdf"
        if path.parent != folder:
            raise RxStretchError(f"{path}: refusing to write outside {folder}")
        job = _Job(
            record.row, record.line, record.patient_id, path, record.prescription, _input_hash(record, salt)
        )
        yield _resumed(job, previous.get(path.name)) or job


def _resumed(job: _Job, entry: dict[str, str] | None) -> Outcome | None:
    if entry is None or entry.get("input_sha256") != job.input_sha256:
        return None
    if sha256_file(job.path) != entry.get("sha256"):
        return None
    if entry.get("fhir") and not (job.path.parent / entry["fhir"]).is_file():
        return None  # its Bundle was removed: make both again
    return Outcome(job.row, job.patient_id, entry={**entry, "row": str(job.row), "status": "unchanged"})


def _options_salt(options: BatchOptions, library_fingerprint: str) -> str:
    # Another file, or the same one changed, draws other glyphs.
    fonts = [(str(path), path.stat().st_size, path.stat().st_mtime_ns) for path in options.fonts]
    chosen = (options.brand, options.template, options.language, options.today, fonts, options.fhir)
    return repr((__version__, *chosen, library_fingerprint))


def _input_hash(record: Record, salt: str) -> str:
    assert record.prescription is not None
    content = repr((dataclasses.replace(record.prescription, source=""), salt))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def library_fingerprint(folders: Iterable[Path]) -> str:
    """Return a hash of the names, sizes and times of every file of the library ``folders``."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, dict[str, str]]:
    """Return the entries of a manifest (and of an interrupted run's leftover) by file name."""
    entries: dict[str, dict[str, str]] = {}
    for candidate in (path, partial_path(path)):
        if candidate.is_file():
            with candidate.open("r", encoding="utf-8-sig", newline="") as stream:
                entries.update({row["file"]: row for row in csv.DictReader(stream) if row.get("file")})
    return entries


def _refuse_a_made_batch(manifest: Path, options: BatchOptions) -> None:
    """Raise OutputExistsError if the folder holds this batch, finished or interrupted, and
    neither ``force`` nor ``resume`` says what to do with it."""
    if options.force or options.resume:
        return
    try:
        finished, interrupted = manifest.exists(), partial_path(manifest).exists()
    except OSError as exc:  # a folder name too long for the file system...
        raise RxStretchError(f"{manifest.parent}: cannot use this folder ({exc.strerror})") from exc
    if finished or interrupted:
        state = (
            f"this batch ({manifest.name})"
            if finished
            else f"an interrupted batch ({partial_path(manifest).name})"
        )
        raise OutputExistsError(
            f"{manifest.parent} already holds {state}: add {{resume}} to skip the records already "
            "made, or {force} to make them all again"
        )


@contextlib.contextmanager
def _writing(folder: Path) -> Iterator[None]:
    """Turn a file-system failure during the run (a full disk) into a clear error; the partial
    reports stay, so that --resume can finish the batch once it is fixed."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        message = f"{folder}: the batch stopped: {exc.strerror}{where}; fix it and {{resume}}"
        raise RxStretchError(message) from exc


@contextlib.contextmanager
def _opened_reports(manifest: Path, errors: Path) -> Iterator[tuple[CsvReport, CsvReport]]:
    """Create the folder and open both reports, an unwritable folder being a clear error."""
    with contextlib.ExitStack() as stack:
        try:
            manifest.parent.mkdir(parents=True, exist_ok=True)
            manifest_out = stack.enter_context(CsvReport(manifest, MANIFEST_COLUMNS))
            errors_out = stack.enter_context(CsvReport(errors, ERROR_COLUMNS))
        except OSError as exc:
            raise RxStretchError(f"{manifest.parent}: cannot write there ({exc.strerror})") from exc
        yield manifest_out, errors_out


def partial_path(path: Path) -> Path:
    """Where a report is written until it is complete (kept when a run is interrupted)."""
    return path.with_name(f".{path.name}.part")


class CsvReport:
    """A CSV report written row by row to a hidden file, renamed into place when complete."""

    def __init__(self, path: Path, columns: tuple[str, ...]) -> None:
        self.path = path
        self.columns = columns

    def __enter__(self) -> CsvReport:
        # UTF-8 with a BOM, so that Excel shows accented names correctly.
        self.stream = partial_path(self.path).open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.DictWriter(self.stream, fieldnames=self.columns)
        self.writer.writeheader()
        return self

    def write(self, row: dict[str, str]) -> None:
        """Write one row (every cell made formula-safe) and flush it, for an interrupted run."""
        self.write_rows([row])

    def write_rows(self, rows: list[dict[str, str]]) -> None:
        """Write rows (every cell made formula-safe) and flush them, for an interrupted run."""
        self.writer.writerows(
            {column: safe_cell(row.get(column, "")) for column in self.columns} for row in rows
        )
        self.stream.flush()

    def __exit__(self, kind: object, *_: object) -> None:
        self.stream.close()
        if kind is None:
            os.replace(partial_path(self.path), self.path)
