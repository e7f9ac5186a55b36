"""A per-user cache of checked library files, so that checking a big library again is fast.

``rxstretch validate`` and ``list`` check every exercise and figure file; for a clinic library of
thousands of files, parsing and checking them is nearly all of their time. What a check found is
kept per file: its problems (with their lines) and, for an exercise, the small summary that
``list`` prints. An entry is used only while the file and the files its check read (its figure,
its photo) keep their size and modification time, and only while everything else the check
depended on (vocabularies, conditions, the set of figure ids) is unchanged; a second run therefore
stats the files and redoes only the cross-file checks (programs).

The cache lives in the user's cache folder ($XDG_CACHE_HOME/rxstretch, else ~/.cache/rxstretch),
one file per set of library folders. It is safe to delete; a cache written by another rxstretch
version or cache schema, one that cannot be read, or one that another user could have written is
ignored and rebuilt. It is written atomically (a temporary file renamed over it), without fsync:
losing it in a crash only costs the next run its speed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rxstretch import __version__
from rxstretch.errors import Problem
from rxstretch.loaders.summary import ExerciseSummary
from rxstretch.loaders.usercache import cache_dir, read_private, write_private

# Bump when Checked, ExerciseSummary or what a check reports changes shape.
SCHEMA = 2

# size and modification time of a file, or None when it did not exist
Stamp = tuple[int, int] | None


def stamp(path: Path) -> Stamp:
    """The size and modification time of ``path`` (None if it cannot be read)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


@dataclass(frozen=True)
class Checked:
    """What checking one file found, and the files (with their stamps) the check read."""

    stamp: Stamp
    problems: tuple[Problem, ...]
    summary: ExerciseSummary | None = None
    depends: tuple[tuple[str, Stamp], ...] = ()


class CheckCache:
    """Checked files of a set of library folders, kept in the user's cache folder.

    ``context`` names everything outside a file that its check depends on; entries written
    under another context are not used.
    """

    def __init__(self, folders: Sequence[Path], context: bytes) -> None:
        key = "\0".join([__version__, str(SCHEMA), *(str(folder.resolve()) for folder in folders)])
        self.file = cache_dir() / f"checked-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle"
        self.context = hashlib.sha256(context).hexdigest()
        self.entries: dict[str, Checked] = self._read()
        # What this run used: saved in place of ``entries``, so deleted files drop out.
        self.used: dict[str, Checked] = {}
        self._stamps: dict[str, Stamp] = {}
        self.changed = False

    def _read(self) -> dict[str, Checked]:
        data = read_private(self.file)
        if not isinstance(data, dict) or data.get("version") != (__version__, SCHEMA, self.context):
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def stamp(self, path: str) -> Stamp:
        """``stamp`` of a file, taken once per run (many exercises share one figure file)."""
        if path not in self._stamps:
            self._stamps[path] = stamp(Path(path))
        return self._stamps[path]

    def get(self, path: Path) -> Checked | None:
        """The check of ``path`` if neither it nor a file it read changed since."""
        entry = self.entries.get(str(path))
        if not isinstance(entry, Checked) or entry.stamp is None or entry.stamp != self.stamp(str(path)):
            return None
        if any(self.stamp(name) != then for name, then in entry.depends):
            return None
        self.used[str(path)] = entry
        return entry

    def put(self, path: Path, checked: Checked) -> None:
        """Remember the check of ``path`` (a file that could not be stamped is not kept)."""
        if checked.stamp is not None:
            self.used[str(path)] = checked
            self.changed = True

    def save(self) -> None:
        """Write the cache if it changed (see rxstretch.loaders.usercache)."""
        if not self.changed and self.used.keys() == self.entries.keys():
            return
        write_private(self.file, {"version": (__version__, SCHEMA, self.context), "entries": self.used})
        self.entries = dict(self.used)
        self.changed = False
