"""Parsed library files kept between runs, so that ``generate`` does not parse them again.

Every handout reads the library's vocabularies, conditions, language reviews, programs and the
files of its exercises and figures; the bundled ones alone are hundreds of kilobytes of YAML in
13 languages, and parsing them cost more than a plain ReportLab script takes for a whole
handout. Their parsed trees (with line numbers) are kept one file per library file in the
user's cache folder (see rxstretch.loaders.usercache), used while the file keeps its size and
modification time, and never across rxstretch versions or tree layouts. What is built from a
few such files alone (the merged vocabularies and conditions) is kept the same way, as one file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from rxstretch import __version__
from rxstretch.loaders.usercache import cache_dir, read_private, write_private
from rxstretch.loaders.yamlio import load_yaml_file

# Bump when LocatedMap/LocatedList (loaders/yamlio.py) or the model's classes change what they hold.
SCHEMA = 1

T = TypeVar("T")


def load_library_file(path: Path) -> Any:
    """``load_yaml_file(path)``, from the cache while ``path`` is unchanged (errors are never kept)."""
    try:
        info = os.stat(path)  # taken before reading: an edit while reading only misses the cache
        where = str(path.resolve())
    except OSError:
        return load_yaml_file(path)
    key = (__version__, SCHEMA, where, info.st_size, info.st_mtime_ns)
    cached = _cache_file("trees", *map(str, key[:3]))
    found = read_private(cached)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
        return found[1]
    tree = load_yaml_file(path)
    write_private(cached, (key, tree))
    return tree


def derived_from_files(name: str, paths: Sequence[Path], build: Callable[[], T]) -> T:
    """``build()``, a value computed from the files ``paths`` alone (present or not), from the
    cache while none of them changes; an exception from ``build`` is raised and nothing kept."""
    try:
        states = tuple(_state(path) for path in paths)
    except OSError:
        return build()
    key = (__version__, SCHEMA, name, states)
    cached = _cache_file("derived", name, *(state[0] for state in states))
    found = read_private(cached)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
        return found[1]  # type: ignore[no-any-return]
    value = build()
    write_private(cached, (key, value))
    return value


def _cache_file(kind: str, *identity: str) -> Path:
    """The cache file of what ``identity`` names: one per file or set of files, whatever its version."""
    return cache_dir() / kind / f"{hashlib.sha256(chr(0).join(identity).encode()).hexdigest()[:32]}.pickle"


def _state(path: Path) -> tuple[str, int, int] | tuple[str]:
    """What identifies a file's version: its real path, size and modification time (or absence)."""
    where = str(path.resolve())
    try:
        info = os.stat(where)
    except FileNotFoundError:
        return (where,)
    return (where, info.st_size, info.st_mtime_ns)
