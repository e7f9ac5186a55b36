"""What ``rxstretch list`` shows of an exercise, small enough to keep in the check cache."""

from __future__ import annotations

from collections.abc import Mapping

from rxstretch.model import Exercise
from rxstretch.model.frozen import frozen


@frozen
class SummaryText:
    """An exercise's name and one-line summary in one language."""

    name: str
    summary: str


@frozen
class ExerciseSummary:
    """The fields of an exercise that listing and searching the library read."""

    id: str
    regions: tuple[str, ...]
    position: str
    equipment: tuple[str, ...]
    tags: tuple[str, ...]
    text: Mapping[str, SummaryText]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this exercise is written in."""
        return tuple(self.text)


def summary_of(exercise: Exercise) -> ExerciseSummary:
    """The summary of a fully read exercise."""
    return ExerciseSummary(
        exercise.id,
        exercise.regions,
        exercise.position,
        exercise.equipment,
        exercise.tags,
        {language: SummaryText(text.name, text.summary) for language, text in exercise.text.items()},
    )
