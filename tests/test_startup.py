"""What a command imports: start-up cost is paid only for what the command needs (issue 19)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLES

HEAVY = ("reportlab", "babel", "yaml", "PIL", "uharfbuzz", "bidi")


def _imported_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return {name.split(".")[0] for name in result.stdout.split()} | set(result.stdout.split())


def _cli(*args: str) -> str:
    return f"from rxstretch.cli import cli\ntry:\n    cli({list(args)!r})\nexcept SystemExit:\n    pass"


def test_version_and_help_import_no_heavy_library() -> None:
    for args in (("--version",), ("--help",)):
        assert not _imported_after(_cli(*args)) & set(HEAVY), args


def test_left_to_right_handout_imports_no_shaping_engine(tmp_path: Path) -> None:
    output = tmp_path / "out.pdf"
    imported = _imported_after(_cli("generate", str(EXAMPLES / "low-back.yaml"), "-o", str(output)))
    assert output.stat().st_size > 0
    assert "reportlab" in imported
    assert not imported & {"uharfbuzz", "bidi"}
    # No records import or validation code either.
    assert not [
        name for name in imported if name.startswith(("rxstretch.records", "rxstretch.loaders.validate"))
    ]


def test_checking_a_language_loads_no_babel_formatting() -> None:
    # list and validate parse language tags but format nothing: babel.dates (with zoneinfo)
    # and the number and unit modules load only when a handout is formatted.
    imported = _imported_after(_cli("validate", str(EXAMPLES / "bas-du-dos.yaml")))
    assert "babel" in imported
    assert not imported & {"babel.dates", "babel.numbers", "babel.units", "babel.lists"}
