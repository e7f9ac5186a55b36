"""@frozen value classes behave as @dataclass(frozen=True) does, without compiling per class."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rxstretch.model.frozen import frozen


@frozen
class Dose:
    sets: int
    reps: int = 10
    note: str = field(default="", compare=False)
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferenceDose:  # what @frozen must match
    sets: int
    reps: int = 10
    note: str = field(default="", compare=False)
    tags: tuple[str, ...] = ()


@frozen
class Nothing:
    pass


@frozen
class Single:
    value: object


@frozen
class Hidden:
    shown: int
    secret: str = field(default="", repr=False)


values = st.integers(-3, 3)
texts = st.text(max_size=4)
tags = st.tuples(texts) | st.just(())


@given(values, values, texts, tags, values, values, texts, tags)
def test_equality_hash_and_repr_match_a_frozen_dataclass(
    sets: int,
    reps: int,
    note: str,
    tag: tuple[str, ...],
    sets2: int,
    reps2: int,
    note2: str,
    tag2: tuple[str, ...],
) -> None:
    ours, other = Dose(sets, reps, note, tag), Dose(sets2, reps2, note2, tag2)
    reference, reference_other = (
        ReferenceDose(sets, reps, note, tag),
        ReferenceDose(sets2, reps2, note2, tag2),
    )
    assert (ours == other) == (reference == reference_other)
    assert (ours != other) == (reference != reference_other)
    assert hash(ours) == hash(reference)  # both hash the tuple of compared fields
    assert repr(ours) == repr(reference).replace("ReferenceDose(", "Dose(")


def test_a_field_not_compared_is_ignored_by_equality_and_hash() -> None:
    assert Dose(3, note="slowly") == Dose(3, note="quickly")
    assert hash(Dose(3, note="slowly")) == hash(Dose(3, note="quickly"))
    assert len({Dose(3), Dose(3), Dose(4)}) == 2


def test_values_of_other_classes_are_never_equal() -> None:
    assert Dose(3, 10) != ReferenceDose(3, 10)
    assert Dose(3, 10) != (3, 10, ())
    assert Dose(3).__eq__(ReferenceDose(3)) is NotImplemented


def test_instances_are_frozen() -> None:
    dose = Dose(3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dose.sets = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del dose.reps  # type: ignore[misc]


def test_it_is_still_a_dataclass() -> None:
    dose = Dose(3, tags=("a",))
    assert [f.name for f in dataclasses.fields(dose)] == ["sets", "reps", "note", "tags"]
    assert dataclasses.replace(dose, reps=5) == Dose(3, 5, tags=("a",))
    assert dataclasses.asdict(dose) == {"sets": 3, "reps": 10, "note": "", "tags": ("a",)}
    with pytest.raises(TypeError):
        Dose()  # type: ignore[call-arg]


def test_classes_with_no_field_or_one_field() -> None:
    assert Nothing() == Nothing()
    assert hash(Nothing()) == hash(())
    assert repr(Nothing()) == "Nothing()"
    assert Single(1) == Single(1) != Single(2)
    assert Single((1, 2)) != Single((1,))
    assert hash(Single("x")) == hash(("x",))
    assert repr(Single("x")) == "Single(value='x')"


def test_repr_leaves_out_fields_marked_repr_false() -> None:
    assert repr(Hidden(1, "pin")) == "Hidden(shown=1)"


def test_subclasses_compare_their_own_fields() -> None:
    @frozen
    class Timed(Dose):
        seconds: int = 30

    assert Timed(3, seconds=30) == Timed(3, seconds=30) != Timed(3, seconds=45)
    assert Timed(3) != Dose(3)
    assert repr(Timed(3)).endswith(".<locals>.Timed(sets=3, reps=10, note='', tags=(), seconds=30)")


def _generated(cls: type[Any]) -> set[str]:
    """The methods dataclasses compiled for cls (their code comes from a string, not a file)."""
    return {
        name
        for name, value in vars(cls).items()
        if callable(value) and getattr(value, "__code__", None) and value.__code__.co_filename == "<string>"
    }


def test_equality_hash_and_repr_are_shared_not_compiled_per_class() -> None:
    assert _generated(ReferenceDose) >= {"__eq__", "__hash__", "__init__"}  # its repr is wrapped
    assert _generated(Dose) == {"__init__", "__setattr__", "__delattr__"}
    assert Dose.__eq__ is Single.__eq__


def test_methods_the_class_writes_itself_are_kept() -> None:
    @frozen
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Named) and self.name.lower() == other.name.lower()

    assert repr(Named("Hip")) == "<Hip>"
    assert Named("Hip") == Named("hip")
    assert hash(Named("x")) == hash(("x",))  # Python's None beside __eq__ is replaced, as dataclasses does

    @frozen
    class Keyed:
        key: int

        def __hash__(self) -> int:
            return 7

    assert hash(Keyed(1)) == 7


def test_hash_follows_field_hash_as_a_dataclass_does() -> None:
    @frozen
    class Tagged:
        name: str
        notes: list[str] = field(default_factory=list, hash=False)  # compared, not hashed
        weight: int = field(default=0, compare=False, hash=True)

    @dataclass(frozen=True)
    class ReferenceTagged:
        name: str
        notes: list[str] = field(default_factory=list, hash=False)
        weight: int = field(default=0, compare=False, hash=True)

    assert hash(Tagged("a", ["x"], 3)) == hash(ReferenceTagged("a", ["x"], 3)) == hash(("a", 3))
    assert Tagged("a", ["x"]) != Tagged("a", ["y"])
