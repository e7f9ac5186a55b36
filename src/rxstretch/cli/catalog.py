"""rxstretch list, show and validate: looking at and checking the library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rxstretch.cli.options import command_library, format_option, lang_option, library_option, reported_errors

if TYPE_CHECKING:
    from rxstretch.model import Library


@click.command(name="list")
@lang_option
@click.option("--region", help="Only exercises for this body region.")
@click.option("--position", help="Only exercises done in this position, e.g. sitting.")
@click.option("--equipment", help="Only exercises that use this equipment, e.g. chair.")
@click.option("--tag", help="Only exercises with this tag.")
@click.option("--search", metavar="TEXT", help="Only exercises whose name, summary, id or tags contain TEXT.")
@click.option("--programs", is_flag=True, help="List the programs (presets of exercises) instead.")
@format_option("table", "json")
@library_option
def list_command(
    language: str | None,
    region: str | None,
    position: str | None,
    equipment: str | None,
    tag: str | None,
    search: str | None,
    programs: bool,
    output_format: str,
    libraries: tuple[Path, ...],
) -> None:
    """List the exercises of the library (or its programs).

    Searching matches every language the library has, accents and case ignored.

    \b
    Examples:
      rxstretch list --region lower-back --position supine
      rxstretch list --lang fr --search genoux --format json
      rxstretch list --programs
    """
    from rxstretch.loaders.catalog import exercise_summaries, format_table, program_summaries

    with reported_errors():
        library = command_library(libraries)
        if programs:
            rows = program_summaries(library, language=language)
        else:
            rows = exercise_summaries(
                library,
                language=language,
                region=region,
                tag=tag,
                search=search,
                position=position,
                equipment=equipment,
            )
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif programs:
        for row in rows:
            click.echo(f"{row['id']}  {row['title']}: {', '.join(row['exercises'])}")
    else:
        click.echo(format_table(rows))


@click.command(name="show")
@click.argument("exercise_id", metavar="ID")
@lang_option
@format_option("text", "yaml", "json")
@click.option(
    "--figure",
    "figure_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="OUT.png|svg|pdf",
    help="Write the exercise's figure (every step panel) to this file instead.",
)
@click.option("--force", is_flag=True, help="Overwrite the --figure file if it exists.")
@library_option
def show_command(
    exercise_id: str,
    language: str | None,
    output_format: str,
    figure_path: Path | None,
    force: bool,
    libraries: tuple[Path, ...],
) -> None:
    """Show everything about one exercise.

    \b
    Examples:
      rxstretch show knees-to-chest --lang fr
      rxstretch show knees-to-chest --figure knees-to-chest.svg
    """
    from rxstretch.loaders.catalog import exercise_details, format_details

    if figure_path is not None:
        with reported_errors():
            _write_figure(command_library(libraries, lazy=True), exercise_id, figure_path, force=force)
        return
    with reported_errors():
        details = exercise_details(command_library(libraries, lazy=True), exercise_id, language=language)
    if output_format == "json":
        click.echo(json.dumps(details, ensure_ascii=False, indent=2))
    elif output_format == "yaml":
        import yaml

        click.echo(yaml.safe_dump(details, allow_unicode=True, sort_keys=False), nl=False)
    else:
        click.echo(format_details(details))


def _write_figure(library: Library, exercise_id: str, path: Path, *, force: bool) -> None:
    from rxstretch.errors import RxStretchError, did_you_mean
    from rxstretch.output import write_atomic
    from rxstretch.render.figures import FORMATS, figure_bytes

    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.BadParameter(f"name the file .png, .svg or .pdf, not {path.name}", param_hint="--figure")
    if exercise_id not in library.exercises:
        raise RxStretchError(
            f'unknown exercise "{exercise_id}"{did_you_mean(exercise_id, library.exercises)}'
        )
    figure = library.exercises[exercise_id].figure
    if figure is None:
        raise RxStretchError(f"exercise {exercise_id} has no figure (illustration: {{figure: ID}})")
    write_atomic(path, figure_bytes(figure, fmt), force=force)
    click.echo(f"wrote {path}", err=True)


@click.command(name="validate")
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
    from rxstretch.loaders.validate import validate_paths

    with reported_errors():
        summary = validate_paths(paths, libraries)
    for line in summary:
        click.echo(line)


@click.command(name="locales")
@format_option("table", "json")
@library_option
def locales_command(output_format: str, libraries: tuple[Path, ...]) -> None:
    """Show how complete each language is: UI strings, exercises and script support.

    \b
    Example:
      rxstretch locales
    """
    from rxstretch.loaders.languages import language_report
    from rxstretch.render.fonts import BUNDLED_FONTS, register_family
    from rxstretch.render.glyphs import font_characters

    with reported_errors():
        rows = language_report(
            command_library(libraries), font_characters(register_family({"regular"}, BUNDLED_FONTS).regular)
        )
    if output_format == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    header = ("LANGUAGE", "NAME", "UI", "EXERCISES", "REVIEW", "SCRIPT", "FONT")
    table = [header] + [
        (
            row["language"],
            row["name"],
            f"{row['ui_translated_percent']}%",
            f"{row['exercises_complete']}/{row['exercises_total']}",
            row["review"],
            f"{row['script']} ({row['direction']})",
            "yes" if row["font_covers_script"] else "no: use --font",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
