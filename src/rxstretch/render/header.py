"""The top of the first page: clinic identity (logo, name, contact, QR code) and the patient block."""

from __future__ import annotations

from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from rxstretch.handout import Handout
from rxstretch.render.cards import Picture
from rxstretch.render.images import load_image
from rxstretch.render.paragraphs import Texts
from rxstretch.render.qr import qr_code
from rxstretch.render.tables import make_table
from rxstretch.template import Template

LOGO_BOX_MM = (45.0, 18.0)
QR_SIZE_MM = 18.0


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
    quarter = width / 4
    return make_table(
        rows,
        text.row([quarter * 0.75, quarter * 1.25] * 2),
        font=font,
        commands=[
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEABOVE", (0, 0), (-1, 0), 0.75, HexColor(template.color("rule"))),
            ("LINEBELOW", (0, -1), (-1, -1), 0.75, HexColor(template.color("rule"))),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ],
    )
