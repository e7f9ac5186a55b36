"""List a batch's handouts in its manifest only once they are on the disk, a group at a time.

Workers write each file atomically but without fsync (``write_atomic(sync=False)``): a
temporary file renamed into place, so a name never shows half a file, even after a crash. What
a power cut can still lose is the last seconds of files and renames. So the manifest is the
record of what is durable: every ``GROUP_FILES`` files, or ``GROUP_SECONDS`` after the oldest
waiting row, the files written since the last group are fsynced, then the output folder (which
makes their renames durable), and only then are their manifest rows written and flushed. After
any crash, every row the manifest holds names a file with the bytes it records; a file written
but not yet listed is rendered again by ``--resume`` and compared, and kept if the bytes are
the same. The fsyncs (a few milliseconds a file on a virtual disk) run on a thread of the main
process, one group at a time: neither the workers nor the main process, which hands them
records, wait for the disk, unless it falls a whole group behind.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from rxstretch.output import sync_files

# Rows held back at most: a crash then costs --resume at most this many renders to compare,
# and one folder fsync is shared by this many files.
GROUP_FILES = 64
# ...and at most this long, so that the partial manifest of a slow batch (and a progress check
# on it) keeps up with the handouts.
GROUP_SECONDS = 1.0


class DurableRows:
    """Manifest rows waiting for their files to be synced, written in order once they are."""

    def __init__(self, folder: Path, write_rows: Callable[[list[dict[str, str]]], None]) -> None:
        self._folder = folder
        self._write_rows = write_rows
        self._rows: list[dict[str, str]] = []
        self._files: list[Path] = []
        self._since = 0.0
        self._syncer: ThreadPoolExecutor | None = None
        self._syncing: tuple[list[dict[str, str]], list[Path], Future[None]] | None = None

    def add(self, row: dict[str, str], written: tuple[str, ...]) -> None:
        """Hold ``row`` until ``written`` (file names in the folder, made by this run) are synced."""
        if not self._rows:
            self._since = time.monotonic()
        self._rows.append(row)
        self._files += (self._folder / name for name in written)
        if len(self._files) >= GROUP_FILES or time.monotonic() - self._since >= GROUP_SECONDS:
            self._send()
        elif self._syncing is not None and self._syncing[2].done():
            self._finish()

    def commit(self) -> None:
        """Sync every waiting file and the folder, write their rows, and stop the sync thread.

        When the disk refuses (EIO, ENOSPC), the files of that group are removed, so that a
        resumed batch makes them again rather than trusting bytes that may only be in memory,
        and the OSError is raised.
        """
        try:
            self._send()
            self._finish()
        finally:
            if self._syncer is not None:
                self._syncer.shutdown(wait=True)
                self._syncer = None

    def _send(self) -> None:
        """Start syncing the waiting group, once the group before it is listed."""
        self._finish()
        rows, files = self._rows, self._files
        self._rows, self._files = [], []
        if not files:
            if rows:
                self._write_rows(rows)
            return
        if self._syncer is None:
            self._syncer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rxstretch-sync")
        self._syncing = (rows, files, self._syncer.submit(sync_files, files, self._folder))

    def _finish(self) -> None:
        """Wait for the group being synced, then write its rows."""
        if self._syncing is None:
            return
        rows, files, syncing = self._syncing
        self._syncing = None
        try:
            syncing.result()
        except OSError:
            for path in files:
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        self._write_rows(rows)
