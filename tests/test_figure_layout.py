"""Figure layout: lying figures on rows large enough to read, back views, a mat seen from above."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from rxstretch.model import Library
from rxstretch.model.figure import Figure, FigureColors
from rxstretch.render.figures import step_panels

from .test_figures import inked_fraction, rasterized

COLORS = FigureColors(figure="#123456", accent="#ff6600", floor="#888888", prop="#cccccc")
LYING = ("knees-to-chest", "bird-dog", "dead-bug", "cat-cow", "heel-slides", "partial-curl-up")


def ink_rows(image: Image.Image) -> tuple[int, int]:
    """The first and last pixel rows holding the figure's colour (dark), not frames or props."""
    dark = image.point(lambda v: 255 if v < 90 else 0)
    box = dark.getbbox()
    assert box is not None
    return box[1], box[3]


def test_lying_figures_fill_their_panels_on_two_rows(library: Library) -> None:
    for exercise_id in LYING:
        figure = library.exercises[exercise_id].figure
        assert figure is not None and len(figure.panels) >= 3
        image = rasterized(step_panels(figure, width=420, height=220, colors=COLORS), scale=1)
        top_half = image.crop((0, 0, image.width, image.height // 2))
        bottom_half = image.crop((0, image.height // 2, image.width, image.height))
        # Panels on two rows: the figure's dark ink is in both halves of the picture...
        assert inked_fraction(top_half.point(lambda v: 255 if v > 90 else 0)) > 0.02, exercise_id
        assert inked_fraction(bottom_half.point(lambda v: 255 if v > 90 else 0)) > 0.02, exercise_id
        # ...and a body is at least a third of a row high (it was about a sixth on one row).
        first, last = ink_rows(top_half)
        assert last - first > image.height / 2 / 3, exercise_id


def test_standing_figures_stay_on_one_row(library: Library) -> None:
    figure = library.exercises["towel-internal-rotation-stretch"].figure
    assert figure is not None and not figure.stepped
    stepped = library.exercises["tendon-glides"].figure
    assert stepped is not None and len(stepped.panels) == 5
    image = rasterized(step_panels(stepped, width=500, height=150, colors=COLORS), scale=1)
    fifth = image.width // 5
    heights = []
    for index in range(5):  # every hand in its own column
        column = image.crop((index * fifth + 3, 0, (index + 1) * fifth - 3, image.height))
        first, last = ink_rows(column)
        heights.append(last - first)
    assert min(heights) > image.height * 0.35 and max(heights) > image.height * 0.6


def test_a_back_view_puts_the_right_side_on_the_right(library: Library) -> None:
    figure = library.exercises["towel-internal-rotation-stretch"].figure
    assert figure is not None and figure.view == "back"
    image = rasterized(step_panels(figure, width=200, height=200, colors=COLORS), scale=1)
    dark = image.point(lambda v: 255 if v < 90 else 0)
    box = dark.getbbox()
    assert box is not None
    middle = (box[0] + box[2]) // 2
    # The right hand is raised above the head: the highest ink is right of the middle.
    top_row = dark.crop((box[0], box[1], box[2], box[1] + 3))
    top_box = top_row.getbbox()
    assert top_box is not None and box[0] + top_box[0] > middle
    mirrored = Figure(**{**figure.__dict__, "view": "front"})
    front = rasterized(step_panels(mirrored, width=200, height=200, colors=COLORS), scale=1)
    assert front.transpose(Image.Transpose.FLIP_LEFT_RIGHT).tobytes() != image.tobytes()


def test_open_book_is_drawn_over_a_mat_seen_from_above(library: Library) -> None:
    figure = library.exercises["open-book"].figure
    assert figure is not None
    kinds = {prop.kind for panel in figure.panels for prop in panel.props}
    assert "mat" in kinds and figure.floor == "none"
    image = rasterized(step_panels(figure, width=420, height=220, colors=COLORS), scale=1)
    assert inked_fraction(image) > 0.15  # the mat fills much of each panel


def test_panels_share_the_floor_and_a_still_body_keeps_its_place(library: Library) -> None:
    figure = library.exercises["seated-knee-extension"].figure
    assert figure is not None and len(figure.panels) == 3
    image = rasterized(step_panels(figure, width=600, height=200, colors=COLORS), scale=1)
    gap = image.width * 0.02  # between panels, as drawn
    slot = (image.width - 2 * gap) / 3
    floors, boxes = [], []
    for index in range(3):
        left = round(index * (slot + gap))
        panel = image.crop((left + 4, 0, left + round(slot) - 4, image.height))
        # The floor is the row with the most floor-grey pixels; the body is the darkest ink.
        rows = [
            sum(1 for x in range(panel.width) if 125 <= panel.getpixel((x, y)) <= 150)
            for y in range(panel.height)
        ]
        floors.append(rows.index(max(rows)))
        box = panel.point(lambda v: 255 if v < 90 else 0).getbbox()
        assert box is not None
        boxes.append(box)
    assert max(floors) - min(floors) <= 1, floors
    # Panels 1 and 3 hold the same pose (3 adds an arrow): the body is drawn in the same place.
    assert abs(boxes[0][0] - boxes[2][0]) <= 1 and abs(boxes[0][1] - boxes[2][1]) <= 1, boxes


def test_an_arm_drawn_behind_must_say_true_or_false(tmp_path: Path) -> None:
    from rxstretch.loaders.figures import load_figure_file

    from .test_figures import FIGURE, write_figure

    text = FIGURE.format(id="behind").replace("{upper: -5, fore: 0}", "{upper: -5, fore: 0, behind: maybe}")
    problems: list = []
    assert load_figure_file(write_figure(tmp_path, "behind", text), problems) is None
    assert any(":5: pose.arms.both.behind: must be true or false" in str(p) for p in problems), problems
    problems = []
    good = load_figure_file(write_figure(tmp_path, "behind", text.replace("maybe", "true")), problems)
    assert not problems and good is not None and good.panels[0].pose is not None
    assert good.panels[0].pose.arms["left"].behind
