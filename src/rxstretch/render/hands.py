"""Place the joints of a hand close-up (``view: hand``): forearm, palm, four fingers and a thumb.

A close-up unit is about 1.5 mm of an adult hand (the palm is 53 long), so a hand fills a panel
about as a standing body does and arrows keep the same weight. Seen from the side (the thumb side), the
fingers overlap: the index finger is drawn at full strength and the others lighter behind it,
so a hook, a fist and a tabletop read by their outline. Seen from the palm, each finger bent
toward the viewer is foreshortened by the cosine of its bend. rxstretch.render.figures draws
the result like the limbs of a stick figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rxstretch.model.figure import FINGERS, Hand

XY = tuple[float, float]

FOREARM = (42.0, 24.0)  # the part shown: length, width
PALM = (53.0, 18.0)  # wrist to knuckles; thickness seen from the side
PALM_WIDTH = (37.0, 47.0)  # seen from the palm: at the wrist, at the knuckles
PHALANGES = {"index": (26, 16, 11), "middle": (29, 18, 13), "ring": (27, 17, 12), "little": (21, 12, 10)}
FINGER_WIDTH = 10.0
THUMB = {"side": (22.0, 17.0), "palm": (36.0, 30.0)}  # the segments seen; width below
THUMB_WIDTH = 11.0  # segment lengths, width
# Palm view: each knuckle across the palm (toward the thumb > 0) and along it; the natural fan.
KNUCKLES = {"index": (16.0, 0.0), "middle": (5.5, 2.5), "ring": (-5.5, 0.5), "little": (-16.0, -5.0)}
FAN = {"index": -4.0, "middle": 0.0, "ring": 4.0, "little": 9.0}
# Thumb directions from the hand's axis, toward the palm (side view) or the fingers (palm view).
THUMB_ANGLES = {
    "side": {"beside": (10.0, 2.0), "out": (40.0, 30.0), "across": (22.0, 85.0)},
    "palm": {"beside": (30.0, 14.0), "out": (62.0, 58.0), "across": (-30.0, -75.0)},
}
OPPOSITION = (45.0, 40.0, 15.0)  # the bends of a finger meeting the thumb, unless given


@dataclass
class HandLine:
    """One drawn piece: a polyline of the given width; ``tone`` far pieces are drawn lighter."""

    points: list[XY]
    width: float
    tone: str = "near"  # near | far | fill (a filled outline: the palm seen from the front)


@dataclass
class HandShape:
    """A placed hand: its pieces in drawing order and the named points props may attach to."""

    lines: list[HandLine] = field(default_factory=list)
    joints: dict[str, XY] = field(default_factory=dict)


def _along(start: XY, degrees: float, length: float) -> XY:
    radians = math.radians(degrees)
    return start[0] + math.cos(radians) * length, start[1] + math.sin(radians) * length


def _reach(base: XY, target: XY, lengths: tuple[float, float], bend_side: float) -> list[XY]:
    """A two-segment chain from ``base`` toward ``target`` (law of cosines), its middle joint
    on the ``bend_side`` (+1 counter-clockwise, -1 clockwise) of the straight line."""
    a, b = lengths
    dx, dy = target[0] - base[0], target[1] - base[1]
    distance = min(math.hypot(dx, dy), a + b - 1e-6)
    heading = math.degrees(math.atan2(dy, dx))
    cos_angle = (a * a + distance * distance - b * b) / (2 * a * distance) if distance else 1.0
    offset = math.degrees(math.acos(max(-1.0, min(1.0, cos_angle))))
    middle = _along(base, heading + bend_side * offset, a)
    end = _along(middle, math.degrees(math.atan2(target[1] - middle[1], target[0] - middle[0])), b)
    return [base, middle, end]


def place_hand(hand: Hand, prefix: str = "") -> HandShape:
    """The hand's pieces and points (named ``wrist``... or ``other.wrist``... with ``prefix``)."""
    # Flexion turns toward the palm: clockwise, unless the hand is mirrored.
    turn = 1.0 if hand.flip else -1.0
    shape = HandShape()
    wrist = hand.at
    elbow = _along(wrist, hand.forearm, -FOREARM[0] * hand.reach)
    heading = hand.forearm + turn * hand.wrist
    bends = {name: hand.each.get(name, hand.fingers) for name in FINGERS}
    target = hand.thumb[3:] if hand.thumb.startswith("to-") else None
    if target is not None and target not in hand.each:
        bends[target] = OPPOSITION
    if hand.seen == "side":
        tips, knuckles, palm = _side(shape, wrist, heading, turn, bends)
    else:
        tips, knuckles, palm = _palm(shape, wrist, heading, turn, bends, hand)
    # The forearm goes first, behind everything. Seen from the side the thumb goes under the
    # index finger, so that the finger's outline (the shape the exercise is about) stays whole.
    shape.lines.insert(0, HandLine([elbow, wrist], FOREARM[1] if hand.seen == "side" else 31.0))
    thumb = _thumb(wrist, heading, turn, hand, tips)
    shape.lines.insert(len(shape.lines) - (hand.seen == "side"), HandLine(thumb, THUMB_WIDTH))
    lead = "index" if hand.seen == "side" else "middle"
    named = {"wrist": wrist, "elbow": elbow, "palm": palm, "knuckles": knuckles, "fingertips": tips[lead]}
    named["thumb"] = thumb[-1]
    shape.joints = {f"{prefix}{name}": point for name, point in named.items()}
    return shape


def _finger(
    start: XY, heading: float, turn: float, lengths: tuple[int, ...], bends: tuple[float, ...]
) -> list[XY]:
    points, direction = [start], heading
    for length, bend in zip(lengths, bends, strict=True):
        direction += turn * bend
        points.append(_along(points[-1], direction, length))
    return points


def _side(
    shape: HandShape, wrist: XY, heading: float, turn: float, bends: dict[str, tuple[float, float, float]]
) -> tuple[dict[str, XY], XY, XY]:
    knuckles = _along(wrist, heading, PALM[0])
    tips: dict[str, XY] = {}
    # The other fingers behind the index, a little further along the knuckle arch.
    for name, shift in (("little", -4.0), ("ring", 0.6), ("middle", 2.0)):
        finger = _finger(_along(knuckles, heading, shift), heading, turn, PHALANGES[name], bends[name])
        shape.lines.append(HandLine(finger, FINGER_WIDTH, "far"))
        tips[name] = finger[-1]
    shape.lines.append(HandLine([wrist, knuckles], PALM[1]))
    finger = _finger(knuckles, heading, turn, PHALANGES["index"], bends["index"])
    shape.lines.append(HandLine(finger, FINGER_WIDTH))
    tips["index"] = finger[-1]
    palm = _along(_along(wrist, heading, PALM[0] / 2), heading + turn * 90, PALM[1] / 2)
    return tips, knuckles, palm


def _palm(
    shape: HandShape,
    wrist: XY,
    heading: float,
    turn: float,
    bends: dict[str, tuple[float, float, float]],
    hand: Hand,
) -> tuple[dict[str, XY], XY, XY]:
    # A wrist bent toward or away from the viewer shortens the palm.
    length = PALM[0] * max(0.2, math.cos(math.radians(hand.wrist)))
    thumb_side = heading + turn * 90
    knuckles = _along(wrist, heading, length)
    corners = [
        _along(wrist, thumb_side, PALM_WIDTH[0] / 2),
        _along(knuckles, thumb_side, PALM_WIDTH[1] / 2),
        _along(knuckles, thumb_side, -PALM_WIDTH[1] / 2),
        _along(wrist, thumb_side, -PALM_WIDTH[0] / 2),
    ]
    shape.lines.append(HandLine([*corners, corners[0]], 7.0, "fill"))
    tips: dict[str, XY] = {}
    for name in FINGERS:
        across, along = KNUCKLES[name]
        base = _along(_along(knuckles, thumb_side, across), heading, along - 4)
        direction = heading - turn * (FAN[name] + hand.spread * (FINGERS.index(name) - 1))
        points, total = [base], 0.0
        for phalanx, bend in zip(PHALANGES[name], bends[name], strict=True):
            total += bend  # a finger bent toward the viewer shows foreshortened
            points.append(_along(points[-1], direction, phalanx * math.cos(math.radians(total))))
        shape.lines.append(HandLine(points, FINGER_WIDTH))
        tips[name] = points[-1]
    return tips, knuckles, _along(wrist, heading, length / 2)


def _thumb(wrist: XY, heading: float, turn: float, hand: Hand, tips: dict[str, XY]) -> list[XY]:
    if hand.seen == "side":  # the thumb's base sits on the palm side, near the wrist
        base = _along(_along(wrist, heading, 16), heading + turn * 90, PALM[1] / 2 - 1)
    else:  # at the palm's lower corner on the thumb side
        base = _along(_along(wrist, heading, 7), heading + turn * 90, PALM_WIDTH[0] / 2 - 2.5)
    if hand.thumb.startswith("to-"):
        # The thumb's middle joint bows outward, away from the hand.
        return _reach(base, tips[hand.thumb[3:]], THUMB[hand.seen], turn)
    first, second = THUMB_ANGLES[hand.seen][hand.thumb]
    lengths = THUMB[hand.seen]
    middle = _along(base, heading + turn * first, lengths[0])
    return [base, middle, _along(middle, heading + turn * second, lengths[1])]
