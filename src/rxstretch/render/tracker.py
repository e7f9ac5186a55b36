"""The adherence diary page: for each week, a row per exercise, a box per session, a pain score."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer

from rxstretch.model.handout import Tracker
from rxstretch.model.template import Template
from rxstretch.render.paragraphs import Texts
from rxstretch.render.tables import make_table

BOX = "\u2610"  # ☐, drawn by every bundled font


def tracker_flowables(tracker: Tracker, text: Texts, template: Template, width: float) -> list[Flowable]:
    """A new page with the diary's title and one table per week."""
    parts: list[Flowable] = [PageBreak(), text(tracker.title, "title"), text(tracker.intro, "intro")]
    name_width = width * 0.30
    pain_width = width * 0.12
    day_width = (width - name_width - pain_width) / 7
    for week_title in tracker.week_titles:
        header = [text(tracker.exercise_label, "dosage_label")]
        header += [text(day, "dosage_label") for day in tracker.day_names]
        header.append(text(tracker.pain_label, "dosage_label"))
        rows = [text.row(header)]
        for row in tracker.rows:
            cells: list[Any] = [[text(row.name, "dosage_label"), text(row.frequency, "tip")]]
            cells += [text(BOX * row.boxes_per_day, "tracker_box") for _ in tracker.day_names]
            cells.append(text("", "tip"))
            rows.append(text.row(cells))
        table = make_table(
            rows,
            text.row([name_width, *[day_width] * len(tracker.day_names), pain_width]),
            font=text.styles["body"].fontName,
            commands=[
                ("GRID", (0, 0), (-1, -1), 0.5, HexColor(template.color("rule"))),
                ("BACKGROUND", (0, 0), (-1, 0), HexColor(template.color("accent"))),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ],
        )
        parts += [CondPageBreak(60), KeepTogether([text(week_title, "heading"), table]), Spacer(1, 8)]
    return parts
