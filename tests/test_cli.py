"""The command line end to end: outputs, overwrite rules, discovery commands and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLES, normalize, pdf_text


def test_generate_from_the_example_writes_a_handout(run_cli, tmp_path: Path) -> None:
    output = tmp_path / "handout.pdf"
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", output)
    assert result.exit_code == 0, result.output
    assert output.read_bytes().startswith(b"%PDF-")
    assert "Jeanne Dupont" in pdf_text(output.read_bytes())
    assert f"wrote {output}" in result.stderr
    assert result.stdout == ""


def test_quick_form_renders_the_given_exercises_and_dosage(run_cli, tmp_path: Path) -> None:
    output = tmp_path / "quick.pdf"
    result = run_cli(
        "generate",
        "-e",
        "knees-to-chest",
        "-e",
        "cat-cow",
        "--patient",
        "Jeanne Dupont",
        "--sets",
        "3",
        "--hold",
        "1 min 30 s",
        "--frequency",
        "3/week",
        "--lang",
        "fr",
        "--date",
        "2026-11-26",
        "-o",
        output,
    )
    assert result.exit_code == 0, result.output
    text = normalize(pdf_text(output.read_bytes()))
    assert "Genoux à la poitrine" in text and "Chat-vache" in text
    assert "3 séries" in text
    assert "1 minute 30 secondes" in text
    assert "3 fois par semaine" in text
    assert "26 novembre 2026" in text


def test_existing_output_is_kept_without_force(run_cli, tmp_path: Path) -> None:
    output = tmp_path / "handout.pdf"
    output.write_bytes(b"keep me")
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", output)
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert output.read_bytes() == b"keep me"
    forced = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", output, "--force")
    assert forced.exit_code == 0, forced.output
    assert output.read_bytes().startswith(b"%PDF-")


def test_failed_run_leaves_no_file_behind(run_cli, tmp_path: Path) -> None:
    output = tmp_path / "out.pdf"
    result = run_cli("generate", "-e", "knees-to-chets", "--patient", "A", "-o", output)
    assert result.exit_code == 1
    assert 'did you mean "knees-to-chest"' in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_output_dash_writes_the_pdf_to_stdout(run_cli) -> None:
    result = run_cli("generate", EXAMPLES / "low-back.yaml", "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF-")


def test_same_command_twice_gives_identical_files(run_cli, tmp_path: Path) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    for output in (first, second):
        assert run_cli("generate", EXAMPLES / "low-back.yaml", "-o", output).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_avoid_contraindication_refuses_and_override_allows(run_cli, tmp_path: Path) -> None:
    prescription = tmp_path / "rx.yaml"
    base = "patient: {name: A}\nconditions: [acute-disc-herniation]\nexercises:\n  - id: knees-to-chest\n"
    prescription.write_text(base, encoding="utf-8")
    output = tmp_path / "out.pdf"
    refused = run_cli("generate", prescription, "-o", output)
    assert refused.exit_code == 1
    assert "knees-to-chest" in refused.stderr and "acute-disc-herniation" in refused.stderr
    assert "overrides" in refused.stderr
    assert not output.exists()
    prescription.write_text(
        base + "overrides:\n  - {exercise: knees-to-chest, condition: acute-disc-herniation,"
        " reason: Cleared by Dr Martin}\n",
        encoding="utf-8",
    )
    allowed = run_cli("generate", prescription, "-o", output)
    assert allowed.exit_code == 0, allowed.output
    assert "Cleared by Dr Martin" in allowed.stderr
    assert "Cleared by Dr Martin" not in pdf_text(output.read_bytes())


def test_list_filters_and_json(run_cli) -> None:
    result = run_cli("list", "--region", "neck", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {row["id"] for row in rows} >= {"chin-tuck", "neck-side-bend"}
    assert all("neck" in row["regions"] for row in rows)
    french = json.loads(run_cli("list", "--lang", "fr", "--search", "poitrine", "--format", "json").stdout)
    names = {row["id"]: row["name"] for row in french}
    assert names["knees-to-chest"] == "Genoux à la poitrine"
    assert "cat-cow" not in names
    accents = json.loads(run_cli("list", "--search", "ETIREMENT", "--format", "json").stdout)
    assert "piriformis-stretch" in {row["id"] for row in accents}
    table = run_cli("list").stdout
    assert table.splitlines()[0].split() == ["ID", "NAME", "REGIONS", "LANGUAGES"]
    assert "knees-to-chest" in table


def test_list_unknown_region_suggests_the_closest(run_cli) -> None:
    result = run_cli("list", "--region", "lower-bak")
    assert result.exit_code == 1
    assert 'did you mean "lower-back"' in result.stderr


def test_show_prints_the_exercise_in_each_format(run_cli) -> None:
    text = run_cli("show", "knees-to-chest").stdout
    assert "Knees to chest" in text and "AVOID: Acute disc herniation" in text
    assert "Usual dosage: sets 3-4, hold 30-45 s, 1-3 times per day" in text
    data = json.loads(run_cli("show", "knees-to-chest", "--lang", "fr", "--format", "json").stdout)
    assert data["name"] == "Genoux à la poitrine"
    assert len(data["steps"]) == 4
    assert next(m["name"] for m in data["muscles"]) == "Muscles érecteurs du rachis"
    assert "id: knees-to-chest" in run_cli("show", "knees-to-chest", "--format", "yaml").stdout
    missing = run_cli("show", "knee-to-chest")
    assert missing.exit_code == 1 and 'did you mean "knees-to-chest"' in missing.stderr


def test_version_and_module_entry_point() -> None:
    from rxstretch import __version__

    result = subprocess.run(
        [sys.executable, "-m", "rxstretch", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"rxstretch, version {__version__}"


def test_usage_errors_exit_2(run_cli, tmp_path: Path) -> None:
    assert run_cli("generate", "-o", tmp_path / "x.pdf").exit_code == 2
    assert run_cli("generate", EXAMPLES / "low-back.yaml").exit_code == 2
    assert run_cli("generate", tmp_path / "missing.yaml", "-o", tmp_path / "x.pdf").exit_code == 2
    assert run_cli("list", "--format", "xml").exit_code == 2


def test_output_gets_ordinary_file_permissions(run_cli, tmp_path: Path) -> None:
    import os

    output = tmp_path / "handout.pdf"
    assert run_cli("generate", EXAMPLES / "low-back.yaml", "-o", output).exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert output.stat().st_mode & 0o777 == 0o666 & ~umask


def test_every_command_has_help_and_is_in_the_readme(run_cli) -> None:
    import click

    from rxstretch.cli import cli

    from .conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in cli.list_commands(click.Context(cli)):
        result = run_cli(name, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, f"{name} --help shows no example"
        assert f"rxstretch {name}" in readme, f"README does not mention rxstretch {name}"


def test_broken_clinic_exercise_blocks_only_handouts_that_use_it(
    run_cli, scratch_library, tmp_path: Path
) -> None:
    from .conftest import bundled_exercise_text, line_of, replace_once

    broken = replace_once(
        bundled_exercise_text("cat-cow").replace("id: cat-cow", "id: my-broken"), "\nmuscles:", "\nmusles:"
    )
    folder = scratch_library({"my-broken.yaml": broken})
    output = tmp_path / "ok.pdf"
    fine = run_cli("generate", "-e", "knees-to-chest", "--patient", "A", "--library", folder, "-o", output)
    assert fine.exit_code == 0, fine.output
    used = run_cli(
        "generate", "-e", "my-broken", "--patient", "A", "--library", folder, "-o", tmp_path / "x.pdf"
    )
    assert used.exit_code == 1
    where = f"{folder / 'exercises' / 'my-broken.yaml'}:{line_of(broken, 'musles:')}: musles:"
    assert where in used.stderr
    checked = run_cli("validate", "--library", folder)
    assert checked.exit_code == 1 and where in checked.stderr
