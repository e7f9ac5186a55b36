"""Library items by id, each read from its file and validated the first time it is used.

A handout of four exercises reads four exercise files, not the whole library, so a growing
clinic library does not slow every ``generate`` down, and a mistake in one clinic file does not
stop handouts that do not use it. ``rxstretch validate`` still reads every file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Generic, TypeVar

from rxstretch.errors import Problem, ValidationError

T = TypeVar("T")


class LazyIndex(Mapping[str, T], Generic[T]):
    """Items by id from their files; ``load`` reads one file, appending its problems."""

    def __init__(self, paths: Mapping[str, Path], load: Callable[[Path, list[Problem]], T | None]) -> None:
        self._paths = dict(sorted(paths.items()))
        self._load = load
        self._loaded: dict[str, T] = {}

    def paths(self) -> dict[str, Path]:
        """The file of every item, by id."""
        return dict(self._paths)

    def path(self, item_id: str) -> Path:
        """The file that defines ``item_id``."""
        return self._paths[item_id]

    def __getitem__(self, item_id: str) -> T:
        if item_id not in self._loaded:
            problems: list[Problem] = []
            item = self._load(self._paths[item_id], problems)
            if item is None:
                raise ValidationError(problems)
            self._loaded[item_id] = item
        return self._loaded[item_id]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def problems(self) -> list[Problem]:
        """Read every item not read yet and return all of their problems."""
        found: list[Problem] = []
        for item_id in self._paths:
            try:
                self[item_id]
            except ValidationError as exc:
                found.extend(exc.problems)
        return found
