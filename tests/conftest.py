"""Shared fixtures: the bundled library, PDF text extraction, a CLI runner, scratch libraries."""

from __future__ import annotations

import datetime
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from rxstretch.api import load_library
from rxstretch.cli import cli
from rxstretch.loaders.library import bundled_library_dir
from rxstretch.model import Library

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
FIXED_DATE = datetime.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def _no_user_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never pick up a developer's own clinic library, brand or cache (each test has its own)."""
    monkeypatch.delenv("RXSTRETCH_LIBRARY", raising=False)
    monkeypatch.delenv("RXSTRETCH_BRAND", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(use_env=False)


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page, pages separated by form feeds."""
    reader = PdfReader(io.BytesIO(pdf))
    return "\f".join(page.extract_text() or "" for page in reader.pages)


def normalize(text: str) -> str:
    """Collapse whitespace so text wrapped across lines compares equal to the source."""
    return " ".join(text.split())


def replace_once(text: str, old: str, new: str) -> str:
    """Replace ``old``, which must occur exactly once (so a changed fixture fails loudly)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """Return the 1-based number of the only line of ``text`` containing ``needle``."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    def run(*args: str | Path) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args])

    return run


@pytest.fixture
def scratch_library(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Make a clinic library folder holding the given exercise files ({file name: YAML text})."""

    def make(exercises: dict[str, str]) -> Path:
        folder = tmp_path / "clinic-library"
        (folder / "exercises").mkdir(parents=True, exist_ok=True)
        for name, text in exercises.items():
            (folder / "exercises" / name).write_text(text, encoding="utf-8")
        return folder

    return make


def bundled_exercise_text(exercise_id: str) -> str:
    """Return the YAML of a bundled exercise, to copy and break in tests."""
    return (bundled_library_dir() / "exercises" / f"{exercise_id}.yaml").read_text(encoding="utf-8")


@pytest.fixture
def copy_examples(tmp_path: Path) -> Path:
    """Copy examples/ into a scratch folder so tests can write next to them."""
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target
