"""Prescription -> Handout -> PDF bytes, with the renderer cache: what the API and batch workers share.

This sits below both rxstretch.api and rxstretch.batch, so a batch worker never calls up into
the public facade. Renderers are cached per template, paper, brand colours and fonts; their own
caches never change the bytes (the same inputs give the same PDF whatever came before).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rxstretch import DEFAULT_MAX_EXERCISES, REVIEW_LEVELS
from rxstretch.errors import LanguageFallbackError
from rxstretch.loaders.brand import load_brand
from rxstretch.model import Brand, Library, Prescription
from rxstretch.model.handout import Handout
from rxstretch.model.template import paper_for_territory
from rxstretch.resolve import resolve_handout, review_status

# One TrueType file drawing what the bundled fonts cannot, or several (a chain, in order).
FontFiles = Path | str | Sequence[Path | str] | None

if TYPE_CHECKING:
    from rxstretch.model.template import Template
    from rxstretch.render.document import HandoutRenderer


def build_handout(
    prescription: Prescription,
    library: Library,
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
    status (the library's languages.yaml) is below that level.
    """
    if isinstance(brand, Path | str):
        brand = load_brand(Path(brand))
    handout = resolve_handout(
        prescription,
        library,
        brand=brand,
        language=language,
        today=today,
        max_exercises=max_exercises,
        tracker_weeks=tracker_weeks,
    )
    if strict_language and handout.fallbacks:
        listed = "; ".join(handout.fallbacks)
        raise LanguageFallbackError(f"not everything is in {handout.language}: {listed}")
    if require_review is not None:
        _check_review(handout.language, library, require_review)
    return handout


def _check_review(language: str, library: Library, required: str) -> None:
    if required not in REVIEW_LEVELS:
        raise ValueError(f"require_review must be one of {', '.join(REVIEW_LEVELS)}, not {required!r}")
    status = review_status(language, library)
    if REVIEW_LEVELS.index(status) < REVIEW_LEVELS.index(required):
        raise LanguageFallbackError(
            f"the library's {language} content is {status}, and {required} was required"
            " (a clinic records its own review in its library folder's languages.yaml)"
        )


@lru_cache(maxsize=32)
def _renderer(
    template: str,
    paper: str,
    colors: tuple[tuple[str, str], ...],
    font: tuple[tuple[str, Path], ...],
    fallbacks: tuple[Path, ...],
) -> HandoutRenderer:
    # Imported here so that loading or validating a library never pays for importing ReportLab.
    from rxstretch.render.document import HandoutRenderer
    from rxstretch.render.fonts import BUNDLED_FAMILIES, brand_font

    layout = _template(template).with_colors(dict(colors))
    family = brand_font(dict(font)) if font else BUNDLED_FAMILIES[layout.font]
    return HandoutRenderer(layout, paper=paper, family=family, fallback_fonts=fallbacks)


@lru_cache(maxsize=16)
def _template(name: str) -> Template:
    from rxstretch.loaders.template import load_template

    return load_template(name)


def prepare_renderer(template: str = "standard") -> None:
    """Load ``template`` and the fonts now, so a worker's first handout is not slower."""
    _renderer(template, "A4", (), (), ())


def render_pdf(
    handout: Handout,
    *,
    template: str | None = None,
    paper: str | None = None,
    font: FontFiles = None,
    invariant: bool = True,
    warnings: list[str] | None = None,
) -> bytes:
    """Return the PDF bytes of a Handout with a cached renderer (see api.render_handout).

    ``font`` files, then the brand's ``fonts``, draw what the bundled fonts cannot; warnings
    about characters none of them has (drawn as a replacement mark) go to ``warnings``.
    """
    chosen_template = template or handout.brand.template or "standard"
    layout_paper = _template(chosen_template).page_size
    chosen_paper = (
        paper
        or handout.brand.paper
        or (layout_paper if layout_paper != "auto" else paper_for_territory(handout.territory))
    )
    renderer = _renderer(
        chosen_template,
        chosen_paper,
        tuple(sorted(handout.brand.colors.items())),
        tuple(sorted(handout.brand.font.items())),
        (*font_paths(font), *handout.brand.fonts),
    )
    if warnings is not None:
        warnings.extend(renderer.missing_glyphs(handout))
    return renderer.render(handout, invariant=invariant)


def font_paths(font: FontFiles) -> tuple[Path, ...]:
    """The fallback font files given as one path or several, as Paths in order."""
    if font is None:
        return ()
    if isinstance(font, Path | str):
        return (Path(font),)
    return tuple(Path(path) for path in font)
