"""Recorded figures kept between runs (render/kept_figures.py) draw exactly what fresh ones draw.

Each test has its own cache folder (conftest); the in-process cache of recorded figures is
emptied between renders, as a new process would find it.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from reportlab.graphics.shapes import Drawing, Rect

from rxstretch.api import build_handout, load_prescription
from rxstretch.loaders.template import load_template
from rxstretch.model import Library, Patient, PrescribedExercise, Prescription
from rxstretch.model.figure import Figure, FigureColors
from rxstretch.render import cards, figures
from rxstretch.render.document import HandoutRenderer
from rxstretch.render.figures import figure_flowable, step_panels
from rxstretch.render.fonts import register_family
from rxstretch.render.kept_figures import kept_drawing
from rxstretch.render.recorded import RecordedDrawing
from rxstretch.resources.usercache import cache_dir

from .conftest import EXAMPLES, FIXED_DATE

COLORS = FigureColors(figure="#123456", accent="#ff6600", floor="#888888", prop="#cccccc")


@pytest.fixture
def no_drawings_in_memory(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Empties the in-process cache of recorded figures (as a new process starts)."""
    monkeypatch.setattr(cards, "_DRAWINGS", {})
    return cards._DRAWINGS.clear


def _kept() -> dict[str, bytes]:
    folder = cache_dir() / "figures"
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.pickle"))}


def _forbid_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Drawing:
        raise AssertionError("a kept figure was drawn again")

    monkeypatch.setattr(figures, "step_panels", refuse)
    monkeypatch.setattr(figures, "figure_flowable", refuse)


def _prescriptions(library: Library) -> list[Prescription]:
    exercises = tuple(PrescribedExercise(e) for e in ("cat-cow", "knees-to-chest"))
    return [
        load_prescription(EXAMPLES / "low-back.yaml", library),
        Prescription(patient=Patient("Right to left"), exercises=exercises, language="ar"),
    ]


@pytest.mark.parametrize("template", ["standard", "compact", "large-print"])
def test_a_handout_from_kept_figures_is_the_same_as_a_fresh_one(
    library: Library,
    template: str,
    monkeypatch: pytest.MonkeyPatch,
    no_drawings_in_memory: Callable[[], None],
) -> None:
    def render(prescription: Prescription) -> bytes:
        handout = build_handout(prescription, library, today=FIXED_DATE)
        return HandoutRenderer(load_template(template), paper="A4").render(handout)

    prescriptions = _prescriptions(library)
    fresh = [render(prescription) for prescription in prescriptions]
    kept = _kept()
    assert kept, "nothing was kept"
    no_drawings_in_memory()
    _forbid_drawing(monkeypatch)
    assert [render(prescription) for prescription in prescriptions] == fresh
    assert _kept() == kept  # read, never written again


def _moved(figure: Figure) -> Figure:
    """``figure`` with its main panel's figure moved along the floor."""
    panel = figure.main_panel
    assert panel.pose is not None
    moved = dataclasses.replace(panel, pose=dataclasses.replace(panel.pose, at=panel.pose.at + 20))
    panels = list(figure.panels)
    panels[figure.main] = moved
    return dataclasses.replace(figure, panels=tuple(panels))


def _content(drawing: RecordedDrawing) -> tuple[Any, ...]:
    recording = drawing.recording
    assert recording is not None
    labels = recording.labels.contents if recording.labels is not None else []
    strings = [(s.x, s.y, s.text, s.fontName, s.fontSize, s.textAnchor, s.fillColor.hexval()) for s in labels]
    return recording.width, recording.height, recording.operators, strings


def test_a_change_in_the_key_never_reuses_the_old_entry(
    library: Library, no_drawings_in_memory: Callable[[], None]
) -> None:
    """Each drawing below differs from the ones before it in one thing the key holds: were that
    thing missing from the key, the entry kept before would be replayed instead."""
    figure = library.exercises["knees-to-chest"].figure
    assert figure is not None
    other_colors = dataclasses.replace(COLORS, figure="#654321")
    for shown, colors, width in ((figure, COLORS, 120), (figure, other_colors, 120), (figure, COLORS, 150)):
        no_drawings_in_memory()
        fresh = figure_flowable(shown, width=width, height=90, colors=colors, trim=True)
        assert _content(cards._cached_figure(shown, width, 90, colors)) == _content(RecordedDrawing(fresh))
    moved = _moved(figure)
    no_drawings_in_memory()
    fresh = figure_flowable(moved, width=120, height=90, colors=COLORS, trim=True)
    assert _content(cards._cached_figure(moved, 120, 90, COLORS)) == _content(RecordedDrawing(fresh))
    regular, bold = register_family({"regular", "bold"}).regular, register_family({"bold"}).bold
    for font, rtl in ((bold, False), (bold, True), (regular, True)):
        no_drawings_in_memory()
        fresh = step_panels(figure, width=400, height=110, colors=COLORS, font=font, rtl=rtl, trim=True)
        assert _content(cards._cached_panels(figure, 400, 110, COLORS, font, rtl)) == _content(
            RecordedDrawing(fresh)
        )
    assert len(_kept()) == 7


def test_corrupt_or_misplaced_entries_are_drawn_again(
    library: Library, no_drawings_in_memory: Callable[[], None]
) -> None:
    handout = build_handout(load_prescription(EXAMPLES / "low-back.yaml", library), library, today=FIXED_DATE)

    def render() -> bytes:
        no_drawings_in_memory()
        return HandoutRenderer(load_template("standard"), paper="A4").render(handout)

    fresh = render()
    kept = _kept()
    assert len(kept) >= 2
    folder = cache_dir() / "figures"
    names = list(kept)
    # Each entry holding another's content: the key it carries does not match its name.
    for name, other in zip(names, names[1:] + names[:1], strict=True):
        (folder / name).write_bytes(kept[other])
    assert render() == fresh
    assert _kept() == kept  # drawn again and kept again
    for name in names:
        (folder / name).write_bytes(b"\x80\x05not a pickle")
    assert render() == fresh
    assert _kept() == kept


def test_a_drawing_that_is_not_replayable_is_not_kept() -> None:
    translucent = Drawing(100, 40, Rect(0, 0, 50, 20, fillOpacity=0.5))
    figure = Figure(id="translucent", panels=())
    drawing = kept_drawing(figure, "test", {"width": 100}, lambda: translucent)
    assert not drawing.replayable
    assert not (cache_dir() / "figures").exists() or not _kept()


def test_a_new_process_replays_what_the_last_one_kept(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "rxstretch", "generate", str(EXAMPLES / "low-back.yaml"), "--force"]
    outputs = []
    for run in ("first", "second"):
        output = tmp_path / f"{run}.pdf"
        subprocess.run([*command, "-o", str(output)], env=env, check=True, capture_output=True)
        outputs.append(output.read_bytes())
        if run == "first":
            folder = tmp_path / "cache" / "rxstretch" / "figures"
            written = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}
    assert len(written) == 4  # the example's four exercises
    # Same key in a new process: every entry read, none written again.
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == written
    assert outputs[0] == outputs[1]
