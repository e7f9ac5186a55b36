"""Parsed library files kept between runs, so that ``generate`` does not parse them again.

Every handout reads the library's vocabularies, conditions, language reviews, programs and the
files of its exercises and figures; the bundled ones alone are hundreds of kilobytes of YAML in
13 languages, and parsing them cost more than a plain ReportLab script takes for a whole
handout. Their parsed trees (with line numbers) are kept one file per library file in the
user's cache folder (see rxstretch.resources.usercache), used while the file keeps its size and
modification time, and never across rxstretch versions or tree layouts. What is built from a
few such files alone (the merged vocabularies and conditions) is kept the same way, as one file
(rxstretch.resources.usercache.derived_from_files).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rxstretch import __version__
from rxstretch.loaders.yamlio import load_yaml_file
from rxstretch.resources.usercache import cache_file, file_state, kept_or_built

# Bump when LocatedMap/LocatedList (loaders/yamlio.py) or the model's classes change what they hold.
SCHEMA = 2


def load_library_file(path: Path) -> Any:
    """``load_yaml_file(path)``, from the cache while ``path`` is unchanged (errors are never kept)."""
    try:
        state = file_state(path)  # taken before reading: an edit while reading only misses the cache
    except OSError:
        return load_yaml_file(path)  # the reader says why the file cannot be read
    if len(state) < 3:  # missing: likewise
        return load_yaml_file(path)
    return kept_or_built(
        cache_file("trees", state[0]), (__version__, SCHEMA, state), lambda: load_yaml_file(path)
    )
