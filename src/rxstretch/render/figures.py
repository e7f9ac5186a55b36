"""Draw exercise figures (rxstretch.loaders.figures) with ReportLab graphics: vector, small, brand-coloured.

The figure is built in world units (about a centimetre; the floor is y = 0) and scaled into the
space the caller gives. Each limb is a thick line with round caps; every body chain gets a thin
white halo first, so a near arm crossing the trunk stays readable, and the far limbs are lighter.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import (
    Circle,
    Drawing,
    Ellipse,
    Group,
    Line,
    Polygon,
    PolyLine,
    Rect,
    Shape,
    String,
)
from reportlab.lib.colors import Color, HexColor, white
from reportlab.pdfgen.canvas import Canvas

from rxstretch.errors import RxStretchError
from rxstretch.model.figure import Arrow, Figure, FigureColors, Panel, Point, Pose, Prop, Segment
from rxstretch.model.frozen import frozen
from rxstretch.render.hands import HandShape, place_hand

XY = tuple[float, float]

# Body proportions in world units (an adult of about 175).
LENGTH = {"trunk": 52, "neck": 9, "upper": 29, "fore": 25, "hand": 8, "thigh": 44, "shin": 42, "foot": 15}
WIDTH = {"trunk": 16, "neck": 7, "upper": 7.5, "fore": 6.5, "hand": 6, "thigh": 11, "shin": 8.5, "foot": 5.5}
FRONT_TRUNK_WIDTH = 26
HEAD_RADIUS = 10.5
# Front view: where the limbs attach either side of the midline.
HIP_HALF_WIDTH = 8
SHOULDER_HALF_WIDTH = 16
MAT_THICKNESS = 3
HALO = 2.4
FORMATS = ("png", "svg", "pdf")
# Panels go on more rows only when that draws them at least this much larger.
GRID_GAIN = 1.25


class FigureError(RxStretchError):
    """Raised when a figure cannot be drawn or exported (unknown format, missing PNG backend)."""


def _direction(degrees: float) -> XY:
    radians = math.radians(degrees)
    return math.cos(radians), math.sin(radians)


def _along(start: XY, degrees: float, length: float) -> XY:
    dx, dy = _direction(degrees)
    return start[0] + dx * length, start[1] + dy * length


def _mix(color: str, amount: float) -> Color:
    """``color`` blended toward white by ``amount`` (0: unchanged, 1: white)."""
    base = HexColor(color)
    return Color(*(c + (1 - c) * amount for c in (base.red, base.green, base.blue)))


@dataclass
class _Bone:
    start: XY
    end: XY
    width: float
    bend: float = 0.0  # degrees between the end tangents (a curved spine)

    def points(self) -> list[XY]:
        """The bone as a polyline: its two ends, or a quadratic curve when bent."""
        if not self.bend:
            return [self.start, self.end]
        (x0, y0), (x1, y1) = self.start, self.end
        length = math.hypot(x1 - x0, y1 - y0)
        # The control point's offset makes the end tangents meet at ``bend`` degrees.
        offset = length / 2 * math.tan(math.radians(self.bend) / 2)
        heading = math.degrees(math.atan2(y1 - y0, x1 - x0))
        cx, cy = _along(((x0 + x1) / 2, (y0 + y1) / 2), heading + 90, offset)
        return [
            (
                (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1,
                (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1,
            )
            for t in (i / 12 for i in range(13))
        ]


@dataclass
class Skeleton:
    """Joint positions of a pose and the bones between them, grouped in chains to draw in order."""

    joints: dict[str, XY]
    chains: dict[str, list[_Bone]]  # "far.left.leg", "back.right.arm", "body"... in drawing order
    head: XY
    face: float  # direction the face looks, degrees

    def lowest(self) -> float:
        """The lowest point of the body, counting limb thickness."""
        bones = [b for chain in self.chains.values() for b in chain]
        low = min(y - b.width / 2 for b in bones for _, y in b.points())
        return min(low, self.head[1] - HEAD_RADIUS)


def skeleton(pose: Pose, *, view: str = "side", near: str = "left", floor: str = "line") -> Skeleton:
    """Place every joint of ``pose``; a pose without ``hip`` rests on the floor (or mat)."""
    joints: dict[str, XY] = {"hip": (0.0, 0.0)}
    chains: dict[str, list[_Bone]] = {}

    def bone(chain: str, start: str, end: str, part: str, segment: Segment, *, width: float = 0) -> None:
        joints[end] = _along(joints[start], segment.angle, LENGTH[part] * segment.length)
        chains.setdefault(chain, []).append(_Bone(joints[start], joints[end], width or WIDTH[part]))

    front = view in ("front", "back")  # a back view is a front view drawn mirrored
    bone("body", "hip", "shoulder", "trunk", pose.trunk, width=FRONT_TRUNK_WIDTH if front else 0)
    chains["body"][0].bend = pose.curve
    bone("body", "shoulder", "neck", "neck", pose.neck)
    head = _along(joints["neck"], pose.head.angle, HEAD_RADIUS * 0.8)
    joints["head"] = head
    far = "right" if near == "left" else "left"
    # Front view: both sides full strength, the near one drawn on top (a hand holding an arm).
    order = (far, near)
    for side in order:
        layer = "far" if side == far and not front else "near"
        # Front view: the figure faces us, so its right side is on the image's left.
        sign = 1 if side == "right" else -1
        hip_offset = HIP_HALF_WIDTH * sign if front else 0
        shoulder_offset = SHOULDER_HALF_WIDTH * sign if front else 0
        joints[f"{side}.hip"] = _along(joints["hip"], pose.trunk.angle + 90, hip_offset)
        joints[f"{side}.shoulder"] = _along(joints["shoulder"], pose.trunk.angle + 90, shoulder_offset)
        leg, arm = pose.legs[side], pose.arms[side]
        chain = f"{layer}.{side}.leg"
        bone(chain, f"{side}.hip", f"{side}.knee", "thigh", leg.thigh)
        bone(chain, f"{side}.knee", f"{side}.ankle", "shin", leg.shin)
        heel = _along(joints[f"{side}.ankle"], leg.foot.angle, -3)
        joints[f"{side}.heel"] = heel
        bone(chain, f"{side}.ankle", f"{side}.toe", "foot", leg.foot)
        chains[chain][-1].start = heel
        chain = f"{'back' if arm.behind else layer}.{side}.arm"
        bone(chain, f"{side}.shoulder", f"{side}.elbow", "upper", arm.upper)
        bone(chain, f"{side}.elbow", f"{side}.wrist", "fore", arm.fore)
        bone(chain, f"{side}.wrist", f"{side}.hand", "hand", arm.hand or Segment(arm.fore.angle))
    ordered = {name: chains[name] for name in sorted(chains, key=_chain_rank)}
    result = Skeleton(joints, ordered, head, pose.head.angle - 90)
    if pose.hip is not None:
        dx, dy = pose.hip
    else:
        dx, dy = pose.at, (MAT_THICKNESS if floor == "mat" else 0) - result.lowest()
    return _moved(result, dx, dy)


def _chain_rank(name: str) -> tuple[int, str]:
    # Far limbs behind the body, near legs before near arms (arms hold legs, not the reverse).
    rank = {"far": 0, "back": 0, "body": 1}.get(name.split(".")[0], 2)
    return (rank, "0" if name.endswith("leg") else "1")


def _moved(s: Skeleton, dx: float, dy: float) -> Skeleton:
    def move(p: XY) -> XY:
        return p[0] + dx, p[1] + dy

    return Skeleton(
        {name: move(p) for name, p in s.joints.items()},
        {
            name: [_Bone(move(b.start), move(b.end), b.width, b.bend) for b in bones]
            for name, bones in s.chains.items()
        },
        move(s.head),
        s.face,
    )


@dataclass
class _Scene:
    """World-unit shapes of one panel and their extent."""

    group: Group = field(default_factory=Group)
    box: list[float] = field(default_factory=lambda: [math.inf, math.inf, -math.inf, -math.inf])

    def grow(self, points: Iterable[XY], pad: float = 0) -> None:
        for x, y in points:
            self.box = [
                min(self.box[0], x - pad),
                min(self.box[1], y - pad),
                max(self.box[2], x + pad),
                max(self.box[3], y + pad),
            ]

    def add(self, shape: Shape, points: Iterable[XY], pad: float = 0) -> None:
        self.group.add(shape)
        self.grow(points, pad)


def _rect(
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fillColor: Color | None = None,
    strokeColor: Color | None = None,
    strokeWidth: float = 1,
    rx: float = 0,
    ry: float = 0,
) -> Rect:
    rect = Rect(x, y, width, height, rx=rx, ry=ry)
    rect.fillColor, rect.strokeColor, rect.strokeWidth = fillColor, strokeColor, strokeWidth
    return rect


def _line(a: XY, b: XY, color: Color, width: float) -> Line:
    return Line(a[0], a[1], b[0], b[1], strokeColor=color, strokeWidth=width, strokeLineCap=1)


def _bone_shape(bone: _Bone, color: Color, width: float) -> Shape:
    if not bone.bend:
        return _line(bone.start, bone.end, color, width)
    flat = [c for p in bone.points() for c in p]
    return PolyLine(flat, strokeColor=color, strokeWidth=width, strokeLineCap=1, strokeLineJoin=1)


def _resolve(point: Point, joints: dict[str, XY]) -> XY:
    base = joints[point.joint] if point.joint else (0.0, 0.0)
    return base[0] + point.x, base[1] + point.y


# Props drawn over the figure: bands held by the hands, and a mark on a body part (the kneecap).
_IN_FRONT = ("strap", "towel", "mark")


def _scene(figure: Figure, panel: Panel, colors: FigureColors) -> _Scene:
    if panel.pose is None:
        return _hand_scene(panel, colors)
    scene = _Scene()
    bones = skeleton(panel.pose, view=figure.view, near=figure.near, floor=figure.floor)
    behind = [p for p in panel.props if p.kind not in _IN_FRONT]
    for prop in behind:
        _draw_prop(scene, prop, bones.joints, colors)
    body = HexColor(colors.figure)
    for name, chain in bones.chains.items():
        color = _mix(colors.figure, 0.5) if name.startswith("far") else body
        for bone in chain:
            scene.add(_bone_shape(bone, white, bone.width + 2 * HALO), bone.points())
        if name == "body":
            scene.add(Circle(*bones.head, HEAD_RADIUS + HALO, fillColor=white, strokeColor=None), ())
        for index, bone in enumerate(chain):
            if name == "body" and index == 1 and figure.view != "side":
                # Seen from the front the trunk's wide round top would swallow a head bent to
                # one side: a white ring parts them, and the neck, drawn next, joins them again.
                ring = Circle(*bones.head, HEAD_RADIUS + HALO, fillColor=white, strokeColor=None)
                scene.add(ring, ())
            scene.add(_bone_shape(bone, color, bone.width), bone.points(), bone.width / 2)
        if name == "body":
            _draw_head(scene, bones, body, figure.view)
    for prop in panel.props:
        if prop.kind in _IN_FRONT:
            _draw_prop(scene, prop, bones.joints, colors)
    for arrow in panel.arrows:
        _draw_arrow(scene, arrow, bones.joints, HexColor(colors.accent))
    return scene


def _hand_scene(panel: Panel, colors: FigureColors) -> _Scene:
    """A close-up: the helping hand (lighter) behind the main one, props, then arrows."""
    scene = _Scene()
    shapes = [place_hand(hand, "other." if index else "") for index, hand in enumerate(panel.hands)]
    joints = {name: point for shape in shapes for name, point in shape.joints.items()}
    for prop in panel.props:
        if prop.kind not in _IN_FRONT:
            _draw_prop(scene, prop, joints, colors)
    for index, shape in reversed(list(enumerate(shapes))):
        _draw_hand(scene, shape, colors, helper=index > 0)
    for prop in panel.props:
        if prop.kind in _IN_FRONT:
            _draw_prop(scene, prop, joints, colors)
    for arrow in panel.arrows:
        _draw_arrow(scene, arrow, joints, HexColor(colors.accent))
    return scene


def _draw_hand(scene: _Scene, shape: HandShape, colors: FigureColors, *, helper: bool) -> None:
    """Each piece on a white halo, so a finger in front of another stays separate."""
    near = _mix(colors.figure, 0.3) if helper else HexColor(colors.figure)
    far = _mix(colors.figure, 0.6 if helper else 0.45)
    for line in shape.lines:
        flat = [c for p in line.points for c in p]
        color = far if line.tone == "far" else near
        halo = line.width + 2 * HALO
        if line.tone == "fill":
            scene.add(
                Polygon(flat, fillColor=white, strokeColor=white, strokeWidth=halo, strokeLineJoin=1), ()
            )
            polygon = Polygon(
                flat, fillColor=color, strokeColor=color, strokeWidth=line.width, strokeLineJoin=1
            )
            scene.add(polygon, line.points, line.width / 2)
            continue
        scene.add(PolyLine(flat, strokeColor=white, strokeWidth=halo, strokeLineCap=1, strokeLineJoin=1), ())
        shape_ = PolyLine(flat, strokeColor=color, strokeWidth=line.width, strokeLineCap=1, strokeLineJoin=1)
        scene.add(shape_, line.points, line.width / 2)


def _draw_head(scene: _Scene, bones: Skeleton, color: Color, view: str) -> None:
    scene.add(Circle(*bones.head, HEAD_RADIUS, fillColor=color, strokeColor=None), [bones.head], HEAD_RADIUS)
    if view == "side":  # a small nose shows which way the face looks
        nose = _along(bones.head, bones.face, HEAD_RADIUS)
        scene.add(Circle(*nose, 2.6, fillColor=color, strokeColor=None), [nose], 2.6)


def _draw_prop(scene: _Scene, prop: Prop, joints: dict[str, XY], colors: FigureColors) -> None:
    fill, edge = HexColor(colors.prop), _mix(colors.floor, 0.0)
    at = _resolve(prop.at, joints) if prop.at else (0.0, 0.0)
    if prop.kind == "pillow":
        w, h = prop.size or (30.0, 9.0)
        rect = _rect(at[0] - w / 2, at[1] - h / 2, w, h, rx=h / 2, ry=h / 2, fillColor=fill, strokeColor=None)
        scene.add(rect, [(at[0] - w / 2, at[1] - h / 2), (at[0] + w / 2, at[1] + h / 2)])
    elif prop.kind == "mat":  # seen from above, under a figure drawn from the ceiling
        w, h = prop.size or (200.0, 70.0)
        mat = _rect(at[0] - w / 2, at[1] - h / 2, w, h, rx=4, ry=4, fillColor=_mix(colors.floor, 0.55))
        scene.add(mat, [(at[0] - w / 2, at[1] - h / 2), (at[0] + w / 2, at[1] + h / 2)])
    elif prop.kind == "ball":
        diameter = (prop.size or (36.0, 36.0))[0]
        scene.add(
            Circle(*at, diameter / 2, fillColor=fill, strokeColor=edge, strokeWidth=1.2), [at], diameter / 2
        )
    elif prop.kind == "mark":  # a light disc with a white rim, so it reads on a dark limb
        w, h = prop.size or (14.0, 14.0)
        box = [(at[0] - w / 2, at[1] - h / 2), (at[0] + w / 2, at[1] + h / 2)]
        disc = Ellipse(*at, w / 2, h / 2, fillColor=fill, strokeColor=white, strokeWidth=HALO)
        scene.add(disc, box)
    elif prop.kind == "step":
        w, h = prop.size or (40.0, 18.0)
        rect = _rect(at[0] - w / 2, at[1], w, h, fillColor=fill, strokeColor=edge, strokeWidth=1)
        scene.add(rect, [(at[0] - w / 2, at[1]), (at[0] + w / 2, at[1] + h)])
    elif prop.kind == "chair":
        _draw_chair(scene, at, prop.facing, fill)
    elif prop.kind in ("wall", "doorway"):
        x = prop.x or 0.0
        if prop.kind == "wall":
            thick, top = 6.0, 195.0
            left = x if prop.side == "right" else x - thick
        else:
            thick, top = 12.0, 205.0
            left = x - thick / 2
        scene.add(
            _rect(left, 0, thick, top, fillColor=fill, strokeColor=None), [(left, 0), (left + thick, top)]
        )
        if prop.kind == "doorway" and prop.width:  # seen from the front: two jambs and a lintel
            _draw_doorway_front(scene, x, prop.width, fill)
            return
        if prop.kind == "doorway":  # the lintel above the opening, seen end-on
            scene.add(_rect(left - 2, top, thick + 4, 8, fillColor=edge, strokeColor=None), [(left, top + 8)])
    else:  # strap, towel: a band from the hands to the foot
        assert prop.start is not None and prop.end is not None
        a, b = _resolve(prop.start, joints), _resolve(prop.end, joints)
        width = 2.2 if prop.kind == "strap" else 4.5
        scene.add(_line(a, b, HexColor(colors.accent) if prop.kind == "strap" else edge, width), [a, b])


def _draw_doorway_front(scene: _Scene, x: float, width: float, fill: Color) -> None:
    jamb, top = 10.0, 205.0
    for left in (x - width / 2 - jamb, x + width / 2):
        scene.add(_rect(left, 0, jamb, top, fillColor=fill), [(left, 0), (left + jamb, top)])
    lintel = _rect(x - width / 2 - jamb, top, width + 2 * jamb, jamb, fillColor=fill)
    scene.add(lintel, [(x - width / 2 - jamb, top + jamb)])


def _draw_chair(scene: _Scene, seat: XY, facing: str, fill: Color) -> None:
    x, y = seat
    depth, thick, back = (36.0, 4.0, 42.0) if facing != "front" else (58.0, 5.0, 0.0)
    left = x - depth / 2
    parts = [_rect(left, y - thick, depth, thick, fillColor=fill, strokeColor=None)]
    for leg_x in (left + 2, left + depth - 5):
        parts.append(_rect(leg_x, 0, 3, y - thick, fillColor=fill, strokeColor=None))
    if facing in ("right", "left"):
        back_x = left if facing == "right" else left + depth - 3.5
        parts.append(_rect(back_x, y, 3.5, back, fillColor=fill, strokeColor=None))
    for part in parts:
        scene.add(part, [(left, 0), (left + depth, y + back)])


def _arrow_head(tip: XY, direction: float, color: Color, size: float = 6.0) -> Polygon:
    left = _along(tip, direction + 150, size)
    right = _along(tip, direction - 150, size)
    return Polygon([*tip, *left, *right], fillColor=color, strokeColor=color, strokeWidth=0.5)


def _draw_arrow(scene: _Scene, arrow: Arrow, joints: dict[str, XY], color: Color) -> None:
    if arrow.kind == "straight":
        assert arrow.start is not None and arrow.end is not None
        points = [_resolve(arrow.start, joints), _resolve(arrow.end, joints)]
    else:
        assert arrow.around is not None
        centre = _resolve(arrow.around, joints)
        count = max(8, int(abs(arrow.end_angle - arrow.start_angle) / 6))
        step = (arrow.end_angle - arrow.start_angle) / count
        points = [_along(centre, arrow.start_angle + i * step, arrow.radius) for i in range(count + 1)]
    # Stop the line short of each head so its square end does not poke through the point.
    ends = [(points[-1], points[-2])] + ([(points[0], points[1])] if arrow.heads == "both" else [])
    line = [*points]
    for index, (tip, before) in zip((-1, 0), ends, strict=False):
        heading = math.degrees(math.atan2(tip[1] - before[1], tip[0] - before[0]))
        line[index] = _along(tip, heading, -4)
        scene.add(_arrow_head(tip, heading, color), [tip], 6)
    flat = [c for p in line for c in p]
    scene.add(PolyLine(flat, strokeColor=color, strokeWidth=2.2, strokeLineCap=1), line, 2)


def _bottom(scene: _Scene, floor: str) -> float:
    """The level a panel stands on: the floor (y = 0), or its own lowest point if it has none."""
    return scene.box[1] if floor == "none" else min(scene.box[1], 0)


def _fit_scale(scenes: Sequence[_Scene], width: float, height: float, pad: float, floor: str) -> float:
    widest = max(s.box[2] for s in scenes) - min(s.box[0] for s in scenes)
    tallest = max(s.box[3] for s in scenes) - min(_bottom(s, floor) for s in scenes)
    return min((width - 2 * pad) / widest, (height - 2 * pad) / tallest)


def _place(
    scene: _Scene,
    *,
    x: float,
    width: float,
    height: float,
    scale: float,
    floor: str,
    tallest: float,
    base: float,
    span: tuple[float, float],
    colors: FigureColors,
    mirror: bool,
) -> Group:
    """Scale ``scene`` into a ``width`` × ``height`` slot at ``x``: the panels' shared ``span``
    centred, the floor at a shared level, so a body keeps its place from panel to panel."""
    x0, x1 = span
    # Floors share one level across panels, a little below the middle of the spare height.
    bottom = (height - tallest * scale) * 0.35
    centre = (x0 + x1) / 2
    slot = Group()
    if floor != "none":
        half = width / 2 / scale
        line = Line(centre - half, 0, centre + half, 0, strokeColor=HexColor(colors.floor), strokeWidth=1.4)
        slot.add(line)
        if floor == "mat":
            half_mat = (x1 - x0) / 2 + 8
            mat = _rect(centre - half_mat, 0, 2 * half_mat, MAT_THICKNESS, fillColor=_mix(colors.floor, 0.55))
            mat.strokeColor = None
            slot.add(mat)
    slot.add(scene.group)
    sx = -scale if mirror else scale
    slot.transform = (sx, 0, 0, scale, x + width / 2 - sx * centre, bottom - base * scale)
    return slot


@frozen
class _Grid:
    """How panels share a drawing: rows × columns of equal cells, one scale for all of them."""

    rows: int
    columns: int
    cell: tuple[float, float]
    gap: float
    pad: float
    scale: float
    band: float  # height above the drawing kept for the step number
    gutter: float  # or the width beside it


def _grid(
    scenes: Sequence[_Scene],
    rows: int,
    width: float,
    height: float,
    radius: float,
    numbered: bool,
    floor: str,
) -> _Grid:
    count = len(scenes)
    columns = -(-count // rows)
    gap = width * 0.02 if count > 1 else 0.0
    cell = ((width - gap * (columns - 1)) / columns, (height - gap * (rows - 1)) / rows)
    pad = min(cell) * 0.06
    badge = 2 * radius + 4 if numbered else 0.0
    band_scale = _fit_scale(scenes, cell[0], cell[1] - badge, pad, floor)
    gutter_scale = _fit_scale(scenes, cell[0] - badge, cell[1], pad, floor)
    band, gutter = (badge, 0.0) if band_scale >= gutter_scale else (0.0, badge)
    return _Grid(rows, columns, cell, gap, pad, max(band_scale, gutter_scale), band, gutter)


def _best_grid(
    scenes: Sequence[_Scene],
    width: float,
    height: float,
    radius: float,
    numbered: bool,
    floor: str,
) -> _Grid:
    """One row of panels, unless two or three rows draw them much larger: lying and kneeling
    bodies are wide and low, so a row of them is thin strips in tall, mostly empty cells."""
    best = _grid(scenes, 1, width, height, radius, numbered, floor)
    for rows in range(2, min(len(scenes), 3) + 1):
        grid = _grid(scenes, rows, width, height, radius, numbered, floor)
        if grid.scale > best.scale * GRID_GAIN:
            best = grid
    return best


def _panels_drawing(
    figure: Figure,
    panels: Sequence[Panel],
    *,
    width: float,
    height: float,
    colors: FigureColors,
    numbers: Sequence[int] = (),
    font: str | None = None,
    rtl: bool = False,
    trim: bool = False,
) -> Drawing:
    """Panels in reading order, in one row or a few (whichever draws them larger), numbered when
    ``numbers`` are given, first panel at the right when ``rtl``. Each number sits in a band
    above or a gutter beside the drawing (whichever leaves the drawing larger), never over it.
    ``trim`` drops the height the drawings cannot use."""
    scenes = [_scene(figure, panel, colors) for panel in panels]
    # The number keeps the size it has in a single row, whatever the rows.
    radius = _badge_radius(min(width / len(panels), height))
    grid = _best_grid(scenes, width, height, radius, bool(numbers), figure.floor)
    (slot, cell_height), scale = grid.cell, grid.scale
    # One level for every panel's floor, even where an arrow dips below it in one of them.
    base = min(_bottom(s, figure.floor) for s in scenes)
    tallest = max(s.box[3] for s in scenes) - base
    span = (min(s.box[0] for s in scenes), max(s.box[2] for s in scenes))
    if trim:
        cell_height = min(cell_height, tallest * scale + 2 * grid.pad + grid.band)
        height = grid.rows * cell_height + (grid.rows - 1) * grid.gap
        if len(panels) == 1 and not numbers:  # a single picture gives back unused width too
            width = slot = min(width, (span[1] - span[0]) * scale + 2 * grid.pad)
    font = font or _font()
    drawing = _drawing(width, height, font)
    for index, scene in enumerate(scenes):
        row, column = divmod(index, grid.columns)
        x = (grid.columns - 1 - column if rtl else column) * (slot + grid.gap)
        y = height - (row + 1) * cell_height - row * grid.gap
        if numbers:
            frame = _rect(
                x, y, slot, cell_height, rx=4, ry=4, fillColor=None, strokeColor=_mix(colors.floor, 0.5)
            )
            drawing.add(frame)
        picture = _place(
            scene,
            x=x + (0 if rtl else grid.gutter),
            width=slot - grid.gutter,
            height=cell_height - grid.band,
            scale=scale,
            floor=figure.floor,
            tallest=tallest,
            base=base,
            span=span,
            colors=colors,
            # Seen from behind, the figure's right side is on the picture's right.
            mirror=(figure.facing == "left") != (figure.view == "back"),
        )
        if y:
            picture.transform = (*picture.transform[:5], picture.transform[5] + y)
        drawing.add(picture)
        if numbers:
            left = x + slot - 3 - 2 * radius if rtl else x + 3
            _number_badge(drawing, numbers[index], left, y + cell_height - 3, radius, colors, font)
    return drawing


def _font() -> str:
    """The embedded bold face used for step numbers (never an unembedded base-14 font)."""
    from rxstretch.render.fonts import register_family

    return register_family({"bold"}).bold


def _drawing(width: float, height: float, font: str) -> Drawing:
    drawing = Drawing(width, height)
    # ReportLab otherwise starts every drawing's graphics state with Helvetica, unembedded.
    drawing.initialFontName = font  # type: ignore[attr-defined]  # missing from the stub
    return drawing


def _badge_radius(size: float) -> float:
    """The step number's circle for a panel of ``size``: large-print numbers are 16 pt and more."""
    return max(5.0, min(16.0, size * 0.12))


def _number_badge(
    drawing: Drawing, number: int, left: float, top: float, radius: float, colors: FigureColors, font: str
) -> None:
    """A filled accent circle with the step number, its top-left corner at (left, top)."""
    cx, cy = left + radius, top - radius
    drawing.add(Circle(cx, cy, radius, fillColor=HexColor(colors.accent), strokeColor=None))
    drawing.add(
        String(
            cx,
            cy - radius * 0.42,
            str(number),
            fontName=font,
            fontSize=radius * 1.2,
            fillColor=white,
            textAnchor="middle",
        )
    )


def figure_flowable(
    figure: Figure,
    *,
    width: float,
    height: float,
    colors: FigureColors,
    step: int | None = None,
    trim: bool = False,
) -> Drawing:
    """The figure's main picture, or the panel of ``step`` (1-based), fitted in width × height points."""
    if step is None:
        panel = figure.main_panel
    elif not 1 <= step <= len(figure.panels):
        raise FigureError(f"figure {figure.id} has no panel {step} (it has {len(figure.panels)})")
    else:
        panel = figure.panels[step - 1]
    return _panels_drawing(figure, [panel], width=width, height=height, colors=colors, trim=trim)


def step_panels(
    figure: Figure,
    *,
    width: float,
    height: float,
    colors: FigureColors,
    font: str | None = None,
    rtl: bool = False,
    trim: bool = False,
) -> Drawing:
    """A row of panels numbered 1, 2, 3... like the steps, or the single picture if not stepped.

    ``font`` (a registered bold face) sets the numbers; the bundled bold by default. ``rtl``
    runs the panels from right to left; ``trim`` drops height the drawings cannot use.
    """
    if not figure.stepped:
        return figure_flowable(figure, width=width, height=height, colors=colors, trim=trim)
    numbers = range(1, len(figure.panels) + 1)
    return _panels_drawing(
        figure,
        figure.panels,
        width=width,
        height=height,
        colors=colors,
        numbers=numbers,
        font=font,
        rtl=rtl,
        trim=trim,
    )


def export_drawing(drawing: Drawing, fmt: str, *, dpi: int = 144) -> bytes:
    """Return ``drawing`` as PNG, SVG or PDF bytes (PDF and SVG are reproducible)."""
    if fmt == "svg":
        from reportlab.graphics import renderSVG  # export only: not loaded to draw handouts

        return renderSVG.drawToString(drawing).encode("utf-8")
    if fmt == "pdf":
        buffer = io.BytesIO()
        canvas = Canvas(  # the stub types initialFontName as a number
            buffer,
            pagesize=(drawing.width, drawing.height),
            invariant=1,
            initialFontName=_font(),  # type: ignore[arg-type]
        )
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()
    if fmt == "png":
        return _rasterise(export_drawing(drawing, "pdf"), dpi=dpi)
    raise FigureError(f'unknown figure format "{fmt}" (expected one of: {", ".join(FORMATS)})')


def _rasterise(pdf: bytes, *, dpi: int) -> bytes:
    """The first page of ``pdf`` as PNG bytes on white, drawn by PDFium (wheels everywhere, no compiler)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=dpi / 72, fill_color=(255, 255, 255, 255))
        image = bitmap.to_pil().convert("RGB")
    finally:
        document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def figure_bytes(
    figure: Figure, fmt: str, *, width: float = 420, height: float = 220, colors: FigureColors | None = None
) -> bytes:
    """The whole figure (every step panel, or the single picture) as PNG, SVG or PDF bytes."""
    colors = colors or FigureColors()
    per_panel = width if not figure.stepped else width / len(figure.panels)
    drawing = step_panels(figure, width=max(width, per_panel), height=height, colors=colors)
    return export_drawing(drawing, fmt)


def contact_sheet(
    items: Sequence[tuple[str, Figure]],
    *,
    colors: FigureColors | None = None,
    columns: int = 3,
    cell: tuple[float, float] = (330, 170),
) -> Drawing:
    """Every figure in a grid under its exercise name (docs/figures.png)."""
    colors = colors or FigureColors()
    font = _font()
    width, height = cell
    rows = -(-len(items) // columns)
    title, gap = 16.0, 12.0
    sheet = _drawing(columns * (width + gap) + gap, rows * (height + title + gap) + gap, _font())
    sheet.add(_rect(0, 0, sheet.width, sheet.height, fillColor=white))
    for index, (name, figure) in enumerate(items):
        row, column = divmod(index, columns)
        x = gap + column * (width + gap)
        y = sheet.height - (row + 1) * (height + title + gap)
        sheet.add(
            String(x, y + height + 4, name, fontName=font, fontSize=11, fillColor=HexColor(colors.figure))
        )
        picture = step_panels(figure, width=width, height=height, colors=colors)
        group = Group(*picture.contents)
        group.transform = (1, 0, 0, 1, x, y)
        sheet.add(group)
    return sheet
