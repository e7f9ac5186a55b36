"""Messages for bad option values and broken YAML: exit 2 for options, located plain causes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import EXAMPLES, pdf_text, replace_once

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
        ("--sets", "three", 'must be a whole number from 1 to 20, not "three"'),
        ("--sets", "99", 'must be a whole number from 1 to 20, not "99"'),
        ("--reps", "2.5", "must be a whole number from 1 to"),
        ("--tracker", "x", "must be a whole number from 1 to"),
    ],
)
def test_every_bad_option_value_exits_2(run_cli, tmp_path: Path, option: str, value: str, says: str) -> None:
    quick = ("--frequency", "--hold", "--sets", "--reps")
    extra = ["-e", "cat-cow", "--patient", "X"] if option in quick else [PRESCRIPTION]
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


@pytest.mark.parametrize(("width", "height"), [(10_000, 10_000), (20_000, 10_000)])
def test_an_oversized_image_is_named_by_its_size(tmp_path: Path, width: int, height: int) -> None:
    from PIL import Image

    from rxstretch.render.images import ImageError, load_image

    bomb = tmp_path / "huge.png"
    Image.new("1", (width, height)).save(bomb)
    megapixels = f"{width * height // 1_000_000:,}"
    with pytest.raises(ImageError, match=f"{width}×{height} pixels \\({megapixels} megapixels\\)"):
        load_image(bomb, printed_width=100, printed_height=100)


def test_an_unquoted_colour_gets_the_quoting_hint(run_cli, tmp_path: Path) -> None:
    brand = tmp_path / "brand.yaml"
    brand.write_text("name: Clinic\nphone: '+1 555 0100'\ncolors:\n  primary: #1F5E8C\n", encoding="utf-8")
    result = run_cli("validate", brand)
    assert result.exit_code == 1
    assert f"{brand}:4: colors.primary: has no value" in result.stderr
    assert 'quote the colour, e.g. "#1F5E8C"' in result.stderr


def test_validate_recognises_a_column_mapping(run_cli, tmp_path: Path) -> None:
    good = run_cli("validate", EXAMPLES / "records" / "mapping-fr.yaml")
    assert good.exit_code == 0, good.output
    assert "unknown key" not in good.output
    bad = tmp_path / "map.yaml"
    bad.write_text("columns:\n  patient_name: nom\n  bogus: x\n", encoding="utf-8")
    result = run_cli("validate", bad)
    assert result.exit_code == 1
    assert f"{bad}:3: columns.bogus: unknown key" in result.stderr
    assert "colors" not in result.stderr


def test_dir_lists_the_api() -> None:
    import rxstretch

    listed = dir(rxstretch)
    assert set(rxstretch.__all__) <= set(listed)
    assert {"render_handout", "run_batch", "load_library"} <= set(listed)


def test_a_long_note_flows_across_pages_in_full(run_cli, tmp_path: Path) -> None:
    from rxstretch.prescription import MAX_NOTE_CHARS

    sentences = [f"Sentence number {n} of the therapist's note." for n in range(1, 400)]
    note = " ".join(sentences)
    assert 2_000 < len(note) < MAX_NOTE_CHARS
    prescription = tmp_path / "long.yaml"
    text = PRESCRIPTION.read_text(encoding="utf-8")
    old = "notes: Walk for 20 minutes every day, at a pace where you can still talk."
    prescription.write_text(replace_once(text, old, f"notes: >-\n  {note}"), encoding="utf-8")
    output = tmp_path / "long.pdf"
    result = run_cli("generate", prescription, "-o", output)
    assert result.exit_code == 0, result.output
    rendered = " ".join(pdf_text(output.read_bytes()).split())
    assert sentences[0] in rendered and sentences[-1] in rendered
    assert "Sentence number 200 of" in rendered


def test_a_note_past_the_limit_is_a_clear_error(run_cli, tmp_path: Path) -> None:
    from rxstretch.prescription import MAX_NOTE_CHARS

    prescription = tmp_path / "huge.yaml"
    text = PRESCRIPTION.read_text(encoding="utf-8")
    old = "notes: Walk for 20 minutes every day, at a pace where you can still talk."
    prescription.write_text(
        replace_once(text, old, f"notes: {'word ' * (MAX_NOTE_CHARS // 4)}"), encoding="utf-8"
    )
    result = run_cli("generate", prescription, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 1
    assert f"is longer than {MAX_NOTE_CHARS} characters" in result.stderr


@pytest.mark.parametrize("template", ["standard", "compact", "large-print"])
def test_a_long_exercise_note_flows_in_every_template(run_cli, tmp_path: Path, template: str) -> None:
    sentences = [f"Sentence {n} of the exercise note." for n in range(1, 500)]
    prescription = tmp_path / "long.yaml"
    old = "notes: Hold behind your thighs rather than your shins, to spare your left knee."
    text = replace_once(PRESCRIPTION.read_text(encoding="utf-8"), old, "notes: " + " ".join(sentences))
    prescription.write_text(text, encoding="utf-8")
    output = tmp_path / "long.pdf"
    result = run_cli("generate", prescription, "--template", template, "-o", output)
    assert result.exit_code == 0, result.output
    rendered = " ".join(pdf_text(output.read_bytes()).split())
    assert all(sentence in rendered for sentence in sentences[::50] + sentences[-1:])


@pytest.mark.parametrize("argument", ["brand", "language", "today", "library"])
def test_render_handout_refuses_what_it_would_ignore(library, argument: str) -> None:
    import datetime

    from rxstretch.api import build_handout, load_prescription, render_handout

    handout = build_handout(load_prescription(PRESCRIPTION, library), library)
    value = {
        "brand": EXAMPLES / "brand.yaml",
        "language": "fr",
        "today": datetime.date(2026, 1, 1),
        "library": library,
    }[argument]
    with pytest.raises(TypeError, match=f"{argument} cannot change a Handout"):
        render_handout(handout, **{argument: value})


def test_api_errors_name_api_parameters_and_cli_errors_name_flags(run_cli, tmp_path: Path) -> None:
    import rxstretch
    from rxstretch.errors import OutputExistsError

    records = EXAMPLES / "records" / "patients.jsonl"
    output = tmp_path / "out"
    rxstretch.run_batch(records, output, use_env=False, today=None)
    with pytest.raises(OutputExistsError) as caught:
        rxstretch.run_batch(records, output, use_env=False)
    assert "resume=True" in str(caught.value) and "force=True" in str(caught.value)
    assert "--resume" not in str(caught.value) and "--force" not in str(caught.value)
    result = run_cli("batch", records, "-o", output)
    assert result.exit_code == 1
    assert "add --resume to skip" in result.stderr and "or --force to make" in result.stderr


def test_batch_jobs_is_checked_like_the_other_numbers(run_cli, tmp_path: Path) -> None:
    result = run_cli("batch", EXAMPLES / "records" / "patients.jsonl", "-o", tmp_path / "o", "-j", "many")
    assert result.exit_code == 2
    assert (
        "Invalid value for '--jobs' / '-j': must be a whole number from 1 to 256, not \"many\""
        in result.stderr
    )


def test_a_duplicate_key_names_both_lines_and_the_other_problems_are_still_listed(
    run_cli, tmp_path: Path
) -> None:
    path = tmp_path / "rx.yaml"
    path.write_text(
        "patient:\n  name: Ana\nexercises:\n  - id: cat-cow\n    sets: three\n  - id: nosuch\n"
        "patient:\n  name: Bo\n",
        encoding="utf-8",
    )
    for command in ("validate", "generate"):
        args = [path] if command == "validate" else [path, "-o", tmp_path / "x.pdf"]
        result = run_cli(command, *args)
        assert result.exit_code == 1
        assert f'{path}:7:1: invalid YAML: duplicate key "patient" (first written on line 1)' in result.stderr
        assert f"{path}:5: exercises[0].sets: must be a whole number" in result.stderr
        assert f'{path}:6: exercises[1].id: unknown exercise "nosuch"' in result.stderr
        assert "3 problems" in result.stderr
    nested = tmp_path / "nested.yaml"
    nested.write_text("patient:\n  name: Ana\n  name: Bo\nexercises: [{id: cat-cow}]\n", encoding="utf-8")
    result = run_cli("validate", nested)
    assert result.exit_code == 1 and f"{nested}:3:3: invalid YAML: duplicate key" in result.stderr
    listed = tmp_path / "list.yaml"  # a top that is no mapping: the duplicate alone, still located
    listed.write_text("- {a: 1, a: 2}\n", encoding="utf-8")
    result = run_cli("validate", listed)
    assert result.exit_code == 1 and 'duplicate key "a"' in result.stderr


def test_every_error_names_settings_as_its_caller_writes_them() -> None:
    from rxstretch.errors import RxStretchError

    error = RxStretchError("stopped; fix it and {resume}, or {force}; run each {shard}")
    assert str(error) == "stopped; fix it and resume=True, or force=True; run each shard=(K, N)"
    assert error.cli_message == "stopped; fix it and --resume, or --force; run each --shard K/N"
    assert error.report_message.startswith("stopped; fix it and --resume (resume=True)")


def test_a_batch_record_refused_for_an_existing_file_says_both_spellings(tmp_path: Path) -> None:
    import csv

    import rxstretch

    export = tmp_path / "in.csv"
    export.write_text("patient_id,patient_name,exercises\nP1,Ana,cat-cow\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "p1-ana.pdf").write_bytes(b"older")
    result = rxstretch.run_batch(export, tmp_path / "out", jobs=1, use_env=False)
    with result.errors.open(encoding="utf-8-sig", newline="") as stream:
        (error,) = list(csv.DictReader(stream))
    assert "use --force (force=True) to overwrite it" in error["reason"]
