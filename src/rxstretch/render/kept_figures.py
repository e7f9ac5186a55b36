"""Recorded figures kept between runs in this user's cache (rxstretch.resources.usercache).

Building a figure's Drawing and recording its operators costs a few milliseconds a figure, and
every ``rxstretch generate`` draws the same few figures again. A Recording is plain data, so it
is kept, one file per figure and drawing arguments, under a key naming everything the drawing
depends on: the figure's content (its repr, complete and deterministic for the frozen model
types), the drawing function and its arguments (size, colours, font, direction, trim), and the
code that draws (rxstretch and ReportLab versions, LAYOUT, the drawing modules' file states).
A missing, unreadable or stale entry is drawn again; a drawing that is not replayable is not kept.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import reportlab
from reportlab.graphics.shapes import Drawing

from rxstretch import __version__
from rxstretch.model.figure import Figure
from rxstretch.render.recorded import RecordedDrawing, Recording
from rxstretch.resources.usercache import cache_file, file_state, read_private, write_private

# Change when what is kept, or how it is used, changes.
LAYOUT = 1
# The code a drawing comes from; found, not imported, since a run that replays them all never
# needs it.
_DRAWING_MODULES = ("rxstretch.render.figures", "rxstretch.render.hands", "rxstretch.render.recorded")


def _source(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:  # only in a broken install
        raise ImportError(f"cannot find {module}")
    return Path(spec.origin)


@functools.cache
def _code_state() -> tuple[Any, ...]:
    """What identifies the code that draws: versions, and the drawing modules' sizes and times,
    so that a drawing module edited in a source checkout (same version) is not replayed stale."""
    return (__version__, reportlab.Version, LAYOUT, *(file_state(_source(m)) for m in _DRAWING_MODULES))


def kept_drawing(
    figure: Figure, kind: str, arguments: dict[str, Any], make: Callable[[], Drawing]
) -> RecordedDrawing:
    """The drawing ``make()`` builds of ``figure`` (with ``arguments``, by the function ``kind``),
    replayed from the cache when kept there, else built, recorded and kept."""
    key = repr((_code_state(), kind, sorted(arguments.items()), figure))
    digest = hashlib.sha256(key.encode()).hexdigest()
    path = cache_file("figures", digest)
    found = read_private(path)
    kept = found[1] if isinstance(found, tuple) and len(found) == 2 and found[0] == digest else None
    if isinstance(kept, Recording):
        return RecordedDrawing(kept)
    drawing = RecordedDrawing(make())
    if drawing.recording is not None:
        write_private(path, (digest, drawing.recording))
    return drawing
