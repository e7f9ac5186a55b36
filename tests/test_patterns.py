"""Patterns compiled on first use while ReportLab's paragraph module is imported (render/patterns.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rxstretch.render.patterns import PatternOnFirstUse, import_with_patterns_on_first_use

MODULE = """
import re
SLOW = re.compile("[a-z\\u00a1-\\uffff]+", re.I)
SPLIT = re.compile(",").split
"""


@pytest.fixture
def module_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"patterns_probe_{id(tmp_path)}"
    (tmp_path / f"{name}.py").write_text(MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_an_owner_gets_stand_ins_that_compile_when_first_used(module_file: str) -> None:
    import_with_patterns_on_first_use(module_file, owners=(module_file,))
    module = sys.modules[module_file]
    assert isinstance(module.SLOW, PatternOnFirstUse)
    assert module.SLOW._compiled is None
    assert module.SLOW.fullmatch("Straße").group() == "Straße"
    assert module.SLOW.flags & re.IGNORECASE
    assert module.SPLIT("a,b") == ["a", "b"]  # a method taken at import compiles at once


def test_other_modules_get_real_patterns_and_re_compile_is_restored(module_file: str) -> None:
    original = re.compile
    import_with_patterns_on_first_use(module_file, owners=("some.other.module",))
    assert isinstance(sys.modules[module_file].SLOW, re.Pattern)
    assert re.compile is original


def test_re_compile_is_restored_when_the_import_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = re.compile
    (tmp_path / "patterns_broken_probe.py").write_text("import re\nre.compile('x')\nraise RuntimeError\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuntimeError):
        import_with_patterns_on_first_use("patterns_broken_probe", owners=("patterns_broken_probe",))
    assert re.compile is original
    sys.modules.pop("patterns_broken_probe", None)


def test_reportlab_url_pattern_waits_and_still_works() -> None:
    # A fresh interpreter: in this one, another test may have imported ReportLab first.
    probe = (
        "import rxstretch.render\n"
        "from reportlab.platypus import paragraph\n"
        "print(type(paragraph.uri_pat).__name__, paragraph.uri_pat._compiled is None)\n"
        "print(bool(paragraph.uri_pat.match('https://physio.example.org/x')), "
        "bool(paragraph.uri_pat.match('not a url')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["PatternOnFirstUse", "True", "True", "False"]
