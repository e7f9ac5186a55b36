"""The built wheel works on its own: installed non-editable, run from an unrelated folder."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .conftest import EXAMPLES, REPO, pdf_text


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("rxstretch-*.whl")
    return built


def test_wheel_ships_library_templates_fonts_and_catalogs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "rxstretch/library/exercises/knees-to-chest.yaml" in names
    assert "rxstretch/library/vocabulary.yaml" in names
    assert "rxstretch/templates/standard.yaml" in names
    assert "rxstretch/fonts/DejaVuSans.ttf" in names
    assert "rxstretch/fonts/LICENSE-DejaVu.txt" in names
    assert "rxstretch/locale/fr/LC_MESSAGES/rxstretch.po" in names
    assert "rxstretch/py.typed" in names
    assert not [n for n in names if "library_table" in n], "the README table generator is a dev tool"


def test_png_figures_need_no_extra(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        requires = [
            line for line in archive.read(metadata).decode().splitlines() if line.startswith("Requires-Dist:")
        ]
    assert [r for r in requires if "pypdfium2" in r and "extra ==" not in r]
    assert not [r for r in requires if "rlpycairo" in r.lower()]


@pytest.mark.slow
def test_installed_wheel_renders_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    python = environment / "bin" / "python"
    # Borrow this environment's dependencies (no download), placed after the new environment's
    # own site-packages so that rxstretch itself is imported from the wheel.
    own_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(own_site) / "borrowed-dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", wheel],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    location = subprocess.run(
        [python, "-c", "import rxstretch; print(rxstretch.__file__)"],
        cwd=elsewhere,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert location.startswith(str(environment))
    result = subprocess.run(
        [environment / "bin" / "rxstretch", "generate", EXAMPLES / "low-back.yaml", "-o", "out.pdf"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "Knees to chest" in pdf_text((elsewhere / "out.pdf").read_bytes())
    result = subprocess.run(
        [environment / "bin" / "rxstretch", "show", "knees-to-chest", "--figure", "k.png"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "k.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
