"""Load the clinic's brand file (brand.yaml): identity, logo, colours, font and defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rxstretch.loaders.reader import Reader, join_path
from rxstretch.loaders.yamlio import LocatedMap, load_yaml_file
from rxstretch.model import Brand

CONTACT_FIELDS = ("name", "address", "phone", "email", "website")
OPTIONAL_FIELDS = (
    *CONTACT_FIELDS[1:],
    "logo",
    "colors",
    "font",
    "fonts",
    "footer",
    "paper",
    "template",
    "qr_code",
)
COLOR_KEYS = ("primary", "accent")
FONT_FACES = ("regular", "bold", "italic", "bold_italic")
PAPERS = ("A4", "letter")


def load_brand(path: Path) -> Brand:
    """Load and validate a brand file; relative paths in it are relative to the file."""
    reader = Reader(str(path))
    brand = read_brand(load_yaml_file(path), reader, folder=path.parent)
    reader.raise_if_problems()
    return brand


def read_brand(data: Any, reader: Reader, *, folder: Path) -> Brand:
    """Build a Brand from parsed YAML, recording every problem in ``reader``."""
    doc = reader.mapping(data, "", line=1, required=("name",), optional=OPTIONAL_FIELDS)
    if doc is None:
        return Brand()
    contact = {key: reader.text(doc, key, "") for key in CONTACT_FIELDS if key in doc}
    footer = reader.names(doc["footer"], "footer", doc.line_of("footer")) if "footer" in doc else {}
    paper = reader.choice(doc, "paper", "", PAPERS, what="paper size") if "paper" in doc else None
    template = reader.text(doc, "template", "") if "template" in doc else None
    if template is not None and template.endswith((".yaml", ".yml")):
        template = str(_existing(reader, doc, "template", "", folder) or template)
    qr_code = reader.typed(doc, "qr_code", "", bool) is True
    return Brand(
        **contact,
        logo=_existing(reader, doc, "logo", "", folder) if "logo" in doc else None,
        colors=reader.colors(doc, "colors", "", optional=COLOR_KEYS),
        font=_font(reader, doc, folder),
        fonts=_fallback_fonts(reader, doc, folder) if "fonts" in doc else (),
        footer=footer,
        paper=paper,
        template=template,
        qr_code=qr_code,
    )


def _font(reader: Reader, doc: LocatedMap, folder: Path) -> dict[str, Path]:
    node = reader.section(doc, "font", "", required=("regular",), optional=FONT_FACES[1:])
    found: dict[str, Path] = {}
    if node is None:
        return found
    for face in FONT_FACES:
        if face in node and (path := _existing(reader, node, face, "font", folder)) is not None:
            if path.suffix.lower() not in (".ttf", ".ttc"):
                reader.problem(node.line_of(face), join_path("font", face), "must be a TrueType file (.ttf)")
                continue
            found[face] = path
    return found


def _fallback_fonts(reader: Reader, doc: LocatedMap, folder: Path) -> tuple[Path, ...]:
    """The ``fonts:`` list: TrueType files drawing, in order, what the other fonts cannot."""
    found = []
    for index, _, _ in reader.items(doc, "fonts", ""):
        path = _existing(reader, doc["fonts"], index, "fonts", folder)
        if path is not None and path.suffix.lower() not in (".ttf", ".ttc"):
            reader.problem(doc["fonts"].line_of(index), f"fonts[{index}]", "must be a TrueType file (.ttf)")
        elif path is not None:
            found.append(path)
    return tuple(found)


def _existing(reader: Reader, node: Any, key: str | int, path: str, folder: Path) -> Path | None:
    """The file named at ``key``, relative to the brand file's folder; a problem if missing."""
    text = reader.text(node, key, path)
    if text is None:
        return None
    candidate = (folder / Path(text).expanduser()).resolve()
    if not candidate.is_file():
        reader.problem(node.line_of(key), join_path(path, key), f'no file at "{candidate}"')
        return None
    return candidate
