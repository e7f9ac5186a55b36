"""The rxstretch command line: option parsing and error reporting only; the work is in the API."""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from rxstretch import __version__
from rxstretch.errors import RxStretchError, ValidationError
from rxstretch.safety import DEFAULT_MAX_EXERCISES

if TYPE_CHECKING:
    from rxstretch.handout import Handout

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn rxstretch errors into stderr messages and exit code 1, never a traceback."""
    try:
        yield
    except ValidationError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(str(exc)) from exc
    except RxStretchError as exc:
        raise click.ClickException(str(exc)) from exc


def _check_language(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from rxstretch.i18n import LocaleError, parse_locale

    try:
        parse_locale(value)
    except LocaleError as exc:
        raise click.BadParameter(str(exc)) from exc
    return value


def _check_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f'"{value}" is not a date; write it as YYYY-MM-DD') from exc


lang_option = click.option(
    "--lang",
    "language",
    callback=_check_language,
    metavar="LANG",
    help="Handout language, e.g. fr or fr-CA.",
)
library_option = click.option(
    "--library",
    "libraries",
    multiple=True,
    metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Extra library folder (repeatable); its exercises override bundled ones.",
)


def _library(libraries: tuple[Path, ...], *, lazy: bool = False) -> Any:
    from rxstretch.api import load_library

    return load_library(libraries, lazy=lazy)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="rxstretch")
def cli() -> None:
    """Make printable home-exercise handouts for physiotherapy patients."""


@cli.command(name="generate")
@click.argument("prescription", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    metavar="FILE.pdf",
    help="Where to write the PDF; - writes it to standard output.",
)
@click.option(
    "-e",
    "--exercise",
    "exercises",
    multiple=True,
    metavar="ID",
    help="Exercise id for a quick handout without a prescription file (repeatable).",
)
@click.option("--patient", help="Patient name (quick form).")
@click.option("--sets", type=click.IntRange(1, 20), help="Sets for every exercise (quick form).")
@click.option("--reps", type=click.IntRange(1, 100), help="Repetitions for every exercise (quick form).")
@click.option("--hold", metavar="DURATION", help="Hold, e.g. 30s or 1 min 30 s (quick form).")
@click.option("--frequency", metavar="N/PERIOD", help="How often, e.g. 2/day or 3/week (quick form).")
@click.option("--notes", help="General notes printed at the end (quick form).")
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    metavar="TEXT",
    help="Patient condition: id, name, synonym or ICD-10/SNOMED code (quick form; repeatable).",
)
@click.option(
    "--allow",
    multiple=True,
    metavar="EXERCISE:CONDITION",
    help="Prescribe an exercise despite an 'avoid' for that condition (repeatable; needs --reason).",
)
@click.option("--reason", metavar="TEXT", help="Why the --allow overrides are safe (goes to the audit line).")
@click.option(
    "--max-exercises",
    type=click.IntRange(1, 100),
    default=DEFAULT_MAX_EXERCISES,
    show_default=True,
    help="Warn when a handout has more exercises than this.",
)
@click.option(
    "--date",
    callback=_check_date,
    metavar="YYYY-MM-DD",
    help="Date printed on the handout when the prescription has none (default: today).",
)
@lang_option
@click.option(
    "--brand",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="RXSTRETCH_BRAND",
    help="Clinic brand file (default: $RXSTRETCH_BRAND).",
)
@click.option(
    "--template",
    default="standard",
    show_default=True,
    metavar="NAME|FILE",
    help="Layout template name or YAML file.",
)
@library_option
@click.option(
    "--strict-lang",
    "strict_language",
    is_flag=True,
    help="Fail instead of showing any text in another language.",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def generate_command(
    prescription: Path | None,
    output: str,
    exercises: tuple[str, ...],
    patient: str | None,
    sets: int | None,
    reps: int | None,
    hold: str | None,
    frequency: str | None,
    notes: str | None,
    conditions: tuple[str, ...],
    allow: tuple[str, ...],
    reason: str | None,
    max_exercises: int,
    date: datetime.date | None,
    language: str | None,
    brand: Path | None,
    template: str,
    libraries: tuple[Path, ...],
    strict_language: bool,
    force: bool,
) -> None:
    """Render a patient handout PDF from a prescription file or from -e options.

    \b
    Examples:
      rxstretch generate examples/low-back.yaml -o handout.pdf
      rxstretch generate -e knees-to-chest -e cat-cow --patient "Jeanne Dupont" \\
          --sets 3 --hold 30s --lang fr -o jeanne.pdf
    """
    if prescription is not None and exercises:
        raise click.UsageError("give either a PRESCRIPTION file or -e options, not both")
    if prescription is None and not exercises:
        raise click.UsageError("give a PRESCRIPTION file, or exercises with -e and --patient")
    if exercises and not patient:
        raise click.UsageError("--patient is required with -e")
    if prescription is not None and (conditions or notes):
        raise click.UsageError("--condition and --notes belong to the quick form; write them in the file")
    if allow and not (reason and reason.strip()):
        raise click.UsageError("--allow needs --reason: say why the exercise is safe for this patient")
    from rxstretch.api import build_handout, render_handout
    from rxstretch.output import write_atomic
    from rxstretch.prescription import load_prescription_file, quick_prescription, with_overrides

    with reported_errors():
        if output != "-" and Path(output).exists() and not force:
            raise click.ClickException(f"{output}: already exists; use --force to overwrite it")
        # Only the prescribed exercises are read (and checked): a patient is waiting.
        library = _library(libraries, lazy=True)
        if prescription is not None:
            rx = load_prescription_file(prescription, library)
        else:
            rx = quick_prescription(
                library,
                exercise_ids=exercises,
                patient=patient or "",
                sets=sets,
                reps=reps,
                hold=hold,
                frequency=frequency,
                language=language,
                notes=notes,
                conditions=conditions,
            )
        rx = with_overrides(rx, library, allow, reason or "") if allow else rx
        handout = build_handout(
            rx,
            library,
            brand=brand,
            language=language,
            today=date,
            max_exercises=max_exercises,
            strict_language=strict_language,
        )
        pdf = render_handout(handout, template=template)
        if output == "-":
            with click.open_file("-", "wb") as stdout:
                stdout.write(pdf)
        else:
            write_atomic(Path(output), pdf, force=force)
    _report(handout)
    if output != "-":
        count = len(handout.cards)
        click.echo(
            f"wrote {output} ({count} exercise{'s' if count != 1 else ''}, {len(pdf):,} bytes)", err=True
        )


def _report(handout: Handout) -> None:
    """Tell the clinician, on stderr, what the patient's sheet does not say."""
    for warning in handout.warnings:
        click.echo(f"warning: {warning}", err=True)
    for fallback in handout.fallbacks:
        click.echo(f"warning: text shown in another language: {fallback}", err=True)
    for override in handout.overrides:
        click.echo(f"override: {override.exercise} despite {override.condition}: {override.reason}", err=True)


@cli.command(name="list")
@lang_option
@click.option("--region", help="Only exercises for this body region.")
@click.option("--tag", help="Only exercises with this tag.")
@click.option("--search", metavar="TEXT", help="Only exercises whose name, summary or id contain TEXT.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@library_option
def list_command(
    language: str | None,
    region: str | None,
    tag: str | None,
    search: str | None,
    output_format: str,
    libraries: tuple[Path, ...],
) -> None:
    """List the exercises of the library.

    \b
    Examples:
      rxstretch list --region lower-back
      rxstretch list --lang fr --search genoux --format json
    """
    from rxstretch.catalog import exercise_summaries, format_table

    with reported_errors():
        rows = exercise_summaries(
            _library(libraries), language=language, region=region, tag=tag, search=search
        )
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(rows))


@cli.command(name="show")
@click.argument("exercise_id", metavar="ID")
@lang_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "yaml", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@library_option
def show_command(
    exercise_id: str, language: str | None, output_format: str, libraries: tuple[Path, ...]
) -> None:
    """Show everything about one exercise.

    \b
    Example:
      rxstretch show knees-to-chest --lang fr
    """
    from rxstretch.catalog import exercise_details, format_details

    with reported_errors():
        details = exercise_details(_library(libraries, lazy=True), exercise_id, language=language)
    if output_format == "json":
        click.echo(json.dumps(details, ensure_ascii=False, indent=2))
    elif output_format == "yaml":
        import yaml

        click.echo(yaml.safe_dump(details, allow_unicode=True, sort_keys=False), nl=False)
    else:
        click.echo(format_details(details))


@cli.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@library_option
def validate_command(paths: tuple[Path, ...], libraries: tuple[Path, ...]) -> None:
    """Check library folders, prescriptions, brand and template files; report every problem.

    With no PATH, checks the bundled library and any --library folders.

    \b
    Examples:
      rxstretch validate
      rxstretch validate my-clinic-library/ examples/low-back.yaml examples/brand.yaml
    """
    from rxstretch.validate import validate_paths

    with reported_errors():
        summary = validate_paths(paths, libraries)
    for line in summary:
        click.echo(line)


def _check_shard(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple[int, int]:
    if value is None:
        return (1, 1)
    k, _, n = value.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(f'"{value}" is not K/N with 1 <= K <= N, e.g. 1/3')
    return (int(k), int(n))


@cli.command(name="batch")
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
    type=click.Choice(["auto", "csv", "json", "jsonl", "folder"]),
    default="auto",
    show_default=True,
    help="Input format.",
)
@click.option("--encoding", metavar="NAME", help="CSV encoding, e.g. cp1252 (default: detected).")
@click.option("--delimiter", metavar="CHAR", help="CSV delimiter (default: detected).")
@click.option(
    "--jobs", "-j", type=click.IntRange(1, 256), help="Worker processes (default: number of cores)."
)
@click.option(
    "--shard", callback=_check_shard, metavar="K/N", help="Only every record whose number is K modulo N."
)
@click.option(
    "--date",
    callback=_check_date,
    metavar="YYYY-MM-DD",
    help="Date printed when a record has none (default: today).",
)
@lang_option
@click.option(
    "--brand",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar="RXSTRETCH_BRAND",
    help="Clinic brand file (default: $RXSTRETCH_BRAND).",
)
@click.option(
    "--template",
    default="standard",
    show_default=True,
    metavar="NAME|FILE",
    help="Layout template name or YAML file.",
)
@library_option
@click.option("--force", is_flag=True, help="Overwrite existing handouts.")
@click.option(
    "--resume", is_flag=True, help="Skip records whose handout is already made from the same input."
)
def batch_command(
    records: Path,
    output_dir: Path,
    mapping: Path | None,
    input_format: Any,
    encoding: str | None,
    delimiter: str | None,
    jobs: int | None,
    shard: tuple[int, int],
    date: datetime.date | None,
    language: str | None,
    brand: Path | None,
    template: str,
    libraries: tuple[Path, ...],
    force: bool,
    resume: bool,
) -> None:
    """Render one handout per record of a CSV, JSON, JSON Lines export or a folder of prescriptions.

    Failed records are listed in DIR/errors.csv (exit 1); the others are still produced and
    listed in DIR/manifest.csv.

    \b
    Examples:
      rxstretch batch examples/records/export-fr.csv --map examples/records/mapping-fr.yaml -o out/
      rxstretch batch patients.jsonl -o out/ --jobs 4 --date 2026-11-26 --resume
    """
    from rxstretch.api import run_batch

    with reported_errors(), _progress(records, input_format, encoding, shard) as progress:
        result = run_batch(
            records,
            output_dir,
            mapping=mapping,
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
            progress=progress,
        )
    click.echo(
        f"{result.written} written, {result.unchanged} unchanged, {result.failed} failed; "
        f"see {result.manifest}",
        err=True,
    )
    if result.failed:
        raise click.ClickException(f"{result.failed} of {result.rows} records failed; see {result.errors}")


@contextmanager
def _progress(
    records: Path, input_format: Any, encoding: str | None, shard: tuple[int, int]
) -> Iterator[Callable[[int], None] | None]:
    """Yield a progress callback drawing a bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    from rxstretch.records import count_records

    total = count_records(records, input_format=input_format, encoding=encoding)
    in_shard = max((total - shard[0]) // shard[1] + 1, 0) if total >= shard[0] else 0
    with click.progressbar(length=in_shard, label="handouts", file=sys.stderr) as bar:
        yield bar.update


def main() -> None:
    """Run the command line (the ``rxstretch`` console script)."""
    cli(prog_name="rxstretch")
