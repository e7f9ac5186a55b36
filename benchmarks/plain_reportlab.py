"""Baseline for bench_generate.py: a minimal plain-ReportLab script rendering comparable content.

It reads the same four exercise files as examples/low-back.yaml, embeds the same TrueType
family, and lays out name, summary, a dosage table, numbered steps and tips per exercise with a
"page X of Y" footer, without any of rxstretch's validation, localization or branding.

Usage: python benchmarks/plain_reportlab.py OUT.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

REPO = Path(__file__).resolve().parent.parent
FONTS = REPO / "src" / "rxstretch" / "fonts"
EXERCISES = ["knees-to-chest", "cat-cow", "piriformis-stretch", "hamstring-stretch-strap"]


class NumberedCanvas(Canvas):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pages = []

    def showPage(self):
        self.pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, state in enumerate(self.pages, start=1):
            self.__dict__.update(state)
            self.setFont("Sans", 8)
            self.drawRightString(190 * mm, 10 * mm, f"Page {number} of {len(self.pages)}")
            super().showPage()
        super().save()


def main(output: str) -> None:
    pdfmetrics.registerFont(TTFont("Sans", str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("Sans-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
    body = ParagraphStyle("body", fontName="Sans", fontSize=10, leading=13)
    title = ParagraphStyle("title", fontName="Sans-Bold", fontSize=14, leading=18)
    story = [Paragraph("Your home exercises", title), Paragraph("Patient: Jeanne Dupont", body)]
    for exercise_id in EXERCISES:
        data = yaml.load(
            (REPO / "library" / "exercises" / f"{exercise_id}.yaml").read_text(), Loader=yaml.CSafeLoader
        )
        text = data["text"]["en"]
        parts = [Paragraph(escape(text["name"]), title), Paragraph(escape(text["summary"]), body)]
        dosage = Table(
            [
                [Paragraph("Sets", body), Paragraph("3 sets", body)],
                [Paragraph("Hold", body), Paragraph("30 seconds", body)],
            ]
        )
        dosage.setStyle([("FONTNAME", (0, 0), (-1, -1), "Sans")])
        parts.append(dosage)
        for number, step in enumerate(text["steps"], start=1):
            parts.append(Paragraph(f"{number}. <b>{escape(step['title'])}</b> {escape(step['text'])}", body))
        parts += [Paragraph(escape(tip), body, bulletText="•") for tip in text["tips"]]
        story.append(KeepTogether([*parts, Spacer(1, 12)]))
    doc = SimpleDocTemplate(output, invariant=1, initialFontName="Sans")
    doc.build(story, canvasmaker=NumberedCanvas)


if __name__ == "__main__":
    main(sys.argv[1])
