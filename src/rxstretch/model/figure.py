"""Exercise figures as plain data: a stick figure's pose, props and movement arrows.

Angles are absolute and counter-clockwise, 0° pointing the way the figure faces, 90° straight
up, -90° straight down. rxstretch.loaders.figures reads these from library/figures/<id>.yaml;
rxstretch.render.figures draws them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field

from rxstretch.model.frozen import frozen


@frozen
class Segment:
    """A body segment's direction in degrees and its drawn length as a factor (<1: foreshortened)."""

    angle: float
    length: float = 1.0


@frozen
class Arm:
    """Upper arm, forearm and hand (the hand follows the forearm unless given)."""

    upper: Segment
    fore: Segment
    hand: Segment | None = None
    # Drawn behind the body at full strength: a hand behind the head or the back, front view.
    behind: bool = False


@frozen
class Leg:
    """Thigh, shin and foot (the foot lies flat, pointing forward, unless given)."""

    thigh: Segment
    shin: Segment
    foot: Segment = Segment(0.0)


@frozen
class Pose:
    """Where the body is and how each segment points.

    ``hip`` fixes the hip joint in figure units (about a centimetre); when it is None the
    figure rests on the floor (or the mat) at horizontal position ``at``.
    """

    trunk: Segment
    neck: Segment
    head: Segment
    arms: Mapping[str, Arm]
    legs: Mapping[str, Leg]
    at: float = 0.0
    hip: tuple[float, float] | None = None
    # Bend of the spine in degrees: > 0 rounds the back (flexion), < 0 arches it (extension).
    curve: float = 0.0


# Named finger shapes: flexion in degrees at the knuckle (MCP), middle (PIP) and end (DIP) joints.
# The five tendon-glide positions, plus a relaxed curl and a grip around an object.
FINGER_SHAPES: Mapping[str, tuple[float, float, float]] = {
    "straight": (0, 0, 0),
    "hook": (0, 100, 80),
    "fist": (90, 100, 80),
    "tabletop": (90, 0, 0),
    "straight-fist": (80, 100, 0),
    "relaxed": (25, 35, 20),
    "grip": (50, 60, 40),
}
# Named thumb positions; ``to-<finger>`` brings the thumb tip to that fingertip (opposition).
THUMB_POSITIONS = ("beside", "out", "across", "to-index", "to-middle", "to-ring", "to-little")
FINGERS = ("index", "middle", "ring", "little")


@frozen
class Hand:
    """A hand and forearm in close-up (a figure with ``view: hand``).

    Angles, like a pose's, are absolute and counter-clockwise; the bends are flexion (toward the
    palm) in degrees, negative bending back. ``seen`` is ``side`` (from the thumb side: the
    fingers curl toward the palm, which faces the way the figure faces) or ``palm``.
    """

    seen: str = "side"
    at: tuple[float, float] = (0.0, 0.0)  # the wrist, in close-up units (about a millimetre)
    forearm: float = 90.0  # direction elbow -> wrist
    reach: float = 1.0  # how much of the forearm is shown, as a factor of the usual stub
    wrist: float = 0.0
    fingers: tuple[float, float, float] = (0.0, 0.0, 0.0)
    # Fingers bent unlike the others (palm view: one finger meeting the thumb).
    each: Mapping[str, tuple[float, float, float]] = field(default_factory=dict)
    thumb: str = "beside"
    spread: float = 0.0  # palm view: fingers fanned out, degrees between neighbours
    flip: bool = False  # mirrored about the forearm: the palm faces the other way


@frozen
class Point:
    """A position: absolute (``joint`` None) or an offset from a joint of the pose."""

    x: float
    y: float
    joint: str | None = None


@frozen
class Prop:
    """A thing drawn around the figure: its kind and the fields that kind takes."""

    kind: str
    at: Point | None = None
    start: Point | None = None
    end: Point | None = None
    x: float | None = None
    width: float | None = None
    size: tuple[float, float] | None = None
    facing: str = "right"
    side: str = "right"


@frozen
class Arrow:
    """A movement arrow: straight (start → end points) or curved (an arc around a point)."""

    kind: str
    start: Point | None = None
    end: Point | None = None
    around: Point | None = None
    radius: float = 0.0
    start_angle: float = 0.0
    end_angle: float = 0.0
    heads: str = "end"


@frozen
class Panel:
    """One picture: a pose (or, in a hand close-up, one or two hands) with its props and arrows."""

    pose: Pose | None
    props: tuple[Prop, ...] = ()
    arrows: tuple[Arrow, ...] = ()
    hands: tuple[Hand, ...] = ()  # view: hand; the first is the main hand, drawn on top


@frozen
class Figure:
    """An exercise figure: one panel, or one panel per step (``stepped``)."""

    id: str
    panels: tuple[Panel, ...]
    stepped: bool = False
    main: int = 0  # index of the panel shown when a single picture is wanted
    view: str = "side"
    facing: str = "right"
    near: str = "left"  # the side facing the viewer; the other is drawn lighter, behind
    floor: str = "line"
    source: str = "<figure>"
    panels_line: int | None = field(default=None, compare=False)

    @property
    def main_panel(self) -> Panel:
        """The panel that stands for the whole exercise."""
        return self.panels[self.main]


@frozen
class FigureColors:
    """Hex colours of a figure: the body, arrows and numbers, the floor, and props."""

    figure: str = "#1f4e79"
    accent: str = "#e07b24"
    floor: str = "#8c99a6"
    prop: str = "#b9c6d3"
