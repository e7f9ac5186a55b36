"""rxstretch batch: one handout per record of a clinic records export."""

from __future__ import annotations

import datetime
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from rxstretch import MAX_JOBS
from rxstretch.cli.options import (
    WholeNumber,
    brand_option,
    check_date,
    font_option,
    lang_option,
    library_option,
    reported_errors,
    template_option,
)


def _check_csv_option(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from rxstretch.batch import check_csv_options
    from rxstretch.errors import RxStretchError

    try:
        check_csv_options(**{str(param.name): value})  # encoding= or delimiter=
    except RxStretchError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


def _check_shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int]:
    if value is None:
        return (1, 1)
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f'"{value}" is not K/N with 1 <= K <= N, e.g. 1/3')
    return (int(k), int(n))


@click.command(name="batch")
@click.argument("records", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output_dir",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the handouts, manifest.csv and errors.csv.",
)
@click.option(
    "--map",
    "mapping",
    metavar="MAP.yaml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Column mapping of the export.",
)
@click.option(
    "--format",
    "input_format",
    type=click.Choice(["auto", "csv", "json", "jsonl", "spreadsheet", "folder"]),
    default="auto",
    show_default=True,
    help="Input format.",
)
@click.option(
    "--encoding",
    metavar="NAME",
    callback=_check_csv_option,
    help="Encoding of a CSV or JSON export, e.g. cp1252 (default: detected).",
)
@click.option(
    "--sheet",
    metavar="NAME|N",
    help="Sheet of a spreadsheet export: its name or number (default: the first).",
)
@click.option(
    "--delimiter", metavar="CHAR", callback=_check_csv_option, help="CSV delimiter (default: detected)."
)
@click.option(
    "--jobs", "-j", type=WholeNumber(1, MAX_JOBS), help="Worker processes (default: number of cores)."
)
@click.option(
    "--shard", callback=_check_shard, metavar="K/N", help="Only every record whose number is K modulo N."
)
@click.option(
    "--date",
    callback=check_date,
    metavar="YYYY-MM-DD",
    help="Date printed when a record has none (default: today).",
)
@lang_option
@brand_option
@template_option
@library_option
@font_option
@click.option("--force", is_flag=True, help="Overwrite existing handouts.")
@click.option(
    "--resume", is_flag=True, help="Skip records whose handout is already made from the same input."
)
@click.option("--fhir", is_flag=True, help="Also write each prescription as a FHIR R4 Bundle beside its PDF.")
def batch_command(
    records: Path,
    output_dir: Path,
    mapping: Path | None,
    input_format: Any,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    jobs: int | None,
    shard: tuple[int, int],
    date: datetime.date | None,
    language: str | None,
    brand: Path | None,
    template: str | None,
    libraries: tuple[Path, ...],
    font: tuple[Path, ...],
    force: bool,
    resume: bool,
    fhir: bool,
) -> None:
    """Render one handout per record of a CSV, JSON, JSON Lines export or a folder of prescriptions.

    JSON Lines and folders may hold FHIR Bundles (NDJSON, or .json files) as well as records.

    Failed records are listed in DIR/errors.csv (exit 1); the others are still produced and
    listed in DIR/manifest.csv.

    \b
    Examples:
      rxstretch batch examples/records/export-fr.csv --map examples/records/mapping-fr.yaml -o out/
      rxstretch batch patients.jsonl -o out/ --jobs 4 --date 2026-11-26 --resume
      rxstretch batch bundles/ -o out/ --fhir     # a folder of FHIR Bundles (or an NDJSON file)
      rxstretch batch patients.xlsx --sheet Patients -o out/
    """
    from rxstretch.api import run_batch
    from rxstretch.records.mapping import ColumnMapping, load_mapping

    if records.is_dir() and output_dir.exists() and os.path.samefile(records, output_dir):
        raise click.ClickException(f"{output_dir} is also the input folder; write the handouts elsewhere")
    with reported_errors():
        columns = load_mapping(mapping) if mapping is not None else ColumnMapping()
    try:
        with (
            _terminate_like_interrupt(),
            reported_errors(),
            _progress(records, input_format, encoding, sheet, shard) as progress,
        ):
            result = run_batch(
                records,
                output_dir,
                mapping=columns,
                libraries=libraries,
                brand=brand,
                template=template,
                language=language,
                today=date,
                jobs=jobs,
                force=force,
                resume=resume,
                shard=shard,
                input_format=input_format,
                encoding=encoding,
                delimiter=delimiter,
                sheet=sheet,
                font=font,
                progress=progress,
                fhir=fhir,
            )
    except KeyboardInterrupt as exc:
        # The handouts made so far are complete files and listed in the partial manifest.
        how = "terminated" if isinstance(exc, _Terminated) else "interrupted"
        click.echo(f"{how}: run the same command with --resume to finish the batch", err=True)
        sys.exit(128 + (signal.SIGTERM if isinstance(exc, _Terminated) else signal.SIGINT))
    finally:
        # Said even when the batch stops: a misread export is often the reason it did.
        if columns.ignored_columns:
            click.echo(f"ignored columns: {', '.join(columns.ignored_columns)}", err=True)
    click.echo(
        f"{result.written} written, {result.unchanged} unchanged, {result.failed} failed; "
        f"see {result.manifest}",
        err=True,
    )
    if result.failed:
        raise click.ClickException(f"{result.failed} of {result.rows} records failed; see {result.errors}")


@click.command(name="batch-merge")
@click.argument("output_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the folder's manifest.csv and errors.csv.")
def merge_command(output_dir: Path, force: bool) -> None:
    """Merge the reports of batch --shard K/N runs in DIR into its manifest.csv and errors.csv.

    Every shard must have finished; a missing or interrupted one is named. The handouts stay
    where the shards wrote them. See docs/scale-out.md for running shards on a scheduler.

    \b
    Example:
      rxstretch batch-merge /shared/handouts/2026-11-26
    """
    from rxstretch.api import merge_batch

    with reported_errors():
        result = merge_batch(output_dir, force=force)
    click.echo(
        f"{result.written + result.unchanged} handouts, {result.failed} failed; see {result.manifest}",
        err=True,
    )
    if result.failed:
        raise click.ClickException(f"{result.failed} of {result.rows} records failed; see {result.errors}")


class _Terminated(KeyboardInterrupt):
    """SIGTERM (timeout, Slurm, Kubernetes, systemd), stopping the batch as Ctrl-C does."""


def _raise_terminated(_signum: int, _frame: object) -> None:
    raise _Terminated


@contextmanager
def _terminate_like_interrupt() -> Iterator[None]:
    """While the batch runs, SIGTERM stops it as Ctrl-C does: exit 143, partial manifest kept."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _progress(
    records: Path, input_format: Any, encoding: str | None, sheet: str | None, shard: tuple[int, int]
) -> Iterator[Callable[[int], None] | None]:
    """Yield a progress callback drawing a bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    from rxstretch.errors import RxStretchError
    from rxstretch.records import count_records

    try:
        total = count_records(records, input_format=input_format, encoding=encoding, sheet=sheet)
    except (RxStretchError, OSError, UnicodeError, ValueError):
        # The count only sizes the bar: the batch itself reports whatever is wrong with the file.
        yield None
        return
    in_shard = max((total - shard[0]) // shard[1] + 1, 0) if total >= shard[0] else 0
    with click.progressbar(length=in_shard, label="handouts", file=sys.stderr) as bar:
        yield bar.update
