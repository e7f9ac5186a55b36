"""The adherence diary page: for each week, a row per exercise with a box per session and day,
and a row for the day's pain score."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer

from rxstretch.model.handout import Tracker
from rxstretch.model.template import Template
from rxstretch.render.paragraphs import Texts
from rxstretch.render.tables import make_table

BOX = "\u2610"  # ☐, drawn by every bundled font
CELL_PADDING = 3.0  # points each side of a cell's text


def tracker_flowables(tracker: Tracker, text: Texts, template: Template, width: float) -> list[Flowable]:
    """A new page with the diary's title and one table per week.

    The intro asks for the pain "at the end of each day", so each week ends with a pain row
    holding one cell per day. Day columns are at least as wide as their longest word, so a
    weekday is never broken between letters (Arabic names are long).
    """
    parts: list[Flowable] = [PageBreak(), text(tracker.title, "title"), text(tracker.intro, "intro")]
    longest_day = max(_longest_word(text, day, "dosage_label") for day in tracker.day_names)
    day_width = longest_day + 2 * CELL_PADDING + 1
    # The week in one table when its days fit beside a name column of a fifth of the width,
    # else in two (the first four days, then the rest): large print, long weekday names.
    days = list(range(len(tracker.day_names)))
    per_table = len(days) if len(days) * day_width <= width * 0.8 else (len(days) + 1) // 2
    chunks = [days[start : start + per_table] for start in range(0, len(days), per_table)]
    for week_title in tracker.week_titles:
        tables = [_week_table(tracker, text, template, width, chunk) for chunk in chunks]
        parts += [CondPageBreak(60), KeepTogether([text(week_title, "heading"), *tables]), Spacer(1, 8)]
    return parts


def _week_table(tracker: Tracker, text: Texts, template: Template, width: float, days: list[int]) -> Flowable:
    """The rows of one week for some of its ``days``: exercises, then the pain of each day."""
    names = [tracker.day_names[day] for day in days]
    longest_day = max(_longest_word(text, day, "dosage_label") for day in names)
    day_width = max(width * 0.70 / len(names), longest_day + 2 * CELL_PADDING + 1)
    name_width = width - len(names) * day_width
    header = [text(tracker.exercise_label, "dosage_label"), *(text(day, "dosage_label") for day in names)]
    rows = [text.row(header)]
    for row in tracker.rows:
        cells: list[Any] = [[text(row.name, "dosage_label"), text(row.frequency, "tip")]]
        cells += [text(BOX * row.boxes_per_day, "tracker_box") for _ in names]
        rows.append(text.row(cells))
    pain: list[Any] = [text(tracker.pain_label, "dosage_label")]
    pain += [text("", "tracker_box") for _ in names]
    rows.append(text.row(pain))
    table = make_table(
        rows,
        text.row([name_width, *[day_width] * len(names)]),
        font=text.styles["body"].fontName,
        commands=[
            ("GRID", (0, 0), (-1, -1), 0.5, HexColor(template.color("rule"))),
            ("BACKGROUND", (0, 0), (-1, 0), HexColor(template.color("accent"))),
            ("BACKGROUND", (0, -1), (-1, -1), HexColor(template.color("caution"))),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ],
    )
    table.spaceAfter = 4
    return table


def _longest_word(text: Texts, value: str, style_name: str) -> float:
    style = text.style_for(value, style_name)
    return max((stringWidth(word, style.fontName, style.fontSize) for word in value.split()), default=0.0)
