"""Messages for bad option values and broken YAML: exit 2 for options, located plain causes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import EXAMPLES

PRESCRIPTION = EXAMPLES / "low-back.yaml"


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--template", "nosuch", 'no template "nosuch" (expected one of:'),
        ("--template", "standrd", 'did you mean "standard"?'),
        ("--lang", "xx", 'unknown language "xx"'),
        ("--frequency", "twice a day", '"twice a day" is not a frequency'),
        ("--hold", "half a minute", '"half a minute" is not a duration'),
        ("--date", "05/12/2026", "is not a date"),
    ],
)
def test_every_bad_option_value_exits_2(run_cli, tmp_path: Path, option: str, value: str, says: str) -> None:
    extra = ["-e", "cat-cow", "--patient", "X"] if option in ("--frequency", "--hold") else [PRESCRIPTION]
    result = run_cli("generate", *extra, "-o", tmp_path / "x.pdf", option, value)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.stderr
    assert says in result.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ("patient:\n  name: x\n\tage: 3\n", ":3:1:", "a tab is used for indentation"),
        ('patient:\n  name: "x\nexercises: []\n', ":4:1:", "a quote opened on line 2 is never closed"),
        (
            "patient: !!python/object:os.system x\n",
            ":1:10:",
            "the tag !!python/object:os.system is not supported; rxstretch reads plain YAML only",
        ),
        ("patient:\n  name: x\n  name: y\n", ":3:3:", 'duplicate key "name" (first written on line 2)'),
        ("a:\n  - b\n c: 1\n", ":3:2:", "invalid YAML"),
    ],
)
def test_yaml_errors_give_line_column_and_a_plain_cause(
    run_cli, tmp_path: Path, text: str, where: str, says: str
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    result = run_cli("validate", broken)
    assert result.exit_code == 1
    assert f"{broken}{where} invalid YAML" in result.stderr
    assert says in result.stderr
