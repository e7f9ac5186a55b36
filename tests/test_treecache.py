"""Parsed library files, and what is built from them alone, kept between runs (loaders/treecache.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rxstretch.api import load_library
from rxstretch.loaders.matching import match_condition
from rxstretch.resources.usercache import cache_dir, derived_from_files


def _counting_build(calls: list[int], value: object = "built") -> object:
    def build() -> object:
        calls.append(1)
        return value

    return build


def _touch_later(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    later = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


def test_a_derived_value_is_built_once_while_its_files_are_unchanged(tmp_path: Path) -> None:
    source, absent = tmp_path / "a.yaml", tmp_path / "b.yaml"
    source.write_text("a: 1\n", encoding="utf-8")
    calls: list[int] = []
    for _ in range(3):
        assert derived_from_files("probe", [source, absent], _counting_build(calls)) == "built"
    assert len(calls) == 1

    _touch_later(source, "a: 2\n")
    derived_from_files("probe", [source, absent], _counting_build(calls))
    assert len(calls) == 2  # an edited file

    absent.write_text("b: 1\n", encoding="utf-8")
    derived_from_files("probe", [source, absent], _counting_build(calls))
    assert len(calls) == 3  # a file that appeared


def test_a_failed_build_is_not_kept(tmp_path: Path) -> None:
    source = tmp_path / "a.yaml"
    source.write_text("a: 1\n", encoding="utf-8")

    def failing() -> object:
        raise ValueError("bad file")

    with pytest.raises(ValueError, match="bad file"):
        derived_from_files("failing", [source], failing)
    calls: list[int] = []
    derived_from_files("failing", [source], _counting_build(calls))
    assert calls == [1]


def test_a_corrupt_cache_file_is_rebuilt_not_an_error(tmp_path: Path) -> None:
    source = tmp_path / "a.yaml"
    source.write_text("a: 1\n", encoding="utf-8")
    calls: list[int] = []
    derived_from_files("corrupt", [source], _counting_build(calls))
    (kept,) = (cache_dir() / "derived").glob("*.pickle")
    kept.write_bytes(b"\x80\x05not a pickle")
    assert derived_from_files("corrupt", [source], _counting_build(calls, "again")) == "again"
    assert len(calls) == 2


def test_an_edited_clinic_condition_is_seen_on_the_next_load(tmp_path: Path) -> None:
    clinic = tmp_path / "clinic"
    clinic.mkdir()
    conditions = clinic / "conditions.yaml"
    entry = "knee-scope:\n  names: {{en: {name}}}\n"
    conditions.write_text(entry.format(name="Knee arthroscopy"), encoding="utf-8")
    assert match_condition(load_library([clinic], lazy=True), "knee arthroscopy") == ("knee-scope",)

    _touch_later(conditions, entry.format(name="Arthroscopic knee surgery"))
    library = load_library([clinic], lazy=True)
    assert match_condition(library, "arthroscopic knee surgery") == ("knee-scope",)
    assert match_condition(library, "knee arthroscopy") == ()
