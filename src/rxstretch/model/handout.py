"""The fully resolved handout: every word already chosen and localized, ready to lay out.

Nothing here is markup: the renderer escapes every string before it reaches ReportLab.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rxstretch.model import Brand, Override, Step
from rxstretch.model.figure import Figure
from rxstretch.model.frozen import frozen


@frozen
class Labels:
    """The handout's own headings and labels, in the handout language."""

    steps: str
    dosage: str
    tips: str
    notes: str
    general_notes: str
    follow_up: str
    caution: str
    safety: str
    video: str
    # A running header naming the card a page continues; %(name)s is the card's title.
    continued: str = "%(name)s (continued)"


@frozen
class Card:
    """One exercise as the patient will read it."""

    number: int
    exercise_id: str
    name: str
    summary: str
    steps: tuple[Step, ...]
    dosage: tuple[tuple[str, str], ...]
    tips: tuple[str, ...]
    notes: str | None = None
    cautions: tuple[str, ...] = ()
    image: Path | None = None
    language: str = "en"
    video: str | None = None
    figure: Figure | None = None
    alt: str | None = None


@frozen
class TrackerRow:
    """One exercise in the adherence diary: how many boxes a day, and its frequency in words."""

    name: str
    boxes_per_day: int
    frequency: str


@frozen
class Tracker:
    """The adherence diary: a week per table, a row per exercise, a box per session."""

    title: str
    intro: str
    week_titles: tuple[str, ...]
    day_names: tuple[str, ...]
    exercise_label: str
    pain_label: str
    rows: tuple[TrackerRow, ...]


@frozen
class Handout:
    """Everything the renderer draws, in reading order."""

    language: str
    title: str
    subject: str
    intro: str
    brand: Brand
    details: tuple[tuple[str, str], ...]
    cards: tuple[Card, ...]
    labels: Labels
    page_label: Callable[[int, int], str]
    safety_advice: tuple[str, ...] = ()
    general_notes: str | None = None
    follow_up: str | None = None
    fallbacks: tuple[str, ...] = ()
    overrides: tuple[Override, ...] = ()
    warnings: tuple[str, ...] = ()
    rtl: bool = False
    territory: str | None = None
    disclaimer: str | None = None
    tracker: Tracker | None = None
