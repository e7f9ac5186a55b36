"""A per-user cache of checked library files, so that checking a big library again is fast.

``rxstretch validate`` and ``list`` check every exercise and figure file; for a clinic library of
thousands of files, parsing and checking them is nearly all of their time. What a check found is
kept per file: its problems (with their lines) and, for an exercise, the small summary that
``list`` prints. An entry is used only while the file and the files its check read (its figure,
its photo) keep their size and modification time, and only while everything else the check
depended on (vocabularies, conditions, the set of figure ids) is unchanged; a second run therefore
stats the files and redoes only the cross-file checks (programs).

A second run reads one file per set of library folders. It holds plain tuples (fast to unpickle)
and keeps the summaries apart, as pickled bytes unpickled only when ``list`` asks for them, and
each language's names apart again: ``validate`` of a library in 13 languages would otherwise
unpickle megabytes of names it never prints, and ``list`` twelve languages it does not show
(``--search`` reads them all).

The cache lives in the user's cache folder ($XDG_CACHE_HOME/rxstretch, else ~/.cache/rxstretch).
It is safe to delete; a cache written by another rxstretch version or cache schema, one that cannot
be read, or one that another user could have written is ignored and rebuilt. It is written
atomically (a temporary file renamed over it), without fsync: losing it in a crash only costs the
next run its speed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from rxstretch import __version__
from rxstretch.errors import Problem
from rxstretch.loaders.summary import ExerciseSummary, SummaryText
from rxstretch.model.frozen import frozen
from rxstretch.resources.usercache import cache_dir, read_private, write_private

# Bump when the stored tuples, ExerciseSummary or what a check reports change shape.
SCHEMA = 3

# size and modification time of a file, or None when it did not exist
Stamp = tuple[int, int] | None
# What is stored of a check: its stamp, problems and the files it read, with their stamps.
_Entry = tuple[Stamp, tuple[Problem, ...], tuple[tuple[str, Stamp], ...]]
# An ExerciseSummary without its texts, as plain tuples: id, regions, position, equipment, tags, languages
_Core = tuple[str, tuple[str, ...], str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
# Pickled {file: _Core} and, by language, pickled {file: (name, summary)}
_Blobs = tuple[bytes, dict[str, bytes]]


def stamp(path: Path | str) -> Stamp:
    """The size and modification time of ``path`` (None if it cannot be read)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


@frozen
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
        self.version = (__version__, SCHEMA, hashlib.sha256(context).hexdigest())
        self.entries, self._blobs = self._read()
        self._stored = _StoredSummaries(self._blobs)
        # What this run used: saved in place of ``entries``, so deleted files drop out.
        self.used: dict[str, _Entry] = {}
        self._fresh: dict[str, ExerciseSummary] = {}
        self._stamps: dict[str, Stamp] = {}
        self.changed = False

    def _read(self) -> tuple[dict[str, _Entry], _Blobs]:
        data = read_private(self.file)
        if not isinstance(data, tuple) or len(data) != 3 or data[0] != self.version:
            return {}, (b"", {})
        _, entries, blobs = data
        if not isinstance(entries, dict) or not isinstance(blobs, tuple) or len(blobs) != 2:
            return {}, (b"", {})
        return entries, blobs

    def stamp(self, path: str) -> Stamp:
        """``stamp`` of a file, taken once per run (many exercises share one figure file)."""
        if path not in self._stamps:
            self._stamps[path] = stamp(path)
        return self._stamps[path]

    def get(self, path: Path) -> Checked | None:
        """The check of ``path`` if neither it nor a file it read changed since.

        Its summary is not included: ``summaries`` reads those, for the commands that print them.
        """
        key = str(path)
        entry = self.entries.get(key)
        try:
            then, problems, depends = entry  # type: ignore[misc]
        except (TypeError, ValueError):  # missing, or not what this schema writes
            return None
        if then is None or then != self.stamp(key):
            return None
        if any(self.stamp(name) != before for name, before in depends):
            return None
        self.used[key] = entry  # type: ignore[assignment]
        return Checked(then, problems, None, depends)

    def put(self, path: Path, checked: Checked) -> None:
        """Remember the check of ``path`` (a file that could not be stamped is not kept)."""
        if checked.stamp is None:
            return
        key = str(path)
        self.used[key] = (checked.stamp, checked.problems, checked.depends)
        if checked.summary is not None:
            self._fresh[key] = checked.summary
        self.changed = True

    def summaries(self, paths: Iterable[Path]) -> dict[Path, ExerciseSummary]:
        """The summaries of those ``paths`` that have one (checked this run or before, without problems)."""
        found: dict[Path, ExerciseSummary] = {}
        for path in paths:
            key = str(path)
            summary = self._fresh.get(key)
            if summary is None and key in self.used:
                summary = self._stored.summary(key)
            if summary is not None:
                found[path] = summary
        return found

    def save(self) -> None:
        """Write the cache if it changed (see rxstretch.resources.usercache)."""
        if not self.changed and self.used.keys() == self.entries.keys():
            return
        summaries = {key: self._fresh.get(key) or self._stored.summary(key) for key in self.used}
        blobs = _blobs({key: summary for key, summary in summaries.items() if summary is not None})
        write_private(self.file, (self.version, _shared_names(self.used), blobs))
        self.entries, self._blobs = dict(self.used), blobs
        self._stored = _StoredSummaries(blobs)
        # The summaries checked this run stay at hand: ``list`` after a cold check would
        # otherwise unpickle again what was just pickled.
        self.changed = False


class _StoredSummaries:
    """The summaries in a cache file, each part unpickled when first needed."""

    def __init__(self, blobs: _Blobs) -> None:
        self._core_blob, self._language_blobs = blobs
        self._core: dict[str, _Core] | None = None
        self._languages: dict[str, dict[str, tuple[str, str]]] = {}

    def summary(self, key: str) -> ExerciseSummary | None:
        if self._core is None:
            self._core = _unpickled(self._core_blob)
        try:
            exercise_id, regions, position, equipment, tags, languages = self._core[key]
        except (KeyError, TypeError, ValueError):  # missing, or not what this schema writes
            return None
        return ExerciseSummary(
            exercise_id, regions, position, equipment, tags, _Texts(key, languages, self._language)
        )

    def _language(self, language: str) -> dict[str, tuple[str, str]]:
        if language not in self._languages:
            self._languages[language] = _unpickled(self._language_blobs.get(language, b""))
        return self._languages[language]


class _Texts(Mapping[str, SummaryText]):
    """An exercise's names and summaries by language, read from the cache when first asked for."""

    def __init__(
        self, key: str, languages: tuple[str, ...], language: Callable[[str], dict[str, tuple[str, str]]]
    ) -> None:
        self._key = key
        self._languages = languages
        self._language = language

    def __getitem__(self, language: str) -> SummaryText:
        if language not in self._languages:
            raise KeyError(language)
        try:
            name, line = self._language(language)[self._key]
        except (KeyError, TypeError, ValueError):  # a cache file cut short: an empty text, not a crash
            return SummaryText("", "")
        return SummaryText(name, line)

    def __contains__(self, language: object) -> bool:
        return language in self._languages

    def __iter__(self) -> Iterator[str]:
        return iter(self._languages)

    def __len__(self) -> int:
        return len(self._languages)


def _unpickled(blob: bytes) -> Any:
    try:
        found = pickle.loads(blob) if blob else {}
    except Exception:  # a corrupted cache is ignored, never an error
        return {}
    return found if isinstance(found, dict) else {}


def _blobs(summaries: dict[str, ExerciseSummary]) -> _Blobs:
    core = {
        key: (s.id, s.regions, s.position, s.equipment, s.tags, tuple(s.text)) for key, s in summaries.items()
    }
    languages: dict[str, dict[str, tuple[str, str]]] = {}
    for key, summary in summaries.items():
        for language, text in summary.text.items():
            languages.setdefault(language, {})[key] = (text.name, text.summary)
    dump = pickle.dumps
    return dump(core, pickle.HIGHEST_PROTOCOL), {
        language: dump(texts, pickle.HIGHEST_PROTOCOL) for language, texts in languages.items()
    }


def _shared_names(entries: dict[str, _Entry]) -> dict[str, _Entry]:
    """``entries`` with equal file names as one string, which pickle then writes once (a
    thousand exercises drawn with one figure name its file a thousand times)."""
    names: dict[str, str] = {}
    return {
        key: (then, problems, tuple((names.setdefault(name, name), when) for name, when in depends))
        for key, (then, problems, depends) in entries.items()
    }
