"""Find the data that ships with rxstretch: the bundled library, templates, fonts, catalogs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``library`` or ``templates``) shipped with rxstretch.

    In a wheel these folders sit inside the package; in a source checkout (editable install)
    they are top-level folders of the repository, two levels above the package.
    """
    packaged = _PACKAGE_DIR / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent.parent / name


def package_file(*parts: str) -> Path:
    """Return a file that lives inside the Python package itself (fonts, locale catalogs)."""
    return _PACKAGE_DIR.joinpath(*parts)
