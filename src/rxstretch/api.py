"""The Python API: everything the command line does, callable from a script."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rxstretch.brand import load_brand
from rxstretch.handout import Handout
from rxstretch.library import library_dirs, load_library_dirs
from rxstretch.model import Brand, Library, Prescription
from rxstretch.prescription import load_prescription_file
from rxstretch.resolve import resolve_handout

if TYPE_CHECKING:
    from rxstretch.render.document import HandoutRenderer


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
) -> Handout:
    """Resolve ``prescription`` into a localized Handout, checking contraindications."""
    if isinstance(brand, Path | str):
        brand = load_brand(Path(brand))
    return resolve_handout(
        prescription, library or load_library(), brand=brand, language=language, today=today
    )


@lru_cache(maxsize=8)
def _renderer(template: str) -> HandoutRenderer:
    # Imported here so that loading or validating a library never pays for importing ReportLab.
    from rxstretch.render.document import HandoutRenderer
    from rxstretch.template import load_template

    return HandoutRenderer(load_template(template))


def render_handout(
    handout: Handout | Prescription,
    *,
    library: Library | None = None,
    brand: Brand | Path | str | None = None,
    template: str = "standard",
    language: str | None = None,
    today: datetime.date | None = None,
    invariant: bool = True,
) -> bytes:
    """Return the PDF bytes for a Handout, or for a Prescription (resolved first)."""
    if isinstance(handout, Prescription):
        handout = build_handout(handout, library, brand=brand, language=language, today=today)
    return _renderer(template).render(handout, invariant=invariant)
