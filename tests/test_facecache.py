"""Parsed TrueType faces kept between runs (render/facecache.py) change nothing but the speed.

A face restored from the per-user cache holds what a fresh parse holds, handouts drawn with
restored faces keep their bytes, and a cache that is corrupt, from another ReportLab or for a
file since edited is ignored: the file is parsed again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from reportlab import Version
from reportlab.pdfbase.ttfonts import TTFontFace, TTFontFile

from rxstretch import __version__
from rxstretch.render import facecache
from rxstretch.render.fonts import BUNDLED_FAMILIES, BUNDLED_FONTS
from rxstretch.render.internals import face_attributes
from rxstretch.resources.usercache import cache_file, file_state, write_private

from .conftest import EXAMPLES

fontmaker = pytest.importorskip("tests.fontmaker")

ATKINSON = BUNDLED_FAMILIES["atkinson-hyperlegible"].regular  # 1000 units per em; DejaVu 2048


def _typed(face: TTFontFace) -> dict[str, tuple[type, str]]:
    # repr tells 1 from 1.0 and keeps order, which == on dictionaries does not.
    return {name: (type(value), repr(value)) for name, value in face_attributes(face).items()}


def _assert_same_face(restored: TTFontFace, fresh: TTFontFace) -> None:
    assert type(restored) is TTFontFace
    assert _typed(restored) == _typed(fresh)
    assert restored._ttf_data == fresh._ttf_data  # type: ignore[attr-defined]
    for units in (0, 1, 7, 1000, 2048, 37.5, -12.25):
        assert restored._pdfScale(units) == fresh._pdfScale(units)  # type: ignore[attr-defined]


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files ReportLab parses from now on."""
    parsed: list[str] = []
    extract = TTFontFile.extractInfo

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        parsed.append(self.filename)
        extract(self, *args, **kwargs)

    monkeypatch.setattr(TTFontFile, "extractInfo", counted)
    return parsed


@pytest.mark.parametrize("path", [BUNDLED_FONTS.regular, BUNDLED_FONTS.bold, ATKINSON], ids=lambda p: p.name)
def test_a_restored_face_holds_what_a_fresh_parse_holds(path: Path, parses: list[str]) -> None:
    first = facecache.load_face(path)
    restored = facecache.load_face(path)
    assert parses == [str(path)]  # the second came from the cache
    _assert_same_face(first, TTFontFace(str(path)))
    _assert_same_face(restored, TTFontFace(str(path)))


def test_a_brand_font_is_kept_by_its_own_path(tmp_path: Path, parses: list[str]) -> None:
    font = fontmaker.tiny_font(tmp_path / "han.ttf", "TinyHan", "中")
    facecache.load_face(font)
    restored = facecache.load_face(font)
    assert parses == [str(font)]
    _assert_same_face(restored, TTFontFace(str(font)))


def _entry(path: Path) -> Path:
    return cache_file("derived", facecache.CACHE_NAME, file_state(path)[0])


def test_a_corrupt_cache_file_is_parsed_again(parses: list[str]) -> None:
    path = BUNDLED_FONTS.regular
    facecache.load_face(path)
    entry = _entry(path)
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    loaded = facecache.load_face(path)
    assert parses == [str(path), str(path)]
    _assert_same_face(loaded, TTFontFace(str(path)))


def test_an_entry_not_in_this_layout_is_parsed_again(parses: list[str]) -> None:
    path = BUNDLED_FONTS.regular
    key = (__version__, facecache.CACHE_NAME, (file_state(path),))
    write_private(_entry(path), (key, {"unitsPerEm": ("nonsense",)}))  # the right key, a wrong value
    loaded = facecache.load_face(path)
    assert parses == [str(path)]
    _assert_same_face(loaded, TTFontFace(str(path)))


def test_another_reportlabs_entry_is_not_used(monkeypatch: pytest.MonkeyPatch, parses: list[str]) -> None:
    assert facecache.CACHE_NAME.endswith(f"-reportlab-{Version}")
    path = BUNDLED_FONTS.regular
    this_reportlab = facecache.CACHE_NAME
    monkeypatch.setattr(facecache, "CACHE_NAME", "truetype-face-1-reportlab-4.0.0")
    facecache.load_face(path)
    monkeypatch.setattr(facecache, "CACHE_NAME", this_reportlab)
    facecache.load_face(path)
    assert parses == [str(path), str(path)]


def test_an_edited_font_file_is_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    font = tmp_path / "clinic.ttf"
    shutil.copyfile(BUNDLED_FONTS.regular, font)
    facecache.load_face(font)
    shutil.copyfile(ATKINSON, font)
    os.utime(font, ns=(1, 1))
    loaded = facecache.load_face(font)
    assert parses == [str(font), str(font)]
    _assert_same_face(loaded, TTFontFace(str(font)))


# Handouts in both bundled families (standard: DejaVu Sans; large print: Atkinson Hyperlegible),
# in Arabic (shaped from the face's cmap) and with a --font file drawing what they lack.
_RENDER = """
import datetime, hashlib, sys
from pathlib import Path
import rxstretch
from rxstretch.api import load_library, load_prescription

library = load_library(use_env=False)
prescription = load_prescription(Path(sys.argv[1]), library)
for template, language in (("standard", "en"), ("large-print", "en"), ("standard", "ar")):
    pdf = rxstretch.render_handout(
        prescription, library=library, template=template, language=language,
        today=datetime.date(2026, 11, 26), font=Path(sys.argv[2]),
    )
    print(template, language, hashlib.sha256(pdf).hexdigest())
"""


def _render_in_a_new_process(font: Path) -> str:
    prescription = EXAMPLES / "low-back.yaml"
    done = subprocess.run(
        [sys.executable, "-c", _RENDER, str(prescription), str(font)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_handouts_drawn_with_restored_faces_keep_their_bytes(tmp_path: Path) -> None:
    font = fontmaker.tiny_font(tmp_path / "han.ttf", "TinyHan", "中")
    parsed = _render_in_a_new_process(font)  # an empty cache: every face parsed, then kept
    assert all(_entry(path).exists() for path in (BUNDLED_FONTS.regular, ATKINSON, font))
    restored = _render_in_a_new_process(font)
    assert len(parsed.splitlines()) == 3
    assert restored == parsed
