"""Turn plain user text into safe Paragraph markup: text is always text, never markup."""

from __future__ import annotations

import re

# C0 controls (except tab and newline) and lone surrogates cannot appear in a PDF text string.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def markup(text: str) -> str:
    """Escape ``text`` for a ReportLab Paragraph, keeping its line breaks."""
    cleaned = _UNPRINTABLE.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))
    # Escaping by hand: xml.sax.saxutils would pull urllib and email into every cold start.
    escaped = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


def bold(text: str) -> str:
    """Escape ``text`` and make it bold."""
    return f"<b>{markup(text)}</b>"
