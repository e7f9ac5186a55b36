"""Exercise figures as data: a stick figure's pose, props and movement arrows (library/figures/<id>.yaml).

A figure file describes one or more panels. Each panel holds a pose (the root position plus the
direction of every body segment in degrees), the props around it (pillow, chair, wall...) and
arrows that show the movement. Angles are absolute and counter-clockwise, 0° pointing the way
the figure faces, 90° straight up, -90° straight down, so a pose reads like a drawing. Segment
lengths come from fixed body proportions, which keeps every limb in proportion whatever the angles.

This module only reads and checks the data; rxstretch.render.figures draws it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from rxstretch.errors import Problem, ValidationError, did_you_mean
from rxstretch.loaders.hands import HAND_JOINTS, number, numbers, read_hand
from rxstretch.loaders.lazy import LazyIndex
from rxstretch.loaders.reader import Reader, join_path, line_in
from rxstretch.loaders.treecache import load_library_file
from rxstretch.loaders.yamlio import LocatedList, LocatedMap, yaml_files
from rxstretch.model.figure import Arm, Arrow, Figure, Leg, Panel, Point, Pose, Prop, Segment

FIGURES_DIR = "figures"
VIEWS = ("side", "front", "back", "hand")  # hand: a close-up of a forearm and hand (loaders.hands)
FACINGS = ("right", "left")
SIDES = ("left", "right")
FLOORS = ("line", "mat", "none")
HEADS = ("end", "both")

# Keys each prop kind takes: (required, optional).
PROP_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pillow": (("at",), ("size",)),
    "chair": (("at",), ("facing",)),
    "wall": (("x",), ("side",)),
    "doorway": (("x",), ("width",)),  # with width: the frame seen from the front
    "strap": (("from", "to"), ()),
    "towel": (("from", "to"), ()),
    "step": (("at",), ("size",)),
    "ball": (("at",), ("size",)),  # size: the diameter
    "mark": (("at",), ("size",)),  # a light disc drawn over a body part (the kneecap): [width, height]
    "mat": (("at", "size"), ()),  # an exercise mat seen from above: its middle, [length, width]
}
ARROW_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "straight": (("from", "to"), ("heads",)),
    "curved": (("around", "radius", "start", "end"), ("heads",)),
}
_LIMB_JOINTS = ("hip", "shoulder", "elbow", "wrist", "hand", "knee", "ankle", "toe")
# Points a prop or an arrow may be attached to, so it follows the pose.
JOINTS = ("hip", "shoulder", "neck", "head", *(f"{s}.{j}" for s in SIDES for j in _LIMB_JOINTS))

_POSE_KEYS = ("at", "hip", "trunk", "curve", "neck", "head", "arms", "legs")
_ARM_KEYS = (("upper", "fore"), ("hand", "behind"))
_LEG_KEYS = (("thigh", "shin"), ("foot",))
_PANEL_KEYS = (("pose",), ("props", "arrows"))
_HAND_PANEL_KEYS = (("hand",), ("other", "props", "arrows"))
_TOP_KEYS = (
    ("id",),
    ("view", "facing", "near", "floor", "props", "arrows", "pose", "hand", "other", "panels", "main"),
)
# A stretched segment beyond these factors is a typo, not foreshortening.
_LENGTH_FACTOR = (0.05, 1.5)
MAX_PANELS = 8


def read_figure(data: Any, reader: Reader, *, path: Path) -> Figure | None:
    """Build a Figure from parsed YAML, recording every problem in ``reader``."""
    doc = reader.mapping(data, "", line=1, required=_TOP_KEYS[0], optional=_TOP_KEYS[1])
    if doc is None:
        return None
    figure_id = reader.text(doc, "id", "")
    if figure_id is not None and figure_id != path.stem:
        reader.problem(doc.line_of("id"), "id", f'"{figure_id}" must match the file name "{path.stem}"')
    view = _option(reader, doc, "view", VIEWS, "side")
    facing, near, floor = (
        _option(reader, doc, key, choices, default)
        for key, choices, default in (
            ("facing", FACINGS, "right"),
            ("near", SIDES, "left"),
            # A close-up floats unless given a line (a table top at y = 0).
            ("floor", FLOORS, "none" if view == "hand" else "line"),
        )
    )
    joints = HAND_JOINTS if view == "hand" else JOINTS
    shared_props = _read_props(reader, doc, "", joints)
    shared_arrows = _read_arrows(reader, doc, "", joints)
    panels: list[Panel] = []
    stepped = "panels" in doc
    picture = "hand" if view == "hand" else "pose"
    if view != "hand" and ("hand" in doc or "other" in doc):
        key = "hand" if "hand" in doc else "other"
        reader.problem(doc.line_of(key), key, "a hand close-up needs view: hand")
    elif view == "hand" and "pose" in doc:
        reader.problem(doc.line_of("pose"), "pose", "a hand close-up (view: hand) takes hand:, not pose:")
    if stepped == (picture in doc):
        reader.problem(doc.line, picture, f"give either {picture} (one picture) or panels (one per step)")
    elif not stepped:
        panel = _read_panel(reader, doc, "", view)
        if panel is not None:
            panels.append(Panel(panel.pose, shared_props, shared_arrows, panel.hands))
    else:
        keys = _HAND_PANEL_KEYS if view == "hand" else _PANEL_KEYS
        for index, item, item_path in reader.items(doc, "panels", ""):
            node = reader.mapping(
                item, item_path, line=line_in(doc["panels"], index), required=keys[0], optional=keys[1]
            )
            panel = _read_panel(reader, node, item_path, view) if node is not None else None
            if node is not None and panel is not None:
                props = shared_props + _read_props(reader, node, item_path, joints)
                arrows = shared_arrows + _read_arrows(reader, node, item_path, joints)
                panels.append(Panel(panel.pose, props, arrows, panel.hands))
        count = len(doc["panels"]) if isinstance(doc["panels"], list) else 0
        if not 1 <= count <= MAX_PANELS and isinstance(doc["panels"], list):
            reader.problem(doc.line_of("panels"), "panels", f"needs 1 to {MAX_PANELS} panels")
    main = len(panels) - 1
    if "main" in doc:
        chosen = reader.integer(doc, "main", "", minimum=1, maximum=max(len(panels), 1))
        main = chosen - 1 if chosen is not None else main
    if reader.problems or figure_id is None or not panels:
        return None
    return Figure(
        id=figure_id,
        panels=tuple(panels),
        stepped=stepped,
        main=main,
        view=view,
        facing=facing,
        near=near,
        floor=floor,
        source=str(path),
        panels_line=doc.line_of("panels") if stepped else doc.line_of(picture),
    )


def panel_problem(figure: Figure, step_count: int, exercise: str) -> Problem | None:
    """Return a problem, located in the figure file, if its panels do not match the steps."""
    if not figure.stepped or len(figure.panels) == step_count:
        return None
    return Problem(
        figure.source,
        figure.panels_line,
        "panels",
        f"has {len(figure.panels)} panels but exercise {exercise} has {step_count} steps; "
        "give one panel per step",
    )


def _read_panel(reader: Reader, node: LocatedMap, path: str, view: str) -> Panel | None:
    """The picture of a panel, without its props and arrows: a pose, or the hands of a close-up."""
    if view != "hand":
        pose = _read_pose(reader, node, path)
        return Panel(pose) if pose is not None else None
    hand = read_hand(reader, node, "hand", path)
    other = read_hand(reader, node, "other", path) if "other" in node else None
    if hand is None or ("other" in node and other is None):
        return None
    return Panel(None, hands=(hand,) if other is None else (hand, other))


def _option(reader: Reader, doc: LocatedMap, key: str, choices: tuple[str, ...], default: str) -> str:
    if key not in doc:
        return default
    return reader.choice(doc, key, "", choices, what=key) or default


def _segment(reader: Reader, container: Any, key: str, path: str) -> Segment | None:
    """Read ``angle`` or ``[angle, length factor]``."""
    value = container[key]
    if isinstance(value, LocatedList):
        pair = numbers(reader, container, key, path, 2)
        if pair is None:
            return None
        low, high = _LENGTH_FACTOR
        if not low <= pair[1] <= high:
            reader.problem(
                line_in(container, key), join_path(path, key), f"length factor must be {low} to {high}"
            )
            return None
        return Segment(pair[0], pair[1])
    angle = number(reader, container, key, path)
    return Segment(angle) if angle is not None else None


def _point(reader: Reader, container: Any, key: str, path: str, joints: tuple[str, ...]) -> Point | None:
    """Read ``[x, y]``, ``joint`` or ``[joint, dx, dy]``."""
    value = container[key]
    here = join_path(path, key)
    if isinstance(value, str):
        return Point(0.0, 0.0, _joint(reader, container, key, path, value, joints))
    if isinstance(value, LocatedList) and len(value) == 3 and isinstance(value[0], str):
        joint = _joint(reader, value, 0, here, value[0], joints)
        offsets = [number(reader, value, index, here) for index in (1, 2)]
        if joint is None or None in offsets:
            return None
        return Point(offsets[0] or 0.0, offsets[1] or 0.0, joint)
    if isinstance(value, LocatedList) and len(value) == 2:
        pair = numbers(reader, container, key, path, 2)
        return Point(pair[0], pair[1]) if pair is not None else None
    reader.problem(line_in(container, key), here, "must be [x, y], a joint name or [joint, dx, dy]")
    return None


def _joint(
    reader: Reader, container: Any, key: str | int, path: str, name: str, joints: tuple[str, ...]
) -> str | None:
    if name in joints:
        return name
    reader.problem(
        line_in(container, key), join_path(path, key), f'unknown joint "{name}"{did_you_mean(name, joints)}'
    )
    return None


def _read_pose(reader: Reader, parent: Any, path: str) -> Pose | None:
    node = reader.section(parent, "pose", path, required=("trunk", "arms", "legs"), optional=_POSE_KEYS)
    if node is None:
        return None
    here = join_path(path, "pose")
    if "at" in node and "hip" in node:
        reader.problem(node.line_of("hip"), join_path(here, "hip"), "give at (resting on the floor) or hip")
    at = number(reader, node, "at", here) if "at" in node else 0.0
    hip = numbers(reader, node, "hip", here, 2) if "hip" in node else None
    trunk = _segment(reader, node, "trunk", here) if "trunk" in node else None
    curve = number(reader, node, "curve", here) if "curve" in node else 0.0
    if curve is not None and not -90 <= curve <= 90:
        reader.problem(node.line_of("curve"), join_path(here, "curve"), "must be between -90 and 90 degrees")
    neck = _segment(reader, node, "neck", here) if "neck" in node else trunk
    head = _segment(reader, node, "head", here) if "head" in node else neck
    arms = _read_limbs(reader, node, "arms", here, _ARM_KEYS)
    legs = _read_limbs(reader, node, "legs", here, _LEG_KEYS)
    if None in (trunk, neck, head, at, curve, arms, legs):
        return None
    assert trunk is not None and neck is not None and head is not None and arms is not None
    assert legs is not None and at is not None and curve is not None
    return Pose(
        trunk=trunk,
        neck=neck,
        head=head,
        arms={side: Arm(**parts) for side, parts in arms.items()},
        legs={side: Leg(**parts) for side, parts in legs.items()},
        at=at,
        hip=(hip[0], hip[1]) if hip is not None else None,
        curve=curve,
    )


def _read_limbs(
    reader: Reader, node: LocatedMap, key: str, path: str, keys: tuple[tuple[str, ...], tuple[str, ...]]
) -> dict[str, dict[str, Any]] | None:
    """Read ``{left: ..., right: ...}``; ``both`` gives the two sides the same segments."""
    limbs = reader.section(node, key, path, optional=(*SIDES, "both"))
    if limbs is None:
        return None
    here = join_path(path, key)
    found: dict[str, dict[str, Any]] = {}
    complete = True
    for side in (*SIDES, "both"):
        if side not in limbs:
            continue
        part = reader.section(limbs, side, here, required=keys[0], optional=keys[1])
        segments: dict[str, Any] = {
            name: reader.typed(part, name, join_path(here, side), bool)
            if name == "behind"
            else _segment(reader, part, name, join_path(here, side))
            for name in part or ()
        }
        if part is None or None in segments.values():
            complete = False
        found[side] = {name: seg for name, seg in segments.items() if seg is not None}
    both = found.pop("both", None)
    for side in SIDES:
        if side not in found and both is None:
            reader.problem(limbs.line, join_path(here, side), "is required (or give both)")
            complete = False
        elif side not in found and both is not None:
            found[side] = both
    return found if complete else None


def _items(reader: Reader, parent: Any, key: str, path: str) -> Iterator[tuple[str, LocatedMap, str]]:
    """Yield (kind, node, path) of each item with a valid ``kind`` in the list at ``key``."""
    if not isinstance(parent, Mapping) or key not in parent:
        return
    table = PROP_KEYS if key == "props" else ARROW_KEYS
    what = "prop" if key == "props" else "arrow"
    for index, item, item_path in reader.items(parent, key, path):
        node = reader.free_mapping(item, item_path, line=line_in(parent[key], index))
        if node is None:
            continue
        if "kind" not in node:
            reader.problem(node.line, join_path(item_path, "kind"), f"is required ({', '.join(table)})")
            continue
        kind = reader.choice(node, "kind", item_path, table, what=f"{what} kind")
        if kind is not None:
            required, optional = table[kind]
            if reader.mapping(
                node, item_path, line=node.line, required=("kind", *required), optional=optional
            ):
                yield kind, node, item_path


def _read_props(reader: Reader, parent: Any, path: str, joints: tuple[str, ...]) -> tuple[Prop, ...]:
    found: list[Prop] = []
    for kind, node, here in _items(reader, parent, "props", path):
        fields: dict[str, Any] = {"kind": kind}
        for key, name in (("at", "at"), ("from", "start"), ("to", "end")):
            if key in node:
                fields[name] = _point(reader, node, key, here, joints)
        for key in ("x", "width"):
            if key in node:
                fields[key] = number(reader, node, key, here)
        if "size" in node:
            size = numbers(reader, node, "size", here, 2)
            fields["size"] = (size[0], size[1]) if size else None
        if "facing" in node:
            fields["facing"] = reader.choice(node, "facing", here, (*FACINGS, "front"), what="facing")
        if "side" in node:
            fields["side"] = reader.choice(node, "side", here, FACINGS, what="side")
        if all(value is not None for value in fields.values()):
            found.append(Prop(**fields))
    return tuple(found)


def _read_arrows(reader: Reader, parent: Any, path: str, joints: tuple[str, ...]) -> tuple[Arrow, ...]:
    found: list[Arrow] = []
    for kind, node, here in _items(reader, parent, "arrows", path):
        fields: dict[str, Any] = {"kind": kind}
        if kind == "straight":
            fields["start"] = _point(reader, node, "from", here, joints)
            fields["end"] = _point(reader, node, "to", here, joints)
        else:
            fields["around"] = _point(reader, node, "around", here, joints)
            fields["radius"] = number(reader, node, "radius", here)
            fields["start_angle"] = number(reader, node, "start", here)
            fields["end_angle"] = number(reader, node, "end", here)
        if "heads" in node:
            fields["heads"] = reader.choice(node, "heads", here, HEADS, what="heads")
        if all(value is not None for value in fields.values()):
            found.append(Arrow(**fields))
    return tuple(found)


def load_figure_file(path: Path, problems: list[Problem]) -> Figure | None:
    """Read one figure file; append its problems to ``problems`` and return None if any."""
    try:
        data = load_library_file(path)
    except ValidationError as exc:
        problems.extend(exc.problems)
        return None
    reader = Reader(str(path))
    figure = read_figure(data, reader, path=path)
    problems.extend(reader.problems)
    return figure


class FigureIndex(LazyIndex[Figure]):
    """Figures by id across library folders (a later folder's file wins), read when first used."""

    def __init__(self, paths: Mapping[str, Path]) -> None:
        super().__init__(paths, load_figure_file)

    @classmethod
    def from_folders(cls, folders: Iterable[Path]) -> FigureIndex:
        """Index ``<folder>/figures/*.yaml`` of every library folder, in order."""
        return cls({p.stem: p for folder in folders for p in yaml_files(folder / FIGURES_DIR)})
