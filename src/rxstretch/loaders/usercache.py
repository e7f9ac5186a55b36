"""Reading and writing this user's rxstretch cache files (pickles), safely.

The cache folder is $XDG_CACHE_HOME/rxstretch, else ~/.cache/rxstretch. Only a file this user
owns and no one else can read or write is unpickled, in a folder likewise private; anything
else, or a file that cannot be read, counts as no cache. Files are written atomically (a
temporary file renamed over the old one) and without fsync: a cache lost in a crash only costs
the next run its speed. The folder is safe to delete at any time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import stat
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """The folder for this user's rxstretch cache."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "rxstretch"


def _private(info: os.stat_result) -> bool:
    return info.st_uid == os.getuid() and not info.st_mode & 0o077


def read_private(path: Path) -> Any | None:
    """The object pickled in ``path``, or None if it is missing, unreadable or not private."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not _private(os.fstat(handle.fileno())):
            return None
        try:
            return pickle.load(handle)
        except Exception:  # a corrupted cache is ignored, never an error
            return None


def write_private(path: Path, data: Any) -> None:
    """Pickle ``data`` to ``path`` atomically, readable by this user only; failures are ignored."""
    folder = path.parent
    with contextlib.suppress(OSError, pickle.PicklingError, RecursionError):
        # Each level made private (mkdir's parents=True would leave the upper ones to the umask).
        relative = folder.relative_to(cache_dir())
        for level in [*reversed(relative.parents), relative]:
            here = cache_dir() / level
            here.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = here.lstat()
            if not stat.S_ISDIR(info.st_mode) or not _private(info):
                return
        import tempfile

        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
