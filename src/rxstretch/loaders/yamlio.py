"""Safe YAML loading that remembers the line of every key and list item."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from rxstretch.errors import Problem, ValidationError

# A library file or prescription is a few kilobytes; anything far larger is a mistake or an attack.
MAX_YAML_BYTES = 1_000_000

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedMap(dict[Any, Any]):
    """A YAML mapping that knows its own line and the line of each key (1-based)."""

    # Slots: a clinic library's files hold hundreds of thousands of these, and an instance
    # without a __dict__ is made in less than half the time.
    __slots__ = ("key_lines", "line", "yaml_problems")

    def __init__(self, line: int = 0) -> None:
        self.line = line
        self.key_lines: dict[Any, int] = {}
        # On a document's top mapping: keys written twice anywhere in the file. They are
        # reported with the file's other problems when its top is checked (Reader.free_mapping).
        self.yaml_problems: tuple[Problem, ...] = ()

    def line_of(self, key: Any) -> int:
        """Return the line where ``key`` is written, or the mapping's own line."""
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A YAML sequence that knows its own line and the line of each item (1-based)."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int = 0) -> None:
        self.line = line
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """Return the line where item ``index`` starts."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _LocatingLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that builds Located containers, notes duplicate keys and refuses aliases."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, int, str]] = []  # (line, column, message)


def _refuse_alias(loader: Any, node: yaml.Node) -> None:
    # Aliases let a small file expand into a huge tree ("billion laughs"); no rxstretch
    # file needs them, so a node met a second time is refused outright.
    if node in loader.constructed_objects:
        raise yaml.constructor.ConstructorError(
            None, None, "anchors and aliases (&, *) are not supported", node.start_mark
        )


# What PyYAML's own constructors raise for well-formed but impossible values (2026-02-30,
# "!!int three"): turned into a located YAML error instead of escaping as a crash.
_VALUE_ERRORS = (ValueError, TypeError, AttributeError, OverflowError)


def _construct_child(loader: Any, node: yaml.Node) -> Any:
    _refuse_alias(loader, node)
    try:
        return loader.construct_object(node, deep=True)
    except _VALUE_ERRORS as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot read this value ({exc})", node.start_mark
        ) from exc


def _is_new_key(loader: Any, mapping: LocatedMap, key: Any, key_node: yaml.Node) -> bool:
    """Whether ``key`` may be added to ``mapping``: plain text (else refused) and not yet in it.

    A duplicate is noted, not raised, so that the file's other problems are listed too; the first
    value is kept meanwhile.
    """
    if not isinstance(key, str | int | float | bool) and key is not None:
        raise yaml.constructor.ConstructorError(
            None, None, "mapping keys must be plain text", key_node.start_mark
        )
    if key not in mapping:
        return True
    mark = key_node.start_mark
    message = f'duplicate key "{key}" (first written on line {mapping.line_of(key)}); keep one of them'
    loader.duplicates.append((mark.line + 1, mark.column + 1, message))
    return False


def _construct_map(loader: Any, node: yaml.MappingNode) -> LocatedMap:
    loader.flatten_mapping(node)
    result = LocatedMap(node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = _construct_child(loader, key_node)
        if not _is_new_key(loader, result, key, key_node):
            continue
        result[key] = _construct_child(loader, value_node)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader: Any, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList(node.start_mark.line + 1)
    for item_node in node.value:
        result.append(_construct_child(loader, item_node))
        result.item_lines.append(item_node.start_mark.line + 1)
    return result


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)

_STR, _MAP, _SEQ, _INT = ("tag:yaml.org,2002:" + name for name in ("str", "map", "seq", "int"))
_Scalar, _Mapping, _Sequence = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
# Keys PyYAML's flatten_mapping rewrites (<<, =): left to the full constructor.
_SPECIAL_KEYS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")
_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}
_RESOLVED_MAX = 20_000  # short plain values repeat across files (keys, ids, numbers)


class _FullConstructorNeeded(Exception):
    """A document uses a feature only the full PyYAML constructor handles (merge keys)."""


# First characters of plain scalars that may be something other than text (true, 3, ~, 2024-...).
_NOT_TEXT_FIRST = frozenset(key for key in _BaseLoader.yaml_implicit_resolvers if key)
# The shortcuts below hold while the loader has no wildcard and no path resolvers.
_SHORTCUTS = None not in _BaseLoader.yaml_implicit_resolvers and not _BaseLoader.yaml_path_resolvers


class _FastLoader(_LocatingLoader):
    """The same loader, resolving tags with less work (the composer asks for every node): quoted,
    block and plain scalars that cannot be anything but text are text, repeated short scalars
    come from a memo."""

    if _SHORTCUTS:
        # PyYAML's composer calls these two around every node; without path resolvers they do
        # nothing, and a builtin given the same arguments does nothing faster than a method
        # call (a twentieth of parsing a clinic file).
        descend_resolver = slice  # (parent, index): an unused slice
        ascend_resolver = tuple  # (): the empty tuple

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if not _SHORTCUTS:
            return super().resolve(kind, value, implicit)
        if kind is _Scalar:
            if not implicit[0] or (value and value[0] not in _NOT_TEXT_FIRST):
                return _STR
            if len(value) > 40:
                return super().resolve(kind, value, implicit)
            key = (value, implicit)
            tag = _RESOLVED.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[key] = tag
            return tag
        if kind is _Mapping:
            return _MAP
        if kind is _Sequence:
            return _SEQ
        return super().resolve(kind, value, implicit)


def _build(loader: Any, node: yaml.Node, seen: set[int] | None) -> Any:
    """What ``_construct_child`` builds, walking the nodes directly: the common tags (text,
    mappings, lists) without PyYAML's generic bookkeeping, anything else by its constructor.

    ``seen`` tracks nodes to refuse aliases; None when the text has no anchor (&) to refer to.
    """
    if seen is not None:
        if id(node) in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (&, *) are not supported", node.start_mark
            )
        seen.add(id(node))
    kind = type(node)
    tag = node.tag
    if kind is _Scalar and tag == _STR:
        return node.value
    if kind is _Scalar and tag == _INT:
        value = node.value
        # A plain decimal (a dosage's numbers) is what PyYAML's constructor would make of it;
        # anything else (0x1F, 0o17, 1_000, -3, 012, 1:30), and a number too long for int()
        # to take, is left to that constructor, which reports it with its line.
        if len(value) <= 18 and value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
            return int(value)
    if kind is _Mapping and tag == _MAP:
        result = LocatedMap(node.start_mark.line + 1)
        lines = result.key_lines
        for key_node, value_node in node.value:
            # Text keys and values (nearly all nodes) are taken here, without a call each;
            # with an anchor in the text, every node goes through the alias check instead.
            if seen is None and type(key_node) is _Scalar and key_node.tag == _STR:
                key = key_node.value
                if key in result and not _is_new_key(loader, result, key, key_node):
                    continue
            else:
                if key_node.tag in _SPECIAL_KEYS:
                    raise _FullConstructorNeeded
                key = _build(loader, key_node, seen)
                if (type(key) is not str or key in result) and not _is_new_key(loader, result, key, key_node):
                    continue
            if seen is None and type(value_node) is _Scalar and value_node.tag == _STR:
                result[key] = value_node.value
            else:
                result[key] = _build(loader, value_node, seen)
            lines[key] = key_node.start_mark.line + 1
        return result
    if kind is _Sequence and tag == _SEQ:
        items = LocatedList(node.start_mark.line + 1)
        items.extend([_build(loader, item_node, seen) for item_node in node.value])
        items.item_lines = [item_node.start_mark.line + 1 for item_node in node.value]
        return items
    return _construct_child(loader, node)


def _load(text: str) -> tuple[Any, list[tuple[int, int, str]]]:
    """The tree of ``text`` and the duplicate keys noted while building it."""
    loader = _FastLoader(text)
    try:
        node = loader.get_single_node()
        # Without an anchor (&) in the text, an alias is already the composer's error.
        seen: set[int] | None = set() if "&" in text else None
        return (None if node is None else _build(loader, node, seen)), loader.duplicates
    except (_FullConstructorNeeded, RecursionError):
        full = _LocatingLoader(text)  # a SafeLoader subclass
        try:
            return full.get_single_data(), full.duplicates
        finally:
            full.dispose()
    finally:
        loader.dispose()


def parse_yaml(text: str, *, source: str) -> Any:
    """Parse YAML ``text`` safely; ``source`` names it in error messages."""
    try:
        tree, noted = _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        message = _plain_yaml_message(exc, text, mark)
        raise ValidationError([Problem(source, line, "", f"invalid YAML: {message}", column)]) from exc
    except (yaml.YAMLError, *_VALUE_ERRORS) as exc:
        raise ValidationError([Problem(source, None, "", f"invalid YAML: {exc}")]) from exc
    duplicates = [
        Problem(source, line, "", f"invalid YAML: {message}", column) for line, column, message in noted
    ]
    if duplicates and not isinstance(tree, LocatedMap):
        raise ValidationError(duplicates)  # no top mapping to carry them to the file's checks
    if duplicates:
        tree.yaml_problems = tuple(duplicates)
    return tree


def _plain_yaml_message(exc: yaml.MarkedYAMLError, text: str, mark: Any) -> str:
    """PyYAML's wording, led by the cause a person can act on: a tab, an unclosed quote, a tag."""
    message = exc.problem or str(exc)
    line_text = (
        text.splitlines()[mark.line] if mark is not None and mark.line < len(text.splitlines()) else ""
    )
    if "\t" in line_text[: len(line_text) - len(line_text.lstrip())] or "found character '\\t'" in message:
        return "a tab is used for indentation; YAML indents with spaces only"
    if "found unexpected end of stream" in message and exc.context and "quoted scalar" in exc.context:
        opened = exc.context_mark.line + 1 if exc.context_mark is not None else None
        where = f" opened on line {opened}" if opened else ""
        return f"a quote{where} is never closed; end the text with the same quote"
    if "could not determine a constructor" in message:
        tag = message.split("tag", 1)[-1].strip().strip("'").replace("tag:yaml.org,2002:", "!!")
        return f"the tag {tag} is not supported; rxstretch reads plain YAML only (no !! tags)"
    return message


def read_text_limited(path: Path, *, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file, refusing files over ``limit`` bytes or not valid UTF-8."""
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ValidationError([Problem(source, None, "", f"cannot read: {exc.strerror}")]) from exc
    if len(data) > limit:
        raise ValidationError([Problem(source, None, "", f"file is larger than {limit} bytes")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError([Problem(source, line, "", "file is not valid UTF-8")]) from exc


def yaml_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` files of ``folder`` sorted by name (none if it is missing).

    Sorted as text, not as Path objects: for a folder of thousands of files, the same order
    as sorting ``glob`` results at a fraction of the cost.
    """
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(".yaml"))
    except OSError:
        return []
    return [folder / name for name in names]


def load_yaml_file(path: Path) -> Any:
    """Read and safely parse one YAML file, with located containers."""
    return parse_yaml(read_text_limited(path), source=str(path))
