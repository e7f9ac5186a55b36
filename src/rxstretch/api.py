"""The Python API: everything the command line does, callable from a script."""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rxstretch import DEFAULT_MAX_EXERCISES, MAX_JOBS, pipeline
from rxstretch.loaders.brand import load_brand
from rxstretch.loaders.library import library_dirs, load_library_dirs
from rxstretch.model import Brand, Library, Prescription
from rxstretch.model.handout import Handout
from rxstretch.pipeline import FontFiles
from rxstretch.prescription import load_prescription_file

# Worker processes a batch may start (the command line's --jobs takes the same range).

if TYPE_CHECKING:
    from rxstretch.batch import BatchResult
    from rxstretch.records import Format
    from rxstretch.records.mapping import ColumnMapping


def load_library(extra: Iterable[Path | str] = (), *, use_env: bool = True, lazy: bool = False) -> Library:
    """Load the bundled library, then RXSTRETCH_LIBRARY folders, then ``extra`` folders.

    Raises ValidationError listing every problem in every file. With ``lazy``, exercise files
    are read and checked only when first used, and their problems are raised then.
    """
    return load_library_dirs(library_dirs([Path(p) for p in extra], use_env=use_env), lazy=lazy)


def load_prescription(path: Path | str, library: Library | None = None) -> Prescription:
    """Load and validate a prescription file against ``library`` (the default library if None)."""
    return load_prescription_file(Path(path), library or load_library())


def build_handout(
    prescription: Prescription,
    library: Library | None = None,
    *,
    brand: Brand | Path | str | None = None,
    language: str | None = None,
    today: datetime.date | None = None,
    max_exercises: int = DEFAULT_MAX_EXERCISES,
    strict_language: bool = False,
    require_review: str | None = None,
    tracker_weeks: int = 0,
) -> Handout:
    """Resolve ``prescription`` into a localized Handout after its safety checks.

    Raises ContraindicationError (a ValidationError) when an exercise must be avoided for one
    of the patient's conditions and the prescription does not override it with a reason.
    Dosage and length warnings, and the overrides used, are in the Handout for the clinician.
    With ``strict_language``, any text that would fall back to another language raises
    LanguageFallbackError instead of being listed in ``Handout.fallbacks``. With
    ``require_review`` ("checked" or "reviewed"), so does content in a language whose review
    status (``rxstretch locales``) is below that level.
    """
    return pipeline.build_handout(
        prescription,
        library or load_library(),
        brand=brand,
        language=language,
        today=today,
        max_exercises=max_exercises,
        strict_language=strict_language,
        require_review=require_review,
        tracker_weeks=tracker_weeks,
    )


def render_handout(
    handout: Handout | Prescription,
    *,
    library: Library | None = None,
    brand: Brand | Path | str | None = None,
    template: str | None = None,
    language: str | None = None,
    today: datetime.date | None = None,
    paper: str | None = None,
    font: FontFiles = None,
    invariant: bool = True,
    warnings: list[str] | None = None,
) -> bytes:
    """Return the PDF bytes for a Handout, or for a Prescription (resolved first).

    The layout is ``template``, else the brand's, else "standard". The paper is ``paper`` (A4
    or letter), else the brand's, else the template's, else the one used in the handout's
    territory. ``font`` is a TrueType file drawing what the bundled fonts cannot (Chinese...),
    or several, tried in order (then the brand's ``fonts``): a chain. A character none of them
    has is drawn as a replacement mark (U+FFFD), and a warning naming where it is printed is
    appended to ``warnings`` when a list is given (the handout's own warnings and language
    fallbacks are ``Handout.warnings`` and ``Handout.fallbacks``, from ``build_handout``).

    ``library``, ``brand``, ``language`` and ``today`` shape a handout as it is built, so they
    apply to a Prescription only; given with a Handout they raise TypeError (give them to
    ``build_handout``, which also returns the handout's warnings and language fallbacks).
    """
    if not isinstance(handout, Prescription):
        given = {"library": library, "brand": brand, "language": language, "today": today}
        ignored = [name for name, value in given.items() if value is not None]
        if ignored:
            raise TypeError(
                f"render_handout(): {', '.join(ignored)} cannot change a Handout that is already "
                "built; pass them to build_handout(), or give render_handout() the Prescription"
            )
    else:
        handout = build_handout(handout, library, brand=brand, language=language, today=today)
    return pipeline.render_pdf(
        handout, template=template, paper=paper, font=font, invariant=invariant, warnings=warnings
    )


def fhir_bundle(
    prescription: Prescription,
    library: Library | None = None,
    *,
    handout: Handout | None = None,
    pdf: bytes | None = None,
    brand: Brand | Path | str | None = None,
    language: str | None = None,
    today: datetime.date | None = None,
    transaction: bool = False,
    embed_pdf: bool = False,
    pdf_title: str | None = None,
) -> dict[str, Any]:
    """Return the FHIR R4 Bundle (a JSON-ready dict) of ``prescription``'s handout.

    Pass the ``handout`` and ``pdf`` already made to describe exactly those; otherwise they are
    built here with the other arguments. ``transaction`` makes a Bundle to post to a FHIR server
    instead of a collection; ``embed_pdf`` puts the PDF itself in the DocumentReference.
    """
    from rxstretch.fhir.export import BundleOptions, handout_bundle

    library = library or load_library()
    if handout is None:
        handout = build_handout(prescription, library, brand=brand, language=language, today=today)
    if pdf is None:
        pdf = render_handout(handout)
    return handout_bundle(
        prescription,
        library,
        handout,
        pdf,
        date=prescription.date or today or datetime.date.today(),
        options=BundleOptions(transaction=transaction, embed_pdf=embed_pdf, pdf_title=pdf_title),
    )


def run_batch(
    records: Path | str,
    output_dir: Path | str,
    *,
    mapping: Path | str | ColumnMapping | None = None,
    libraries: Iterable[Path | str] = (),
    use_env: bool = True,
    brand: Brand | Path | str | None = None,
    template: str | None = None,
    language: str | None = None,
    today: datetime.date | None = None,
    jobs: int | None = None,
    force: bool = False,
    resume: bool = False,
    shard: tuple[int, int] = (1, 1),
    input_format: Format = "auto",
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    font: FontFiles = None,
    progress: Callable[[int], None] | None = None,
    fhir: bool = False,
) -> BatchResult:
    """Render one handout per record of a records export into ``output_dir``.

    ``records`` is a CSV, JSON array, JSON Lines file (records or FHIR Bundles), a spreadsheet
    (.xlsx, .xlsm, .xls, .ods; ``sheet`` names or numbers the sheet, from 1) or a folder of
    prescription files (YAML, or FHIR Bundles as .json);
    ``mapping`` a column-mapping file (or a loaded ColumnMapping, whose ``ignored_columns``
    then tells, after the run, which columns of the export nothing read). Writes manifest.csv
    and errors.csv next to the handouts; a failed record is listed in errors.csv and the others
    are still produced.
    ``today`` is the date printed when a record has none (default: today). ``font`` is a
    TrueType file for scripts the bundled fonts lack, or several (a chain, as in
    ``render_handout``); characters none has are drawn as a replacement mark and listed in the
    manifest's warnings. With ``fhir``, each handout's FHIR R4
    Bundle is written beside it (same name, .json) and named in the manifest. Raises
    RxStretchError only for problems that stop the whole batch (records not found, bad mapping,
    options or library, a folder that already holds the batch without ``force`` or ``resume``),
    before anything is written.
    """
    from rxstretch.batch import BatchOptions, check_csv_options, library_fingerprint, run_records
    from rxstretch.errors import RxStretchError, UsageError
    from rxstretch.loaders.template import load_template
    from rxstretch.records import iter_records
    from rxstretch.records.mapping import ColumnMapping, load_mapping

    if not 1 <= shard[0] <= shard[1]:
        raise UsageError(f"shard {shard[0]}/{shard[1]}: K must be between 1 and N")
    check_csv_options(encoding=encoding, delimiter=delimiter)
    if jobs is not None and not 1 <= jobs <= MAX_JOBS:
        raise UsageError(f"jobs {jobs}: give 1 to {MAX_JOBS} worker processes")
    if today is not None and not isinstance(today, datetime.date):
        raise UsageError(f"today {today!r}: give a datetime.date, e.g. datetime.date(2026, 11, 26)")
    if language is not None:
        from rxstretch.i18n import LocaleError, parse_locale

        try:
            parse_locale(language)
        except LocaleError as exc:  # every record would fail the same way
            raise UsageError(str(exc)) from exc
    if not Path(records).exists():
        raise RxStretchError(f"{records}: no such file or folder")
    if isinstance(libraries, str | Path):  # one folder, not the letters of its name
        libraries = [libraries]
    fonts = pipeline.font_paths(font)
    if fonts:
        from rxstretch.render.fonts import register_fallback

        for path in fonts:
            register_fallback(path)  # a file that is no font stops the batch, not each record
    folders = library_dirs([Path(p) for p in libraries], use_env=use_env)
    library = load_library_dirs(folders, lazy=True)
    brand_data = load_brand(Path(brand)) if isinstance(brand, Path | str) else brand
    # A bad template stops the batch before any worker starts.
    load_template(template or (brand_data.template if brand_data else None) or "standard")
    options = BatchOptions(
        output_dir=Path(output_dir),
        libraries=tuple(Path(p) for p in libraries),
        use_env=use_env,
        brand=brand_data,
        template=template,
        language=language,
        today=today or datetime.date.today(),
        force=force,
        resume=resume,
        fonts=fonts,
        fhir=fhir,
    )
    if isinstance(mapping, ColumnMapping):
        column_mapping = mapping
    else:
        column_mapping = load_mapping(Path(mapping)) if mapping is not None else ColumnMapping()
    rows = iter_records(
        Path(records),
        library,
        column_mapping,
        input_format=input_format,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
    )
    return run_records(
        rows,
        options,
        jobs=jobs or usable_cores(),
        shard=shard,
        # Always recorded, so that a later --resume can trust a plain run's manifest.
        library_fingerprint=library_fingerprint(folders),
        progress=progress,
    )


def merge_batch(output_dir: Path | str, *, force: bool = False) -> BatchResult:
    """Merge the reports of ``run_batch(..., shard=(K, N))`` runs into one folder's
    ``manifest.csv`` and ``errors.csv``, in record order (see docs/scale-out.md).

    Raises RxStretchError naming any shard missing or unfinished, and OutputExistsError when
    the folder already has a ``manifest.csv`` (``force=True`` replaces it).
    """
    from rxstretch.batch.merge import merge_shards

    return merge_shards(Path(output_dir), force=force)


def usable_cores() -> int:
    """The cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1
