"""Typed access to located YAML data that records every problem instead of stopping at the first.

Loaders walk a document with a :class:`Reader`; each accessor returns a value of the expected
type or ``None`` after recording a :class:`~rxstretch.errors.Problem` with file, line and field.
At the end the loader raises one :class:`~rxstretch.errors.ValidationError` with all of them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from rxstretch.errors import Problem, ValidationError, did_you_mean
from rxstretch.loaders.yamlio import LocatedList, LocatedMap

HEX_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

# A tuple made once: ``dict | Mapping`` in a hot function builds a union on every call.
_MAPPINGS = (dict, Mapping)

_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    LocatedMap: "a mapping (key: value)",
    LocatedList: "a list",
}


def join_path(path: str, key: str | int) -> str:
    """Join a field path and a key or index: ``a.b`` + ``c`` or ``a.b`` + ``2`` → ``a.b[2]``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def line_in(container: Any, key: str | int) -> int | None:
    """Return the line of ``key`` inside a located container, if known."""
    if isinstance(container, LocatedMap):
        return container.line_of(key)
    if isinstance(container, LocatedList) and isinstance(key, int):
        return container.line_of(key)
    return getattr(container, "line", None)


class Reader:
    """Collects problems for one source file while its data is read."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, line: int | None, field: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.source, line, field, message))

    def raise_if_problems(self) -> None:
        """Raise a ValidationError carrying every recorded problem, if any."""
        if self.problems:
            raise ValidationError(self.problems)

    def free_mapping(self, value: Any, path: str, *, line: int | None) -> LocatedMap | None:
        """Check that ``value`` is a mapping whose keys are data (ids, languages), not fields."""
        if not isinstance(value, LocatedMap):
            self.problem(line, path or "(document)", f"must be {_TYPE_NAMES[LocatedMap]}")
            return None
        if not path:  # a document's top: keys written twice anywhere in the file (yamlio)
            self.problems.extend(value.yaml_problems)
        return value

    def section(
        self,
        parent: Any,
        key: str,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> LocatedMap | None:
        """Return the mapping at ``parent[key]``, checked like :meth:`mapping`.

        An absent key gives None without a problem of its own: when the key is required,
        the parent's check has already said so.
        """
        if not isinstance(parent, Mapping) or key not in parent:
            return None
        return self.mapping(
            parent[key], join_path(path, key), line=line_in(parent, key), required=required, optional=optional
        )

    def mapping(
        self,
        value: Any,
        path: str,
        *,
        line: int | None,
        required: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> LocatedMap | None:
        """Check that ``value`` is a mapping holding only known keys and all required ones."""
        mapping = self.free_mapping(value, path, line=line)
        if mapping is None:
            return None
        allowed = {*required, *optional}
        for key in mapping:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                self.problem(mapping.line_of(key), join_path(path, str(key)), f"unknown key{hint}")
        for key in required:
            if key not in mapping:
                self.problem(mapping.line, join_path(path, key), "is required")
        return mapping

    def typed(self, container: Any, key: str | int, path: str, kind: type) -> Any:
        """Return ``container[key]`` if present and of type ``kind``; record a problem if not."""
        try:
            value = container[key]
        except (KeyError, IndexError):
            return None
        # bool is an int in Python, but "sets: true" is a mistake worth naming.
        wrong_bool = kind is int and isinstance(value, bool)
        if not isinstance(value, kind) or wrong_bool:
            shown = "nothing" if value is None else repr(value)
            hint = ""
            if kind is str and isinstance(value, LocatedMap):
                hint = ' (text containing ": " must be quoted or written as a >- block)'
            self.problem(
                line_in(container, key),
                join_path(path, key),
                f"must be {_TYPE_NAMES[kind]}, not {shown}{hint}",
            )
            return None
        return value

    def text(self, container: Any, key: str | int, path: str) -> str | None:
        """Return non-empty text at ``key`` (numbers are accepted and turned into text)."""
        # dict first: a plain type check, where Mapping goes through the ABC machinery
        value = container.get(key) if isinstance(container, _MAPPINGS) else None
        if type(value) is str and (stripped := value.strip()):
            return stripped  # the common case, first: a validated library reads thousands of these
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        text: str | None = self.typed(container, key, path, str)
        if text is not None and not text.strip():
            self.problem(line_in(container, key), join_path(path, key), "must not be empty")
            return None
        return text.strip() if text is not None else None

    def integer(
        self,
        container: Any,
        key: str | int,
        path: str,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int | None:
        """Return an integer at ``key``, within ``minimum`` and ``maximum`` when given."""
        number: int | None = self.typed(container, key, path, int)
        if number is None:
            return None
        if minimum is not None and number < minimum:
            self.problem(line_in(container, key), join_path(path, key), f"must be at least {minimum}")
            return None
        if maximum is not None and number > maximum:
            self.problem(line_in(container, key), join_path(path, key), f"must be at most {maximum}")
            return None
        return number

    def items(self, container: Any, key: str, path: str) -> Iterator[tuple[int, Any, str]]:
        """Yield (index, item, path) for each item of the list at ``key`` (which must be a list)."""
        values = self.typed(container, key, path, LocatedList)
        here = join_path(path, key)
        for index, item in enumerate(values or ()):
            yield index, item, f"{here}[{index}]"

    def mapping_items(
        self,
        container: Any,
        key: str,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> Iterator[tuple[str, LocatedMap]]:
        """Yield (path, item) for each item of the list at ``key`` that is a valid mapping."""
        for index, item, item_path in self.items(container, key, path):
            node = self.mapping(
                item, item_path, line=line_in(container[key], index), required=required, optional=optional
            )
            if node is not None:
                yield item_path, node

    def texts(self, container: Any, key: str, path: str) -> tuple[str, ...]:
        """Return the texts of the list at ``key``, each checked like :meth:`text`."""
        here = join_path(path, key)
        found: list[str] = []
        for index, item, _ in self.items(container, key, path):
            if type(item) is str and (stripped := item.strip()):
                found.append(stripped)  # what text() returns for it, without the call
            elif (text := self.text(container[key], index, here)) is not None:
                found.append(text)
        return tuple(found)

    def choice(
        self, container: Any, key: str | int, path: str, choices: Collection[str], *, what: str
    ) -> str | None:
        """Return text at ``key`` that must be one of ``choices`` (an id from a vocabulary)."""
        value: str | None = self.typed(container, key, path, str)
        if value is None:
            return None
        if value not in choices:
            hint = did_you_mean(value, choices)
            self.problem(line_in(container, key), join_path(path, key), f'unknown {what} "{value}"{hint}')
            return None
        return value

    def choices(
        self, container: Any, key: str, path: str, choices: Collection[str], *, what: str
    ) -> tuple[str, ...]:
        """Return the list of ids at ``key``, each checked against ``choices``."""
        found: list[str] = []
        values = container.get(key) if isinstance(container, Mapping) else None
        for index, _item, _ in self.items(container, key, path):
            value = self.choice(values, index, join_path(path, key), choices, what=what)
            if value is not None:
                if value in found:
                    self.problem(
                        line_in(values, index),
                        join_path(join_path(path, key), index),
                        f'"{value}" is listed twice',
                    )
                found.append(value)
        return tuple(found)

    def language_keys(self, node: LocatedMap, path: str) -> Iterator[str]:
        """Yield the keys of ``node`` that are language codes; record a problem for the others."""
        for language in node:
            if isinstance(language, str) and LANGUAGE_PATTERN.match(language):
                yield language
            else:
                self.problem(
                    node.line_of(language),
                    join_path(path, str(language)),
                    "language must be a code such as en, fr or pt-BR",
                )

    def names(self, node: Any, path: str, line: int | None) -> dict[str, str]:
        """Read ``{en: ..., fr: ...}``: a text per language code."""
        names = self.free_mapping(node, path, line=line)
        if names is None:
            return {}
        found = {language: self.text(names, language, path) for language in self.language_keys(names, path)}
        return {language: name for language, name in found.items() if name is not None}

    def colors(
        self,
        parent: Any,
        key: str,
        path: str,
        *,
        required: Collection[str] = (),
        optional: Collection[str] = (),
    ) -> dict[str, str]:
        """Read a mapping of named colours, each ``#RRGGBB`` or ``#RGB``, normalized to ``#RRGGBB``."""
        node = self.section(parent, key, path, required=required, optional=optional)
        if node is None:
            return {}
        here = join_path(path, key)
        found: dict[str, str] = {}
        for name in (*required, *optional):
            if name in node and node[name] is None:
                # "primary: #1F5E8C" unquoted: YAML reads everything from # on as a comment.
                self.problem(
                    node.line_of(name),
                    join_path(here, name),
                    'has no value; YAML reads # as the start of a comment: quote the colour, e.g. "#1F5E8C"',
                )
                continue
            value = self.text(node, name, here) if name in node else None
            if value is None:
                continue
            if not HEX_COLOR.match(value):
                self.problem(
                    node.line_of(name),
                    join_path(here, name),
                    f'"{value}" is not a colour; write it as #RRGGBB or #RGB, e.g. #1F5E8C',
                )
                continue
            digits = value[1:] if len(value) == 7 else "".join(d * 2 for d in value[1:])
            found[name] = f"#{digits.upper()}"
        return found
