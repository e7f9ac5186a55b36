"""Load and validate a layout template (templates/<name>.yaml or a user's file)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rxstretch.errors import Problem, ValidationError, did_you_mean
from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.yamlio import LocatedMap, load_yaml_file
from rxstretch.model.template import (
    COLOR_NAMES,
    DEFAULT_FONT,
    FIGURE_MODES,
    FIXED_COLORS,
    FONT_FAMILIES,
    PAPER_CHOICES,
    STYLE_NAMES,
    Template,
    TextStyle,
)
from rxstretch.resources import data_dir

_STYLE_KEYS = (
    "size",
    "leading",
    "bold",
    "italic",
    "color",
    "space_before",
    "space_after",
    "indent",
)
_STYLE_NUMBERS = ("leading", "space_before", "space_after", "indent")


def bundled_templates() -> dict[str, Path]:
    """Return the templates shipped with rxstretch by name."""
    return {path.stem: path for path in sorted(data_dir("templates").glob("*.yaml"))}


def find_template(name_or_path: str) -> Path:
    """Return the file of a bundled template name or of a path to a user's template."""
    bundled = bundled_templates()
    if name_or_path in bundled:
        return bundled[name_or_path]
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    hint = did_you_mean(name_or_path, bundled)
    raise ValidationError([Problem("--template", None, "", f'no template "{name_or_path}"{hint}')])


def load_template(name_or_path: str = "standard") -> Template:
    """Load and validate a template by bundled name or file path."""
    path = find_template(name_or_path)
    reader = Reader(str(path))
    template = read_template(load_yaml_file(path), reader, name=path.stem)
    reader.raise_if_problems()
    assert template is not None
    return template


def _numbers(
    reader: Reader, parent: LocatedMap, key: str, names: tuple[str, ...], *, path: str = ""
) -> dict[str, float]:
    node = reader.section(parent, key, path, required=names)
    here = join_path(path, key)
    values: dict[str, float] = {}
    for name in names:
        value = node.get(name) if node is not None else None
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            values[name] = float(value)
        elif node is not None and name in node:
            reader.problem(node.line_of(name), join_path(here, name), "must be a number of 0 or more")
    return values


def read_template(data: Any, reader: Reader, *, name: str) -> Template | None:
    """Build a Template from parsed YAML, recording every problem in ``reader``."""
    doc = reader.mapping(
        data,
        "",
        line=1,
        required=("page", "colors", "spacing", "image", "styles"),
        optional=("font", "layout"),
    )
    if doc is None:
        return None
    page = reader.section(doc, "page", "", required=("size", "margins_mm"))
    size = reader.choice(page, "size", "page", PAPER_CHOICES, what="page size") if page else None
    margins = (
        _numbers(reader, page, "margins_mm", ("top", "bottom", "left", "right"), path="page") if page else {}
    )
    colors = reader.colors(doc, "colors", "", required=COLOR_NAMES)
    spacing = _numbers(reader, doc, "spacing", ("card_gap", "box_padding", "step_number_width"))
    image = _numbers(reader, doc, "image", ("max_width_mm", "max_height_mm"))
    styles = _read_styles(reader, doc, colors)
    font = reader.choice(doc, "font", "", FONT_FAMILIES, what="font") if "font" in doc else DEFAULT_FONT
    layout = reader.section(doc, "layout", "", optional=("columns", "exercise_per_page", "figures"))
    figures = "panels"
    columns = 1
    exercise_per_page = False
    if layout is not None:
        if "columns" in layout:
            columns = reader.integer(layout, "columns", "layout", minimum=1, maximum=2) or 1
        exercise_per_page = reader.typed(layout, "exercise_per_page", "layout", bool) is True
        if "figures" in layout:
            figures = reader.choice(layout, "figures", "layout", FIGURE_MODES, what="figure mode") or figures
    if reader.problems or size is None or font is None:
        return None
    return Template(
        name=name,
        page_size=size,
        margins_mm=margins,
        colors=colors,
        spacing=spacing,
        image_max_mm=(image["max_width_mm"], image["max_height_mm"]),
        styles=styles,
        font=font,
        columns=columns,
        exercise_per_page=exercise_per_page,
        figures=figures,
    )


def _read_styles(reader: Reader, doc: LocatedMap, colors: Mapping[str, str]) -> dict[str, TextStyle]:
    node = reader.section(doc, "styles", "", required=STYLE_NAMES)
    styles: dict[str, TextStyle] = {}
    for style_name in STYLE_NAMES if node is not None else ():
        path = join_path("styles", style_name)
        entry = reader.section(
            node,
            style_name,
            "styles",
            required=("size",),
            optional=_STYLE_KEYS,
        )
        if entry is None:
            continue
        size = entry.get("size")
        if not isinstance(size, int | float) or isinstance(size, bool) or not 4 <= size <= 72:
            reader.problem(entry.line_of("size"), join_path(path, "size"), "must be a number from 4 to 72")
            continue
        color_name = entry.get("color", "text")
        if color_name not in colors and color_name not in FIXED_COLORS:
            hint = did_you_mean(str(color_name), [*COLOR_NAMES, *FIXED_COLORS])
            reader.problem(
                entry.line_of("color"), join_path(path, "color"), f'unknown colour "{color_name}"{hint}'
            )
            continue
        color = str(color_name)
        found = {key: _style_number(reader, entry, key, path) for key in _STYLE_NUMBERS}
        numbers = {key: value for key, value in found.items() if value is not None}
        if len(numbers) < len(found):
            continue
        leading = numbers["leading"] or round(size * 1.32, 1)
        styles[style_name] = TextStyle(
            size=float(size),
            leading=leading,
            bold=entry.get("bold") is True,
            italic=entry.get("italic") is True,
            color=color,
            space_before=numbers["space_before"],
            space_after=numbers["space_after"],
            indent=numbers["indent"],
        )
    return styles


def _style_number(reader: Reader, entry: LocatedMap, key: str, path: str) -> float | None:
    """Return the optional non-negative number at ``key`` (0 when absent), None if invalid."""
    value = entry.get(key, 0)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 200:
        return float(value)
    reader.problem(entry.line_of(key), join_path(path, key), "must be a number from 0 to 200")
    return None
