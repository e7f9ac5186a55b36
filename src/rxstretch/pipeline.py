"""Prescription -> Handout -> PDF bytes, with the renderer cache: what the API and batch workers share.

This sits below both rxstretch.api and rxstretch.batch, so a batch worker never calls up into
the public facade. Renderers are cached per template, paper, brand colours and fonts; their own
caches never change the bytes (the same inputs give the same PDF whatever came before).
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rxstretch.errors import LanguageFallbackError
from rxstretch.loaders.brand import load_brand
from rxstretch.model import Brand, Library, Prescription
from rxstretch.model.handout import Handout
from rxstretch.model.template import paper_for_territory
from rxstretch.resolve import resolve_handout
from rxstretch.safety import DEFAULT_MAX_EXERCISES

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
    tracker_weeks: int = 0,
) -> Handout:
    """Resolve ``prescription`` against ``library``: rxstretch.api.build_handout says what it raises."""
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
    return handout


@lru_cache(maxsize=32)
def _renderer(
    template: str,
    paper: str,
    colors: tuple[tuple[str, str], ...],
    font: tuple[tuple[str, Path], ...],
    fallback: Path | None,
) -> HandoutRenderer:
    # Imported here so that loading or validating a library never pays for importing ReportLab.
    from rxstretch.render.document import HandoutRenderer
    from rxstretch.render.fonts import BUNDLED_FAMILIES, brand_font

    layout = _template(template).with_colors(dict(colors))
    family = brand_font(dict(font)) if font else BUNDLED_FAMILIES[layout.font]
    return HandoutRenderer(layout, paper=paper, family=family, fallback_font=fallback)


@lru_cache(maxsize=16)
def _template(name: str) -> Template:
    from rxstretch.loaders.template import load_template

    return load_template(name)


def prepare_renderer(template: str = "standard") -> None:
    """Load ``template`` and the fonts now, so a worker's first handout is not slower."""
    _renderer(template, "A4", (), (), None)


def render_pdf(
    handout: Handout,
    *,
    template: str | None = None,
    paper: str | None = None,
    font: Path | str | None = None,
    invariant: bool = True,
) -> bytes:
    """Return the PDF bytes of a Handout with a cached renderer (see api.render_handout)."""
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
        Path(font) if font else None,
    )
    return renderer.render(handout, invariant=invariant)
