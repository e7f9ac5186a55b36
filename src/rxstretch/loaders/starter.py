"""``rxstretch init``: a clinic folder to start from (brand, own library, example prescription)."""

from __future__ import annotations

from pathlib import Path

from rxstretch.errors import OutputExistsError
from rxstretch.model.frozen import frozen
from rxstretch.output import write_atomic
from rxstretch.resources import package_file


@frozen
class StarterResult:
    """What ``init`` wrote, and what it left as it was."""

    created: tuple[Path, ...]
    kept: tuple[Path, ...]


def create_starter(folder: Path) -> StarterResult:
    """Copy the starter files into ``folder``; an existing file is never overwritten."""
    source = package_file("starter")
    created: list[Path] = []
    kept: list[Path] = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        target = folder / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_atomic(target, path.read_bytes(), force=False)
        except OutputExistsError:
            kept.append(target)
        else:
            created.append(target)
    return StarterResult(tuple(created), tuple(kept))
