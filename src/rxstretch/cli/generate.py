"""rxstretch generate: one handout from a prescription file or from options."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from rxstretch import DEFAULT_MAX_EXERCISES, MAX_REPS, MAX_SETS, MAX_TRACKER_WEEKS
from rxstretch.cli.options import (
    brand_option,
    check_date,
    check_option,
    command_library,
    font_option,
    lang_option,
    library_option,
    paper_option,
    reported_errors,
    require_review_option,
    strict_language_option,
    template_option,
)

if TYPE_CHECKING:
    from rxstretch.model.handout import Handout


def _parse_duration(value: str) -> object:
    # The dosage parser loads with the prescription package: only when the option is given.
    from rxstretch.prescription.quantities import parse_duration

    return parse_duration(value)


def _parse_frequency(value: str) -> object:
    from rxstretch.prescription.quantities import parse_frequency

    return parse_frequency(value)


PAPER = {"a4": "A4", "letter": "letter"}


@click.command(name="generate")
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
@click.option("--sets", type=click.IntRange(1, MAX_SETS), help="Sets for every exercise (quick form).")
@click.option("--reps", type=click.IntRange(1, MAX_REPS), help="Repetitions for every exercise (quick form).")
@click.option(
    "--hold",
    metavar="DURATION",
    callback=check_option(_parse_duration),
    help="Hold, e.g. 30s or 1 min 30 s (quick form).",
)
@click.option(
    "--frequency",
    metavar="N/PERIOD",
    callback=check_option(_parse_frequency),
    help="How often, e.g. 2/day or 3/week (quick form).",
)
@click.option("--notes", help="General notes printed at the end (quick form).")
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    metavar="TEXT",
    help="Patient condition: id, name, synonym or ICD-10/SNOMED code, with qualifiers "
    "('posterior hip replacement', 'THR:posterior:weeks=5'; quick form; repeatable).",
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
    callback=check_date,
    metavar="YYYY-MM-DD",
    help="Date printed on the handout when the prescription has none (default: today).",
)
@lang_option
@brand_option
@template_option
@font_option
@paper_option
@library_option
@strict_language_option
@require_review_option
@click.option(
    "--tracker",
    "tracker_weeks",
    type=click.IntRange(1, MAX_TRACKER_WEEKS),
    metavar="WEEKS",
    help="Add an exercise diary: a box per session and day, and a pain score, for WEEKS weeks.",
)
@click.option(
    "--fhir",
    "fhir_output",
    metavar="FILE.json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the prescription as a FHIR R4 Bundle (see docs/fhir.md).",
)
@click.option("--fhir-embed-pdf", is_flag=True, help="Put the PDF itself in the Bundle's DocumentReference.")
@click.option(
    "--fhir-transaction", is_flag=True, help="Write a transaction Bundle, to post to a FHIR server."
)
@click.option("--force", is_flag=True, help="Overwrite the output files if they exist.")
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
    template: str | None,
    font: Path | None,
    paper: str | None,
    libraries: tuple[Path, ...],
    strict_language: bool,
    require_review: str | None,
    tracker_weeks: int | None,
    fhir_output: Path | None,
    fhir_embed_pdf: bool,
    fhir_transaction: bool,
    force: bool,
) -> None:
    """Render a patient handout PDF from a prescription file or from -e options.

    \b
    Examples:
      rxstretch generate examples/low-back.yaml -o handout.pdf
      rxstretch generate examples/low-back.yaml -o handout.pdf --fhir handout.json
      rxstretch generate bundle.json -o handout.pdf      # a FHIR Bundle as input
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
    if (fhir_embed_pdf or fhir_transaction) and fhir_output is None:
        raise click.UsageError("--fhir-embed-pdf and --fhir-transaction need --fhir FILE.json")
    from rxstretch.api import build_handout, render_handout
    from rxstretch.output import check_output_file, write_atomic
    from rxstretch.prescription import load_prescription_file, quick_prescription, with_overrides

    if output == "-" and sys.stdout.isatty():
        raise click.UsageError("-o - writes a binary PDF; redirect it to a file or a pipe, or name a file")
    with reported_errors():
        if output != "-":
            template_file = Path(template) if template and Path(template).is_file() else None
            check_output_file(Path(output), inputs=(prescription, brand, font, template_file))
            if Path(output).exists() and not force:
                raise click.ClickException(f"{output}: already exists; use --force to overwrite it")
            if Path(output).suffix.lower() != ".pdf":
                click.echo(f"warning: {output} does not end in .pdf; it is a PDF all the same", err=True)
        if fhir_output is not None and fhir_output.exists() and not force:
            raise click.ClickException(f"{fhir_output}: already exists; use --force to overwrite it")
        # Only the prescribed exercises are read (and checked): a patient is waiting.
        library = command_library(libraries, lazy=True)
        if prescription is not None and prescription.suffix.lower() == ".json":
            from rxstretch.records.fhirfile import load_bundle_file

            rx = load_bundle_file(prescription, library)
        elif prescription is not None:
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
            require_review=require_review,
            tracker_weeks=tracker_weeks or 0,
        )
        pdf = render_handout(handout, template=template, font=font, paper=paper and PAPER[paper.lower()])
        if output == "-":
            with click.open_file("-", "wb") as stdout:
                stdout.write(pdf)
        else:
            write_atomic(Path(output), pdf, force=force)
        if fhir_output is not None:
            from rxstretch.api import fhir_bundle
            from rxstretch.fhir.serialize import bundle_bytes

            bundle = fhir_bundle(
                rx,
                library,
                handout=handout,
                pdf=pdf,
                today=date,
                transaction=fhir_transaction,
                embed_pdf=fhir_embed_pdf,
                pdf_title=Path(output).name if output != "-" else None,
            )
            write_atomic(fhir_output, bundle_bytes(bundle), force=force)
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
