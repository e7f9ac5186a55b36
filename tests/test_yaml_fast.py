"""The fast tree builder reads every document exactly as PyYAML's full constructor does (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rxstretch.errors import ValidationError
from rxstretch.loaders import yamlio
from rxstretch.loaders.yamlio import LocatedList, LocatedMap, parse_yaml

scalars = st.one_of(st.text(max_size=30), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
trees = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def _located(tree: Any) -> Any:
    """The tree with every line number it carries, for comparing two parses."""
    if isinstance(tree, LocatedMap):
        return ("map", tree.line, tree.key_lines, {key: _located(value) for key, value in tree.items()})
    if isinstance(tree, LocatedList):
        return ("list", tree.line, tree.item_lines, [_located(item) for item in tree])
    return (type(tree).__name__, tree)


def _full(text: str) -> Any:
    return yaml.load(text, Loader=yamlio._LocatingLoader)


@settings(max_examples=150, deadline=None)
@given(trees, st.booleans())
def test_the_fast_builder_matches_the_full_constructor(tree: Any, flow: bool) -> None:
    text = yaml.safe_dump(tree, allow_unicode=True, default_flow_style=flow)
    assert _located(parse_yaml(text, source="t.yaml")) == _located(_full(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: *x\n", "anchors and aliases"),
        ("? [1]\n: 2\n", "mapping keys must be plain text"),
        ("a: !!int three\n", "cannot read this value"),
        ("a: !!python/object:os.system x\n", "not supported"),
        # Longer than int() takes from text: still a located problem, not a bare error.
        ("a: 1\nb: " + "7" * 5000 + "\n", "cannot read this value"),
    ],
)
def test_refusals_keep_their_wording(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_yaml(text, source="t.yaml")
    assert message in caught.value.problems[0].message
    assert caught.value.problems[0].line is not None


def test_duplicate_keys_are_noted_on_the_top_mapping_not_raised() -> None:
    # Noted so that the file's other problems are listed with it (the reader reports them).
    tree = parse_yaml("a: 1\nb: {c: 2, c: 3}\na: 3\n", source="t.yaml")
    messages = [(problem.line, problem.message) for problem in tree.yaml_problems]
    assert messages == [
        (2, 'invalid YAML: duplicate key "c" (first written on line 2); keep one of them'),
        (3, 'invalid YAML: duplicate key "a" (first written on line 1); keep one of them'),
    ]
    assert tree == {"a": 1, "b": {"c": 2}}  # the first value is kept meanwhile


def test_duplicate_keys_below_a_top_list_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_yaml("- {a: 1, a: 2}\n", source="t.yaml")
    assert 'duplicate key "a"' in caught.value.problems[0].message


def test_merge_keys_are_left_to_the_full_constructor() -> None:
    text = "a: 1\n<<: {b: 2}\n"
    tree = parse_yaml(text, source="t.yaml")
    assert tree == {"a": 1, "b": 2}
    assert _located(tree) == _located(_full(text))


@pytest.mark.parametrize(
    "value",
    [
        "yes",
        "No",
        "on",
        "true",
        "~",
        "null",
        "",
        "12",
        "0",
        "012",
        "1:30",
        "-3",
        "+4",
        "0x1F",
        "0o17",
        "1_000",
        "1e3",
        ".5",
        ".inf",
        "-.Inf",
        ".nan",
        "2024-02-29",
        "2024-02-29 10:00:00",
        "<<x",
        "text",
        "Ünïcode",
        "3 sets",
    ],
)
def test_plain_scalars_resolve_as_pyyaml_resolves_them(value: str) -> None:
    # The fast loader answers most scalars without PyYAML's resolver; every first character
    # PyYAML treats specially must still reach it.
    for text in (f"a: {value}\n", f"- {value}\n", f"{{a: [{value}]}}\n"):
        assert _located(parse_yaml(text, source="t.yaml")) == _located(_full(text))


def test_an_alias_without_an_anchor_is_still_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_yaml("a: 1\nb: *x\n", source="t.yaml")
    assert caught.value.problems[0].line == 2
