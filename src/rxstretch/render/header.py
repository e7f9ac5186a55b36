"""The top of the first page: clinic identity (logo, name, contact, QR code) and the patient block."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table

from rxstretch.model.handout import Handout
from rxstretch.model.template import Template
from rxstretch.render.cards import Picture
from rxstretch.render.images import load_image
from rxstretch.render.paragraphs import Texts
from rxstretch.render.qr import qr_code
from rxstretch.render.tables import make_table

LOGO_BOX_MM = (45.0, 18.0)
QR_SIZE_MM = 18.0
LABEL_PADDING = 4.0  # points between a patient-block label and its value


def clinic_header(handout: Handout, text: Texts, template: Template, width: float) -> list[Flowable]:
    """Logo, clinic name and contact line, with the website's QR code when the brand asks."""
    brand = handout.brand
    if not brand.name:
        return []
    contact = [value for value in (brand.address, brand.phone, brand.email, brand.website) if value]
    identity: list[Flowable] = [text(brand.name, "clinic_name")]
    if contact:
        identity.append(text(" \u00b7 ".join(contact), "contact"))
    cells: list[Any] = []
    widths: list[float] = []
    if brand.logo is not None:
        logo = _logo(brand.logo)
        cells.append(logo)
        widths.append(logo.drawWidth + 4 * mm)
    qr_width = QR_SIZE_MM * mm + 2 * mm if brand.qr_code and brand.website else 0.0
    cells.append(identity)
    widths.append(width - sum(widths) - qr_width)
    if qr_width:
        cells.append(qr_code(_url(brand.website or ""), size=QR_SIZE_MM * mm, color=template.color("text")))
        widths.append(qr_width)
    if len(cells) == 1:
        return identity
    return [
        make_table(
            [text.row(cells)],
            text.row(widths),
            font=text.styles["body"].fontName,
            commands=[
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ],
        )
    ]


def _logo(path: Any) -> Picture:
    box_width, box_height = (side * mm for side in LOGO_BOX_MM)
    reader = load_image(path, printed_width=box_width, printed_height=box_height)
    pixel_width, pixel_height = reader.getSize()
    scale = min(box_width / pixel_width, box_height / pixel_height)
    return Picture(reader, pixel_width * scale, pixel_height * scale)


def _url(website: str) -> str:
    return website if "://" in website else f"https://{website}"


def patient_details(handout: Handout, text: Texts, template: Template, width: float, font: str) -> Table:
    """Two label/value pairs per row keep the patient block short."""
    cells = [[text(label, "detail_label"), text(value, "detail_value")] for label, value in handout.details]
    if len(cells) % 2:
        cells.append([text("", "detail_value")] * 2)
    rows = [text.row([*left, *right]) for left, right in zip(cells[::2], cells[1::2], strict=True)]
    return make_table(
        rows,
        text.row(_column_widths(handout, text, width)),
        font=font,
        commands=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 0.75, HexColor(template.color("rule"))),
            ("LINEBELOW", (0, -1), (-1, -1), 0.75, HexColor(template.color("rule"))),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), LABEL_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ],
    )


def _column_widths(handout: Handout, text: Texts, width: float) -> list[float]:
    """Label, value, label, value: three and five eighths of each half, except that a column
    whose longest word would not fit ("Patientennummer", "Physiotherapist" in large print) is
    widened to it, taking the room from the columns with room to spare."""
    quarter = width / 4
    preferred = [quarter * 0.75, quarter * 1.25] * 2
    pairs = list(handout.details) + [("", "")] * (len(handout.details) % 2)
    needed = [
        max(
            (
                stringWidth(word, style.fontName, style.fontSize) + LABEL_PADDING + 1
                for entry in pairs[side::2]
                for style in [text.style_for(entry[part], style_name)]
                for word in entry[part].split()
            ),
            default=0.0,
        )
        for side in (0, 1)
        for part, style_name in ((0, "detail_label"), (1, "detail_value"))
    ]
    return widen_to_fit(preferred, needed)


def widen_to_fit(preferred: list[float], needed: list[float]) -> list[float]:
    """``preferred`` widths, each raised to what it ``needed``, the excess taken from the
    others in proportion to their room to spare; ``preferred`` unchanged if that cannot work."""
    widths = [max(p, n) for p, n in zip(preferred, needed, strict=True)]
    excess = sum(widths) - sum(preferred)
    spare = [w - n for w, n in zip(widths, needed, strict=True)]
    slack = 1e-9  # rounding: a sum of widths is never exact
    if excess <= slack:
        return widths
    if sum(spare) + slack < excess:
        return preferred
    share = min(1.0, excess / sum(spare))
    return [w - share * room for w, room in zip(widths, spare, strict=True)]
