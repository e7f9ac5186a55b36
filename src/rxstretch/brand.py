"""Load the clinic's brand file (brand.yaml): the name and contact details on every handout."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rxstretch.model import Brand
from rxstretch.reader import Reader
from rxstretch.yamlio import load_yaml_file

BRAND_ENV = "RXSTRETCH_BRAND"
BRAND_FIELDS = ("name", "address", "phone", "email", "website")


def brand_path_from_env() -> Path | None:
    """Return the brand file named by RXSTRETCH_BRAND, if set."""
    value = os.environ.get(BRAND_ENV, "").strip()
    return Path(value) if value else None


def load_brand(path: Path) -> Brand:
    """Load and validate a brand file."""
    reader = Reader(str(path))
    brand = read_brand(load_yaml_file(path), reader)
    reader.raise_if_problems()
    return brand


def read_brand(data: Any, reader: Reader) -> Brand:
    """Build a Brand from parsed YAML, recording every problem in ``reader``."""
    doc = reader.mapping(data, "", line=1, required=("name",), optional=BRAND_FIELDS[1:])
    if doc is None:
        return Brand()
    values = {key: reader.text(doc, key, "") for key in BRAND_FIELDS if key in doc}
    return Brand(**values)
