"""A per-user cache of parsed library files, so that checking a big library again is fast.

``rxstretch validate`` and ``list`` parse every exercise file; for a clinic library of thousands
of files, parsing is most of their time. The parsed trees (with their line numbers) are kept in
one file per set of library folders in the user's cache folder ($XDG_CACHE_HOME/rxstretch, else
~/.cache/rxstretch), each entry keyed by the file's path, size and modification time. The cache
is safe to delete; a cache written by another rxstretch version or tree layout, one that cannot
be read, or one that another user could have written is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rxstretch import __version__

# Bump when LocatedMap/LocatedList (loaders/yamlio.py) change what they hold.
SCHEMA = 2
_Entry = tuple[int, int, Any]  # size, mtime_ns, parsed tree


def cache_dir() -> Path:
    """The folder for this user's rxstretch cache."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "rxstretch"


def _private(mode: int, uid: int) -> bool:
    return uid == os.getuid() and not mode & 0o077


class ParseCache:
    """Parsed YAML trees of a set of library folders' files, kept in the user's cache folder."""

    def __init__(self, folders: Sequence[Path]) -> None:
        key = "\0".join([__version__, str(SCHEMA), *(str(folder.resolve()) for folder in folders)])
        self.file = cache_dir() / f"parsed-{hashlib.sha256(key.encode()).hexdigest()[:32]}.pickle"
        self.entries: dict[str, _Entry] = self._read()
        # What this run used: saved in place of ``entries``, so deleted files drop out.
        self.used: dict[str, _Entry] = {}
        self.hits = 0

    def _read(self) -> dict[str, _Entry]:
        try:
            fd = os.open(self.file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return {}
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _private(info.st_mode, info.st_uid):
                return {}
            try:
                # Only a file this user owns and no one else can read or write is unpickled.
                data = pickle.load(handle)
            except Exception:  # a corrupted cache is ignored, never an error
                return {}
        if not isinstance(data, dict) or data.get("version") != (__version__, SCHEMA):
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def get(self, path: Path, info: os.stat_result) -> Any | None:
        """The parsed tree of ``path`` if it is cached for this size and modification time."""
        entry = self.entries.get(str(path))
        if entry is None or entry[:2] != (info.st_size, info.st_mtime_ns):
            return None
        self.hits += 1
        self.used[str(path)] = entry
        return entry[2]

    def put(self, path: Path, info: os.stat_result, tree: Any) -> None:
        """Remember the parsed tree of ``path`` as read at ``info``."""
        self.used[str(path)] = (info.st_size, info.st_mtime_ns, tree)

    def save(self) -> None:
        """Write the cache if it changed: atomically, readable by this user only; failures are ignored."""
        if self.used.keys() == self.entries.keys() and self.hits == len(self.used):
            return
        folder = self.file.parent
        with contextlib.suppress(OSError, pickle.PicklingError):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = folder.lstat()
            if not stat.S_ISDIR(info.st_mode) or not _private(info.st_mode, info.st_uid):
                return
            fd, temporary = tempfile.mkstemp(dir=folder, prefix=".parsed-", suffix=".tmp")  # mode 0600
            try:
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump(
                        {"version": (__version__, SCHEMA), "entries": self.used},
                        handle,
                        protocol=pickle.HIGHEST_PROTOCOL,
                    )
                os.replace(temporary, self.file)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temporary)
            self.entries = dict(self.used)
