"""Hand close-ups (view: hand): shapes that differ where the exercise differs, located mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageChops

from rxstretch.loaders.figures import load_figure_file
from rxstretch.model.figure import FINGER_SHAPES, Figure, FigureColors, Hand, Panel
from rxstretch.render.figures import step_panels
from rxstretch.render.hands import place_hand

from .conftest import line_of
from .test_figures import inked_fraction, rasterized, write_figure

COLORS = FigureColors()
GLIDES = ("straight", "hook", "fist", "tabletop", "straight-fist")
CLOSE_UP = """\
id: {id}
view: hand
panels:
  - hand: {{fingers: straight, thumb: beside}}
  - hand: {{seen: palm, thumb: to-little, spread: 5}}
  - hand: {{forearm: 0, wrist: -70, fingers: [10, 5, 0]}}
    other: {{at: [60, 40], forearm: 180, flip: true, fingers: grip}}
    props:
      - {{kind: ball, at: [knuckles, 10, 0], size: [30, 30]}}
    arrows:
      - {{kind: curved, around: wrist, radius: 30, start: 20, end: 80}}
"""


def load(tmp_path: Path, text: str, name: str = "close-up") -> tuple[object, list]:
    problems: list = []
    figure = load_figure_file(write_figure(tmp_path, name, text), problems)
    return figure, problems


def test_a_close_up_reads_and_draws_every_panel(tmp_path: Path) -> None:
    figure, problems = load(tmp_path, CLOSE_UP.format(id="close-up"))
    assert not problems and figure is not None
    assert figure.view == "hand" and figure.floor == "none" and len(figure.panels) == 3
    third = figure.panels[2]
    assert third.pose is None and len(third.hands) == 2 and third.hands[1].flip
    assert third.hands[0].fingers == (10, 5, 0) and third.hands[1].fingers == FINGER_SHAPES["grip"]
    drawing = step_panels(figure, width=420, height=160, colors=COLORS)
    image = rasterized(drawing)
    third_width = image.width // 3
    for index in range(3):
        panel = image.crop((index * third_width + 4, 0, (index + 1) * third_width - 4, image.height))
        assert inked_fraction(panel) > 0.05


def test_the_five_tendon_glides_draw_five_different_hands() -> None:
    panels = []
    for shape in GLIDES:
        hand = Hand(fingers=FINGER_SHAPES[shape])
        figure = Figure(id=shape, panels=(Panel(None, hands=(hand,)),), view="hand", floor="none")
        panels.append(rasterized(step_panels(figure, width=120, height=160, colors=COLORS), scale=1))
    for index, first in enumerate(panels):
        for second in panels[index + 1 :]:
            difference = ImageChops.difference(first, second).point(lambda v: 255 if v > 60 else 0)
            assert inked_fraction(ImageChops.invert(difference)) > 0.02


def test_fingertips_follow_the_hand_shape() -> None:
    tip = {s: place_hand(Hand(fingers=FINGER_SHAPES[s])).joints["fingertips"] for s in GLIDES}
    knuckles = place_hand(Hand()).joints["knuckles"]
    assert tip["straight"][1] > knuckles[1] + 40  # pointing up, past the knuckles
    assert tip["tabletop"][0] > knuckles[0] + 40 and abs(tip["tabletop"][1] - knuckles[1]) < 3
    assert tip["hook"][1] < tip["straight"][1] - 20 and tip["fist"][1] < knuckles[1]
    # Flexion turns toward the palm, which a flipped hand has on the other side.
    assert place_hand(Hand(fingers=(90, 0, 0), flip=True)).joints["fingertips"][0] < knuckles[0] - 40


def test_the_thumb_meets_the_fingertip_it_is_sent_to() -> None:
    for finger in ("index", "middle", "ring", "little"):
        hand = place_hand(Hand(seen="palm", thumb=f"to-{finger}"))
        tip = hand.lines[-1].points[-1]
        assert tip == pytest.approx(hand.joints["thumb"])
    joints = place_hand(Hand(seen="palm", thumb="to-middle")).joints
    assert joints["thumb"] == pytest.approx(joints["fingertips"], abs=0.01)


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        ("fingers: straight,", "fingers: hooked,", 'unknown finger shape "hooked" (did you mean "hook"?)'),
        ("[10, 5, 0]", "[150, 5, 0]", "knuckle bend must be -30 to 100 degrees"),
        ("[10, 5, 0]", "[10, 5]", "must be a list of 3 numbers"),
        ("thumb: beside", "thumb: to-pinky", 'unknown thumb position "to-pinky"'),
        ("seen: palm", "seen: top", 'unknown hand view "top" (expected one of: palm, side)'),
        ("wrist: -70", "wrist: -120", "must be -90 to 90 degrees"),
        ("spread: 5", "spread: 50", "must be 0 to 30 degrees"),
        ("flip: true", "flip: yes please", "must be true or false"),
        ("around: wrist", "around: wirst", 'unknown joint "wirst" (did you mean "wrist"?)'),
        ("forearm: 180,", "forarm: 180,", 'unknown key (did you mean "forearm"?)'),
        ("forearm: 180,", "forearm: [180, 5],", "length factor must be 0.3 to 3"),
    ],
)
def test_close_up_mistakes_are_located(tmp_path: Path, change: str, needle: str, message: str) -> None:
    text = CLOSE_UP.format(id="close-up").replace(change, needle)
    assert needle in text
    figure, problems = load(tmp_path, text)
    assert figure is None
    path = tmp_path / "figures" / "close-up.yaml"
    expected = f"{path}:{line_of(text, needle)}:"
    assert any(str(p).startswith(expected) and message in str(p) for p in problems), problems


def test_pose_and_hand_do_not_mix(tmp_path: Path) -> None:
    pose = (
        "pose:\n  trunk: 90\n  arms: {both: {upper: -90, fore: -90}}\n"
        "  legs: {both: {thigh: -90, shin: -90}}\n"
    )
    _, problems = load(tmp_path, "id: close-up\nview: hand\n" + pose)
    assert any(":3: pose: a hand close-up (view: hand) takes hand:, not pose:" in str(p) for p in problems)
    _, problems = load(tmp_path, "id: close-up\n" + pose + "hand: {fingers: fist}\n")
    assert any(":6: hand: a hand close-up needs view: hand" in str(p) for p in problems), problems
    text = "id: close-up\nview: hand\npanels:\n  - pose: {trunk: 90}\n"
    _, problems = load(tmp_path, text)
    messages = " ".join(str(p) for p in problems)
    assert "panels[0].hand: is required" in messages and "panels[0].pose: unknown key" in messages
