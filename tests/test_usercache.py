"""The per-user cache folder stays bounded (resources/usercache.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rxstretch.resources import usercache


def _file(path: Path, size: int, written_at: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, ns=(written_at, written_at))
    return path


def test_pruning_removes_the_least_recently_written_files_first(tmp_path: Path) -> None:
    oldest = _file(tmp_path / "trees" / "a.pickle", 400, 1_000)
    older = _file(tmp_path / "checked-b.pickle", 400, 2_000)
    newer = _file(tmp_path / "derived" / "c.pickle", 400, 3_000)
    newest = _file(tmp_path / "trees" / "d.pickle", 400, 4_000)
    usercache.prune(tmp_path, 1_000)  # 1,600 bytes: removed until at most 750 are left
    assert [p.exists() for p in (oldest, older, newer, newest)] == [False, False, False, True]


def test_a_folder_under_the_limit_is_left_alone(tmp_path: Path) -> None:
    kept = [_file(tmp_path / f"{n}.pickle", 100, n) for n in range(1, 6)]
    usercache.prune(tmp_path, 500)
    assert all(path.exists() for path in kept)


def test_pruning_never_follows_a_link_out_of_the_folder(tmp_path: Path) -> None:
    outside = _file(tmp_path / "elsewhere" / "precious.txt", 5_000, 1)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "link").symlink_to(outside.parent, target_is_directory=True)
    (cache / "file-link").symlink_to(outside)
    usercache.prune(cache, 10)
    assert outside.exists()


def test_a_write_prunes_the_cache_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # this test's own folder: it prunes to 750 bytes
    usercache.write_private(usercache.cache_dir() / "trees" / "first.pickle", "value")  # private folders
    stale = _file(usercache.cache_dir() / "trees" / "stale.pickle", 2_000, 1)
    monkeypatch.setattr(usercache, "LIMIT_BYTES", 1_000)
    monkeypatch.setattr(usercache, "_pruned", False)
    usercache.write_private(usercache.cache_dir() / "derived" / "fresh.pickle", "value")
    assert not stale.exists()
    assert usercache.read_private(usercache.cache_dir() / "derived" / "fresh.pickle") == "value"

    again = _file(usercache.cache_dir() / "trees" / "again.pickle", 2_000, 1)
    usercache.write_private(usercache.cache_dir() / "derived" / "other.pickle", "value")
    assert again.exists()  # this process has pruned already
