"""Hand close-ups in figure files (``view: hand``): a panel's ``hand:`` and ``other:`` mappings.

A close-up shows a forearm, wrist, palm, fingers and thumb, large enough to tell the hand
shapes of tendon glides, grip, thumb opposition and wrist stretches apart at handout size::

    view: hand
    hand:
      seen: side            # side (from the thumb side, default) | palm
      at: [0, 0]            # the wrist, in close-up units (about a millimetre); default [0, 0]
      forearm: 90           # direction elbow -> wrist in degrees (90: upright, default), or
                            #   [direction, length factor] to show more (up to 3) or less of it
      wrist: 0              # bend toward the palm (flexion); negative bends back (extension)
      fingers: hook         # a named shape, or [knuckle, middle, end] joint bends in degrees
      index: [40, 30, 10]   # optional: one finger bent unlike the others (also middle, ring, little)
      thumb: beside         # beside | out | across | to-index | to-middle | to-ring | to-little
      spread: 0             # palm view: degrees between neighbouring fingers (0-30)
      flip: false           # mirror the hand about its forearm (the palm faces the other way)
    other: {...}            # optional second hand (the one that helps), drawn behind the first

Named finger shapes are rxstretch.model.figure.FINGER_SHAPES (straight, hook, fist, tabletop,
straight-fist, relaxed, grip). Props and arrows attach to ``wrist``, ``elbow``, ``palm``,
``knuckles``, ``fingertips`` and ``thumb`` of the first hand, ``other.wrist``... of the second.
"""

from __future__ import annotations

from typing import Any

from rxstretch.loaders.reader import Reader, join_path, line_in
from rxstretch.loaders.yamlio import LocatedList
from rxstretch.model.figure import FINGER_SHAPES, FINGERS, THUMB_POSITIONS, Hand

SEEN = ("side", "palm")
HAND_KEYS = ("seen", "at", "forearm", "wrist", "fingers", *FINGERS, "thumb", "spread", "flip")
HAND_POINTS = ("wrist", "elbow", "palm", "knuckles", "fingertips", "thumb")
HAND_JOINTS = (*HAND_POINTS, *(f"other.{name}" for name in HAND_POINTS))
# Bends a real joint reaches, with a little slack: beyond them the number is a typo.
WRIST_RANGE = (-90.0, 90.0)
FINGER_RANGES = ((-30.0, 100.0), (0.0, 120.0), (-20.0, 100.0))
SPREAD_RANGE = (0.0, 30.0)
REACH_RANGE = (0.3, 3.0)


def read_hand(reader: Reader, parent: Any, key: str, path: str) -> Hand | None:
    """Read the hand mapping at ``parent[key]``; None (with problems recorded) if it is wrong."""
    node = reader.section(parent, key, path, optional=HAND_KEYS)
    if node is None:
        return None
    here = join_path(path, key)
    problems = len(reader.problems)
    fields: dict[str, Any] = {}
    if "seen" in node:
        fields["seen"] = reader.choice(node, "seen", here, SEEN, what="hand view")
    if "thumb" in node:
        fields["thumb"] = reader.choice(node, "thumb", here, THUMB_POSITIONS, what="thumb position")
    if "at" in node:
        pair = numbers(reader, node, "at", here, 2)
        fields["at"] = (pair[0], pair[1]) if pair else None
    if "forearm" in node and isinstance(node["forearm"], LocatedList):
        pair = numbers(reader, node, "forearm", here, 2)
        if pair is not None and not REACH_RANGE[0] <= pair[1] <= REACH_RANGE[1]:
            reader.problem(
                node.line_of("forearm"),
                join_path(here, "forearm"),
                f"length factor must be {REACH_RANGE[0]:g} to {REACH_RANGE[1]:g}",
            )
        elif pair is not None:
            fields["forearm"], fields["reach"] = pair
    elif "forearm" in node:
        fields["forearm"] = number(reader, node, "forearm", here)
    if "wrist" in node:
        fields["wrist"] = _ranged(reader, node, "wrist", here, WRIST_RANGE)
    if "spread" in node:
        fields["spread"] = _ranged(reader, node, "spread", here, SPREAD_RANGE)
    if "flip" in node:
        fields["flip"] = reader.typed(node, "flip", here, bool)
    if "fingers" in node:
        fields["fingers"] = _fingers(reader, node, "fingers", here)
    each = {name: _fingers(reader, node, name, here) for name in FINGERS if name in node}
    if len(reader.problems) > problems:
        return None
    return Hand(**fields, each={name: bends for name, bends in each.items() if bends is not None})


def _fingers(reader: Reader, node: Any, key: str, path: str) -> tuple[float, float, float] | None:
    """A named shape or ``[knuckle, middle, end]`` bends, each within what a finger can do."""
    value = node[key]
    if isinstance(value, str):
        shape = reader.choice(node, key, path, FINGER_SHAPES, what="finger shape")
        return FINGER_SHAPES[shape] if shape is not None else None
    if not isinstance(value, LocatedList):
        reader.problem(
            line_in(node, key),
            join_path(path, key),
            f"must be a finger shape ({', '.join(FINGER_SHAPES)}) or [knuckle, middle, end] bends in degrees",
        )
        return None
    bends = numbers(reader, node, key, path, 3)
    if bends is None:
        return None
    for bend, (low, high), joint in zip(bends, FINGER_RANGES, ("knuckle", "middle", "end"), strict=True):
        if not low <= bend <= high:
            reader.problem(
                line_in(node, key), join_path(path, key), f"{joint} bend must be {low:g} to {high:g} degrees"
            )
            return None
    return (bends[0], bends[1], bends[2])


def number(reader: Reader, container: Any, key: str | int, path: str) -> float | None:
    value = container[key]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    reader.problem(line_in(container, key), join_path(path, key), f"must be a number, not {value!r}")
    return None


def _ranged(reader: Reader, node: Any, key: str, path: str, limits: tuple[float, float]) -> float | None:
    value = number(reader, node, key, path)
    if value is not None and not limits[0] <= value <= limits[1]:
        reader.problem(
            line_in(node, key), join_path(path, key), f"must be {limits[0]:g} to {limits[1]:g} degrees"
        )
        return None
    return value


def numbers(reader: Reader, container: Any, key: str, path: str, count: int) -> list[float] | None:
    value = container[key]
    if not isinstance(value, LocatedList) or len(value) != count:
        reader.problem(
            line_in(container, key), join_path(path, key), f"must be a list of {count} numbers, not {value!r}"
        )
        return None
    found = [number(reader, value, index, join_path(path, key)) for index in range(count)]
    return None if None in found else [n for n in found if n is not None]
