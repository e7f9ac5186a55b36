"""Exercise figures: every bundled one draws, panels match steps, bad figure files are located."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image
from reportlab.graphics.shapes import Drawing

from rxstretch.api import load_library
from rxstretch.errors import ValidationError
from rxstretch.loaders.figures import FigureIndex, load_figure_file
from rxstretch.loaders.library import bundled_library_dir
from rxstretch.model import Library
from rxstretch.render.figures import (
    MAT_THICKNESS,
    FigureColors,
    FigureError,
    export_drawing,
    figure_flowable,
    skeleton,
    step_panels,
)

from .conftest import bundled_exercise_text, line_of

COLORS = FigureColors(figure="#123456", accent="#ff6600", floor="#888888", prop="#cccccc")
BUNDLED = sorted(p.stem for p in (bundled_library_dir() / "exercises").glob("*.yaml"))

FIGURE = """\
id: {id}
floor: mat
pose:
  trunk: 180
  arms: {{both: {{upper: -5, fore: 0}}}}
  legs: {{both: {{thigh: 52, shin: -68}}}}
"""


def rasterized(drawing: Drawing, scale: float = 0.5) -> Image.Image:
    """The drawing as pixels: exported to PDF, rasterised by PDFium (no Cairo needed)."""
    document = pypdfium2.PdfDocument(export_drawing(drawing, "pdf"))
    return document[0].render(scale=scale).to_pil().convert("L")


def inked_fraction(image: Image.Image) -> float:
    """The share of pixels that are not (near) white."""
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / (image.width * image.height)


@pytest.mark.parametrize("exercise_id", BUNDLED)
def test_every_bundled_exercise_has_a_figure_that_draws(library: Library, exercise_id: str) -> None:
    exercise = library.exercises[exercise_id]
    assert exercise.figure is not None and exercise.alt["en"]
    drawing = step_panels(exercise.figure, width=400, height=150, colors=COLORS)
    assert isinstance(drawing, Drawing)
    x0, y0, x1, y1 = drawing.getBounds()
    assert x1 - x0 > 100 and y1 - y0 > 40
    assert inked_fraction(rasterized(drawing)) > 0.04


@pytest.mark.parametrize("exercise_id", BUNDLED)
def test_figures_rest_on_the_floor(library: Library, exercise_id: str) -> None:
    figure = library.exercises[exercise_id].figure
    assert figure is not None
    for panel in figure.panels:
        if panel.pose is not None and panel.pose.hip is None:  # resting: the lowest point on the floor
            bones = skeleton(panel.pose, view=figure.view, near=figure.near, floor=figure.floor)
            assert bones.lowest() == pytest.approx(MAT_THICKNESS if figure.floor == "mat" else 0)


def test_step_panels_match_the_steps(library: Library) -> None:
    stepped = [e for e in library.exercises.values() if e.figure is not None and e.figure.stepped]
    assert {e.id for e in stepped} >= {"knees-to-chest", "cat-cow"}
    for exercise in stepped:
        assert exercise.figure is not None
        for text in exercise.text.values():
            assert len(exercise.figure.panels) == len(text.steps)


def test_figure_flowable_draws_one_step(library: Library) -> None:
    figure = library.exercises["knees-to-chest"].figure
    assert figure is not None
    flowable = figure_flowable(figure, width=120, height=80, colors=COLORS, step=2)
    assert flowable.wrap(500, 500) == (120, 80)
    with pytest.raises(FigureError, match="no panel 5"):
        figure_flowable(figure, width=120, height=80, colors=COLORS, step=5)


def test_step_panels_show_every_panel(library: Library) -> None:
    figure = library.exercises["knees-to-chest"].figure
    assert figure is not None
    drawing = step_panels(figure, width=480, height=120, colors=COLORS)
    assert isinstance(drawing, Drawing)
    image = rasterized(drawing)
    quarter = image.width // 4
    for index in range(4):  # something is drawn in each quarter
        panel = image.crop((index * quarter + 2, 0, (index + 1) * quarter - 2, image.height))
        assert panel.getextrema()[0] < 128


def test_export_formats(library: Library) -> None:
    figure = library.exercises["chin-tuck"].figure
    assert figure is not None
    drawing = figure_flowable(figure, width=100, height=100, colors=COLORS)
    assert isinstance(drawing, Drawing)
    assert export_drawing(drawing, "svg").startswith(b"<?xml")
    pdf = export_drawing(drawing, "pdf")
    assert pdf.startswith(b"%PDF") and pdf == export_drawing(drawing, "pdf")
    assert b"Helvetica" not in pdf
    with pytest.raises(FigureError, match="unknown figure format"):
        export_drawing(drawing, "gif")


def write_figure(folder: Path, name: str, text: str) -> Path:
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    path = folder / "figures" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "needle", "message"),
    [
        ("  trunk: 180\n", "  trunk: 180\n  trunc: 3\n", 'unknown key (did you mean "trunk"?)'),
        ("floor: mat\n", "floor: mat\nprops:\n  - {kind: sofa, at: [0, 0]}\n", 'unknown prop kind "sofa"'),
        (
            "floor: mat\n",
            "floor: mat\narrows:\n  - {kind: straight, from: left.kne, to: [0, 0]}\n",
            'unknown joint "left.kne" (did you mean "left.knee"?)',
        ),
        ("thigh: 52", "thigh: [52, 9]", "length factor"),
        ("floor: mat\n", "floor: carpet\n", 'unknown floor "carpet"'),
    ],
)
def test_figure_problems_are_located(tmp_path: Path, change: str, needle: str, message: str) -> None:
    text = FIGURE.format(id="broken").replace(change, needle)
    path = write_figure(tmp_path, "broken", text)
    problems: list = []
    assert load_figure_file(path, problems) is None
    first_line = needle.strip().splitlines()[-1]
    expected = f"{path}:{line_of(text, first_line)}:"
    assert any(str(p).startswith(expected) and message in str(p) for p in problems), problems


def test_unknown_prop_kind_lists_the_choices(tmp_path: Path) -> None:
    text = FIGURE.format(id="broken") + "props:\n  - {kind: xyz, at: [0, 0]}\n"
    problems: list = []
    load_figure_file(write_figure(tmp_path, "broken", text), problems)
    choices = "ball, chair, doorway, mark, mat, pillow, step, strap, towel, wall"
    assert f"expected one of: {choices}" in str(problems[0])


def test_a_mark_is_drawn_over_the_limb_it_marks(tmp_path: Path) -> None:
    """A mark (the kneecap) covers part of the limb; a prop drawn behind the body would not."""
    plain = FIGURE.format(id="plain")
    marked = FIGURE.format(id="marked") + "props:\n  - {kind: mark, at: left.knee, size: [8, 8]}\n"
    dark = []
    for name, text in (("plain", plain), ("marked", marked)):
        problems: list = []
        figure = load_figure_file(write_figure(tmp_path, name, text), problems)
        assert figure is not None, problems
        image = rasterized(figure_flowable(figure, width=200, height=200, colors=COLORS), scale=2)
        dark.append(sum(image.histogram()[:80]))
    assert dark[1] < dark[0] - 20


def test_panel_count_must_match_the_exercise_steps(scratch_library, tmp_path: Path) -> None:
    folder = scratch_library({"my-stretch.yaml": clinic_exercise("my-stretch", "three")})
    panel = (
        "  - pose:\n      trunk: 180\n"
        "      arms: {both: {upper: -5, fore: 0}}\n      legs: {both: {thigh: 52, shin: -68}}\n"
    )
    text = "id: three\npanels:\n" + panel * 3
    path = write_figure(folder, "three", text)
    with pytest.raises(ValidationError) as caught:
        load_library([folder], use_env=False)
    messages = [str(p) for p in caught.value.problems]
    assert f"{path}:{line_of(text, 'panels:')}: panels: has 3 panels but exercise my-stretch has 4 steps" in (
        " ".join(messages)
    )
    exercise_file = folder / "exercises" / "my-stretch.yaml"
    assert any(m.startswith(f"{exercise_file}:") and "illustration.figure" in m for m in messages)


def test_unknown_figure_id_is_reported_in_the_exercise(scratch_library) -> None:
    folder = scratch_library({"my-stretch.yaml": clinic_exercise("my-stretch", "knees-to-chset")})
    with pytest.raises(ValidationError) as caught:
        load_library([folder], use_env=False)
    text = (folder / "exercises" / "my-stretch.yaml").read_text(encoding="utf-8")
    line = line_of(text, "figure: knees-to-chset")
    assert any(
        str(p).endswith(f':{line}: illustration.figure: no figure "knees-to-chset" in the library'
                        ' (did you mean "knees-to-chest"?)')
        for p in caught.value.problems
    )  # fmt: skip


def test_clinic_figure_replaces_the_bundled_one(scratch_library) -> None:
    folder = scratch_library({})
    write_figure(folder, "chin-tuck", FIGURE.format(id="chin-tuck"))
    figures = FigureIndex.from_folders([bundled_library_dir(), folder])
    assert figures.path("chin-tuck") == folder / "figures" / "chin-tuck.yaml"
    assert not figures["chin-tuck"].stepped


def clinic_exercise(exercise_id: str, figure_id: str) -> str:
    return (
        bundled_exercise_text("knees-to-chest")
        .replace("id: knees-to-chest", f"id: {exercise_id}")
        .replace("  figure: knees-to-chest\n", f"  figure: {figure_id}\n")
    )


@pytest.mark.parametrize("suffix", ["svg", "pdf", "png"])
def test_show_writes_the_figure_and_refuses_to_overwrite(run_cli, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"figure.{suffix}"
    result = run_cli("show", "knees-to-chest", "--figure", out)
    assert result.exit_code == 0, result.output
    first = out.read_bytes()
    assert len(first) > 1000
    result = run_cli("show", "knees-to-chest", "--figure", out)
    assert result.exit_code == 1 and "use --force" in result.stderr
    assert run_cli("show", "knees-to-chest", "--figure", out, "--force").exit_code == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_show_figure_rejects_other_formats(run_cli, tmp_path: Path) -> None:
    result = run_cli("show", "knees-to-chest", "--figure", tmp_path / "figure.gif")
    assert result.exit_code == 2 and ".png, .svg or .pdf" in result.stderr


def test_png_is_drawn_without_cairo_on_white_and_the_same_each_time(library) -> None:
    from PIL import Image

    from rxstretch.render.figures import figure_bytes

    figure = library.exercises["knees-to-chest"].figure
    assert figure is not None
    png = figure_bytes(figure, "png")
    assert png == figure_bytes(figure, "png")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.size == ((420 * 2), (220 * 2))  # 144 dpi: twice the drawing's points
    assert image.getpixel((0, 0)) == (255, 255, 255)
    assert len(image.getcolors(maxcolors=1 << 16) or []) > 2  # drawn lines, not a blank page
