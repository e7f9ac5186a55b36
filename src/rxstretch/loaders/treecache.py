"""Parsed library files kept between runs, so that ``generate`` does not parse them again.

Every handout reads the library's vocabularies, conditions, language reviews, programs and the
files of its exercises and figures; the bundled ones alone are hundreds of kilobytes of YAML in
13 languages, and parsing them cost more than a plain ReportLab script takes for a whole
handout. Their parsed trees (with line numbers) are kept one file per library file in the
user's cache folder (see rxstretch.loaders.usercache), used while the file keeps its size and
modification time, and never across rxstretch versions or tree layouts.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from rxstretch import __version__
from rxstretch.loaders.usercache import cache_dir, read_private, write_private
from rxstretch.loaders.yamlio import load_yaml_file

# Bump when LocatedMap/LocatedList (loaders/yamlio.py) change what they hold.
SCHEMA = 1


def load_library_file(path: Path) -> Any:
    """``load_yaml_file(path)``, from the cache while ``path`` is unchanged (errors are never kept)."""
    try:
        info = os.stat(path)  # taken before reading: an edit while reading only misses the cache
        where = str(path.resolve())
    except OSError:
        return load_yaml_file(path)
    key = (__version__, SCHEMA, where, info.st_size, info.st_mtime_ns)
    name = hashlib.sha256("\0".join(map(str, key[:3])).encode()).hexdigest()[:32]
    cached = cache_dir() / "trees" / f"{name}.pickle"
    found = read_private(cached)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
        return found[1]
    tree = load_yaml_file(path)
    write_private(cached, (key, tree))
    return tree
