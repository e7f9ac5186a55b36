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


def test_a_handout_whose_figures_are_kept_imports_no_drawing_code(tmp_path: Path) -> None:
    output = tmp_path / "out.pdf"
    command = _cli("generate", str(EXAMPLES / "low-back.yaml"), "-o", str(output), "--force")
    first = _imported_after(command)  # draws the figures and keeps them in the (test's) cache
    again = _imported_after(command)
    drawing = {"rxstretch.render.figures", "rxstretch.render.hands"}
    assert drawing <= first
    assert not again & drawing
    # Nor what only photos need.
    assert "PIL.ImageOps" not in again


def _collector_enabled_during(*args: str) -> bool:
    """Whether the cycle collector was on while the command itself ran, started by main()."""
    script = (
        "import gc, sys\n"
        "import click\n"
        "from rxstretch.cli import main\n"
        "seen = []\n"
        "real = click.Command.invoke\n"
        "def spy(self, ctx):\n"
        "    seen.append(gc.isenabled())\n"
        "    return real(self, ctx)\n"
        "click.Command.invoke = spy\n"
        f"sys.argv = ['rxstretch', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(seen[-1])\n"  # the group runs first, then the command
    )
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return result.stdout.strip().splitlines()[-1] == "True"


def test_one_handout_runs_without_the_cycle_collector_and_a_batch_with_it(tmp_path: Path) -> None:
    handout = tmp_path / "out.pdf"
    assert not _collector_enabled_during("generate", str(EXAMPLES / "low-back.yaml"), "-o", str(handout))
    assert handout.read_bytes().startswith(b"%PDF")
    rows = EXAMPLES / "records" / "patients.jsonl"
    assert _collector_enabled_during("batch", str(rows), "-o", str(tmp_path / "out"), "-j", "1")
    assert (tmp_path / "out").is_dir()
    assert _collector_enabled_during("validate")


def _frozen_at_exit(*args: str) -> tuple[bool, bool]:
    """Whether main() left the collector's objects unfrozen on return, and frozen at exit
    (before the interpreter's final collection)."""
    script = (
        "import atexit, gc, sys\n"
        "from rxstretch.cli import main\n"
        # Registered first, so run last: after main()'s own exit handler.
        "atexit.register(lambda: print('at exit', gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['rxstretch', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('on return', gc.get_freeze_count() > 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    return lines[-2] == "on return True", lines[-1] == "at exit True"


def test_commands_skip_the_final_collection(tmp_path: Path) -> None:
    handout = tmp_path / "out.pdf"
    # Frozen only at exit: a program calling main() keeps its garbage collectable.
    assert _frozen_at_exit("generate", str(EXAMPLES / "low-back.yaml"), "-o", str(handout)) == (False, True)
    assert handout.read_bytes().startswith(b"%PDF")
    rows = EXAMPLES / "records" / "patients.jsonl"
    assert _frozen_at_exit("batch", str(rows), "-o", str(tmp_path / "out"), "-j", "1") == (False, True)
    assert len(list((tmp_path / "out").glob("*.pdf"))) == len(rows.read_text().splitlines())
    assert _frozen_at_exit("validate") == (False, True)


def test_checking_a_language_loads_no_babel_formatting() -> None:
    # list and validate parse language tags but format nothing: babel.dates (with zoneinfo)
    # and the number and unit modules load only when a handout is formatted.
    imported = _imported_after(_cli("validate", str(EXAMPLES / "bas-du-dos.yaml")))
    assert "babel" in imported
    assert not imported & {"babel.dates", "babel.numbers", "babel.units", "babel.lists"}
