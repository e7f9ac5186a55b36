"""Write output files atomically: nobody sees half a PDF, nothing is overwritten silently."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from rxstretch.errors import OutputExistsError, RxStretchError


def write_atomic(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder, then rename it.

    Without ``force`` an existing file is left untouched and OutputExistsError is raised.
    """
    if not force and path.exists():
        raise OutputExistsError(f"{path}: already exists; use --force to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RxStretchError(f"{path}: folder {folder} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        # mkstemp makes the file private (0600); a handout gets the usual permissions instead.
        os.chmod(temporary, 0o666 & ~_current_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if force:
            os.replace(temporary, path)
        else:
            _link_without_overwrite(Path(temporary), path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _link_without_overwrite(temporary: Path, path: Path) -> None:
    # A hard link fails if the target appeared meanwhile, so a concurrent writer is never clobbered.
    try:
        os.link(temporary, path)
    except FileExistsError as exc:
        raise OutputExistsError(f"{path}: already exists; use --force to overwrite it") from exc
    except OSError:
        # Some filesystems (FAT, some network shares) have no hard links.
        if path.exists():
            raise OutputExistsError(f"{path}: already exists; use --force to overwrite it") from None
        os.replace(temporary, path)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
