"""`@frozen`: the immutable value classes of rxstretch, cheap to define.

A `@dataclass(frozen=True)` is a frozen dataclass with equality, hashing and repr. On Python 3.11
and 3.12 the decorator writes each of its six methods as source text and compiles it with its own
`exec`, so defining one costs about 0.6 ms; the 60-odd value classes a `generate` imports cost
about a seventh of a cold run. `@frozen` keeps `dataclasses` for what needs per-class code
(`__init__` and the frozen `__setattr__`/`__delattr__`) and gives equality, hashing and repr from
one shared implementation that reads the field names recorded at decoration, which compiles
nothing. The result is still a dataclass (`dataclasses.fields`, `replace` and `asdict` work) and
behaves as `@dataclass(frozen=True)` does: same `==`, same hash for equal values, same repr.
(Only its `__dataclass_params__` say eq=False and repr=False: dataclasses did not write them.)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:  # typing.dataclass_transform is 3.11+; at run time it only marks the decorator for checkers

    def dataclass_transform(**_options: object) -> Callable[[Any], Any]:
        return lambda decorator: decorator


_Class = TypeVar("_Class", bound=type)

# Per-class attributes set by @frozen: getters returning the values of the compared and of
# the hashed fields (tuples, as the generated methods build), and the names shown by repr.
_COMPARED = "_frozen_compared"
_HASHED = "_frozen_hashed"
_SHOWN = "_frozen_shown"


def _values(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    if len(names) == 1:  # attrgetter of one name returns the bare value, not a tuple
        only = attrgetter(names[0])
        return lambda value: (only(value),)
    if not names:
        return lambda _value: ()
    return attrgetter(*names)


def _eq(self: object, other: object) -> object:  # bool, or NotImplemented for other types
    if other.__class__ is not self.__class__:
        return NotImplemented
    compared: Callable[[object], tuple[Any, ...]] = getattr(self, _COMPARED)
    return compared(self) == compared(other)


def _hash(self: object) -> int:
    hashed: Callable[[object], tuple[Any, ...]] = getattr(self, _HASHED)
    return hash(hashed(self))


def _repr(self: object) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in getattr(self, _SHOWN))
    return f"{self.__class__.__qualname__}({shown})"


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def frozen(cls: _Class) -> _Class:
    """Make ``cls`` a frozen dataclass with value equality, hashing and repr."""
    dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)  # in place: no slots
    fields = dataclasses.fields(cls)
    setattr(cls, _COMPARED, staticmethod(_values(tuple(f.name for f in fields if f.compare))))
    # field(hash=...) decides, else compare does, as for a dataclass's generated __hash__.
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    setattr(cls, _HASHED, staticmethod(_values(hashed)))
    setattr(cls, _SHOWN, tuple(f.name for f in fields if f.repr))
    body = vars(cls)
    # As dataclasses does: methods the class writes itself are kept; a __hash__ of None is
    # only what Python sets beside a written __eq__, not a choice.
    for name, method in (("__eq__", _eq), ("__repr__", _repr)):
        if name not in body:
            setattr(cls, name, method)
    if "__hash__" not in body or (body["__hash__"] is None and "__eq__" in body):
        setattr(cls, "__hash__", _hash)  # noqa: B010 (mypy refuses assigning over a method)
    return cls
