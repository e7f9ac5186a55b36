"""Reading and writing this user's rxstretch cache files (pickles), safely.

The cache folder is $XDG_CACHE_HOME/rxstretch, else ~/.cache/rxstretch. Only a file this user
owns and no one else can read or write is unpickled, in a folder likewise private; anything
else, or a file that cannot be read, counts as no cache. Files are written atomically (a
temporary file renamed over the old one) and without fsync: a cache lost in a crash only costs
the next run its speed. The folder is safe to delete at any time.

Entries are replaced when what they were made from changes, but some are never read again: the
trees of a deleted or temporary library, the checks of a library since edited. So the folder is
kept under LIMIT_BYTES: the first write of a process that finds it over removes the least
recently written files until it is back under three quarters of the limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from rxstretch import __version__

T = TypeVar("T")

# A clinic library of 5,000 exercises keeps about 40 MB of parsed trees and checks here.
LIMIT_BYTES = 256 * 2**20
_pruned = False


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
            _prune_once()
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def derived_from_files(name: str, paths: Sequence[Path], build: Callable[[], T]) -> T:
    """``build()``, a value computed from the files ``paths`` alone (present or not), from the
    cache while none of them changes; an exception from ``build`` is raised and nothing kept.

    ``name`` says what is built and how: change it when the value's layout changes. Nothing is
    kept across rxstretch versions.
    """
    try:
        states = tuple(file_state(path) for path in paths)
    except OSError:
        return build()
    return kept_or_built(
        cache_file("derived", name, *(state[0] for state in states)), (__version__, name, states), build
    )


def kept_or_built(path: Path, key: object, build: Callable[[], T]) -> T:
    """The value kept in ``path`` under ``key``, else ``build()``, then kept there under ``key``
    (an exception from ``build`` is raised and nothing kept)."""
    found = read_private(path)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == key:
        return found[1]  # type: ignore[no-any-return]
    value = build()
    write_private(path, (key, value))
    return value


def cache_file(kind: str, *identity: str) -> Path:
    """The cache file of what ``identity`` names in the folder ``kind``, whatever its version."""
    return cache_dir() / kind / f"{hashlib.sha256(chr(0).join(identity).encode()).hexdigest()[:32]}.pickle"


def file_state(path: Path) -> tuple[str, int, int] | tuple[str]:
    """What identifies a file's version: its real path, size and modification time (or absence)."""
    where = str(path.resolve())
    try:
        info = os.stat(where)
    except FileNotFoundError:
        return (where,)
    return (where, info.st_size, info.st_mtime_ns)


def _prune_once() -> None:
    """Bring the cache folder under LIMIT_BYTES, at most once per process (a scan of its files)."""
    global _pruned
    if _pruned:
        return
    _pruned = True
    prune(cache_dir(), LIMIT_BYTES)


def prune(folder: Path, limit: int) -> None:
    """Remove the least recently written cache files under ``folder`` while they hold more than
    ``limit`` bytes, down to three quarters of it. Only this user's regular files are touched."""
    files = list(_cache_files(folder))
    total = sum(info.st_size for _, info in files)
    if total <= limit:
        return
    for path, info in sorted(files, key=lambda item: item[1].st_mtime_ns):
        if total <= limit * 3 // 4:
            break
        with contextlib.suppress(OSError):
            os.unlink(path)
            total -= info.st_size


def _cache_files(folder: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every regular file this user owns below ``folder``, symbolic links not followed."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                yield from _cache_files(Path(entry.path))
            elif stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
                yield entry.path, info
