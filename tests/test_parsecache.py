"""The parse cache of library files: used on a second run, invalidated by an edit, private (issue 19)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from rxstretch.api import load_library
from rxstretch.errors import ValidationError
from rxstretch.loaders import yamlio
from rxstretch.loaders.parsecache import cache_dir

from .conftest import bundled_exercise_text, line_of, replace_once

MyLibrary = Callable[[dict[str, str]], Path]


def _exercise(exercise_id: str) -> str:
    return bundled_exercise_text("cat-cow").replace("id: cat-cow", f"id: {exercise_id}")


def _parsed_during(monkeypatch: pytest.MonkeyPatch, folder: Path, action: Callable[[], object]) -> list[str]:
    """The files of ``folder`` parsed (not taken from the cache) while ``action`` runs."""
    parsed: list[str] = []
    real = yamlio.parse_yaml

    def counting(text: str, *, source: str) -> object:
        if source.startswith(str(folder)):
            parsed.append(Path(source).name)
        return real(text, source=source)

    monkeypatch.setattr(yamlio, "parse_yaml", counting)
    action()
    monkeypatch.setattr(yamlio, "parse_yaml", real)
    return parsed


def _problems(folder: Path) -> list[tuple[int | None, str]]:
    with pytest.raises(ValidationError) as caught:
        load_library([folder], use_env=False)
    return [(p.line, p.field) for p in caught.value.problems]


def test_second_run_reads_the_cache(scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a"), "mine-b.yaml": _exercise("mine-b")})
    first = _parsed_during(monkeypatch, folder, lambda: load_library([folder], use_env=False))
    assert sorted(first) == ["mine-a.yaml", "mine-b.yaml"]
    second = _parsed_during(monkeypatch, folder, lambda: load_library([folder], use_env=False))
    assert second == []
    assert load_library([folder], use_env=False).exercises["mine-a"].id == "mine-a"
    files = list(cache_dir().iterdir())
    assert len(files) == 1
    assert cache_dir().stat().st_mode & 0o777 == 0o700
    assert files[0].stat().st_mode & 0o777 == 0o600


def test_an_edit_invalidates_the_entry_and_errors_keep_their_lines(
    scratch_library: MyLibrary, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a"), "mine-b.yaml": _exercise("mine-b")})
    load_library([folder], use_env=False)
    broken = replace_once(_exercise("mine-a"), "\nmuscles:", "\nmusles:")
    path = folder / "exercises" / "mine-a.yaml"
    path.write_text(broken, encoding="utf-8")
    os.utime(path, ns=(1, 1))  # an edit in the same clock tick must not hide behind the cache
    errors: list[list[tuple[int | None, str]]] = []
    parsed = _parsed_during(monkeypatch, folder, lambda: errors.append(_problems(folder)))
    assert parsed == ["mine-a.yaml"]
    # From the cache on the next run, the same problems at the same lines.
    parsed = _parsed_during(monkeypatch, folder, lambda: errors.append(_problems(folder)))
    assert parsed == []
    assert errors[0] == errors[1]
    assert (line_of(broken, "musles:"), "musles") in errors[0]


def test_a_corrupted_cache_is_ignored(scratch_library: MyLibrary) -> None:
    folder = scratch_library({"mine-a.yaml": _exercise("mine-a")})
    load_library([folder], use_env=False)
    (cache_file,) = cache_dir().iterdir()
    cache_file.write_bytes(b"not a pickle")
    assert "mine-a" in load_library([folder], use_env=False).exercises
    cache_file.chmod(0o644)  # readable by others: never trusted
    assert "mine-a" in load_library([folder], use_env=False).exercises
