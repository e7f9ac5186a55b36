"""Write output files atomically: nobody sees half a PDF, nothing is overwritten silently.

Output file names are safe and distinct, made from patient ids and names.

A records export is hostile input: a patient "name" may be ``../../etc/passwd``, ``CON`` or
empty. A slug keeps only ``[a-z0-9-]`` after transliterating to ASCII (anyascii: ``Łukasz`` is
``lukasz``, ``Иван`` is ``ivan``, so staff find a patient's file by name), so it can hold no path
separator and no ``..``; Windows device names get a suffix; collisions get ``-2``, ``-3`` ….
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from anyascii import anyascii

from rxstretch.errors import OutputExistsError, RxStretchError


def check_output_file(path: Path, *, inputs: Iterable[Path | None] = ()) -> None:
    """Refuse an output path that cannot be a file we write: a folder, a path under a file,
    or one of the ``inputs`` (a prescription overwritten with its own handout)."""
    if path.is_dir():
        raise RxStretchError(f"{path} is a folder; give a file name such as {path / 'handout.pdf'}")
    folder = path.parent if str(path.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise RxStretchError(f"{path}: {folder} is a file, not a folder")
    for source in inputs:
        if source is not None and _same_file(path, source):
            raise RxStretchError(f"{path} is also an input ({source}); write the handout to another file")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def write_atomic(path: Path, data: bytes, *, force: bool = False, sync: bool = True) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder, then rename it.

    Without ``force`` an existing file is left untouched and OutputExistsError is raised.
    A folder, an unwritable place or a full disk is an RxStretchError, not an OSError.
    With ``sync`` the data reaches the disk before the rename. Without it the write is still
    atomic (the name shows the old file or the whole new one, never half of it), but a power
    cut may lose it: the caller makes it durable later (``sync_files``), as a batch does for
    many files at once.
    """
    check_output_file(path)
    if not force and path.exists():
        raise OutputExistsError(f"{path}: already exists; use {{force}} to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RxStretchError(f"{path}: folder {folder} does not exist")
    try:
        _write_via_temporary(path, folder, data, force=force, sync=sync)
    except OSError as exc:
        raise RxStretchError(f"cannot write to {path}: {_reason(exc)}") from exc


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or str(exc)


def _write_via_temporary(path: Path, folder: Path, data: bytes, *, force: bool, sync: bool) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        # mkstemp makes the file private (0600); a handout gets the usual permissions instead.
        os.chmod(temporary, 0o666 & ~_current_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            if sync:
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
        raise OutputExistsError(f"{path}: already exists; use {{force}} to overwrite it") from exc
    except OSError:
        # Some filesystems (FAT, some network shares) have no hard links.
        if path.exists():
            raise OutputExistsError(f"{path}: already exists; use {{force}} to overwrite it") from None
        os.replace(temporary, path)


# fsync flushes a file's data whichever process wrote it; Windows flushes only a handle open
# for writing.
_SYNC_OPEN_FLAGS = os.O_RDWR | getattr(os, "O_BINARY", 0) if os.name == "nt" else os.O_RDONLY


def sync_files(paths: Iterable[Path], folder: Path) -> None:
    """Make files written with ``sync=False`` in ``folder`` durable: each file's data, then the
    folder, so that the renames that gave them their names survive a power cut too.

    Raises OSError (EIO, ENOSPC...) when the disk could not take a file.
    """
    for path in paths:
        handle = os.open(path, _SYNC_OPEN_FLAGS)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder as a file; NTFS journals renames itself
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    except OSError as exc:
        if exc.errno != errno.EINVAL:  # some file systems (network shares) cannot sync a folder
            raise
    finally:
        os.close(handle)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


MAX_SLUG_LENGTH = 80
EMPTY_SLUG = "patient"
# Windows refuses these as file names whatever the extension (con.pdf is the console).
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(10)} | {f"lpt{n}" for n in range(10)}
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = MAX_SLUG_LENGTH) -> str:
    """Return a file-name-safe slug of ``text``: ``[a-z0-9-]``, never empty, never reserved."""
    slug = _NOT_SLUG.sub("-", anyascii(text).lower()).strip("-")
    slug = slug[:max_length].rstrip("-") or EMPTY_SLUG
    if slug in RESERVED_NAMES:
        slug = f"{slug}-file"
    return slug


def patient_slug(patient_id: str | None, patient_name: str | None) -> str:
    """Return the base name of a patient's handout: id and name, e.g. ``p-0042-jeanne-dupont``."""
    parts = [part for part in (patient_id, patient_name) if part and part.strip()]
    return slugify(" ".join(parts))


class NameAllocator:
    """Hands out distinct names: the second ``jeanne-dupont`` becomes ``jeanne-dupont-2``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def allocate(self, base: str) -> str:
        """Return ``base``, or ``base-N`` with the smallest free N ≥ 2, and mark it taken."""
        name = base
        number = 1
        while name in self._taken:
            number += 1
            suffix = f"-{number}"
            name = base[: MAX_SLUG_LENGTH - len(suffix)].rstrip("-") + suffix
        self._taken.add(name)
        return name
