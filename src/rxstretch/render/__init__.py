"""Lay out a resolved Handout as a PDF with ReportLab.

Owns: Handout + Template + fonts -> PDF bytes, figures drawn and exported. Imports the model,
errors and resources only: never a loader (loaders/, records/, prescription/), batch/, the API or
the CLI. ReportLab internals are used only through render/internals.py.
"""

from __future__ import annotations

import sys

from rxstretch.render.patterns import import_with_patterns_on_first_use


def _import_reportlab_fonts_without_harfbuzz() -> None:
    """Import ReportLab's TrueType support without letting it import uharfbuzz.

    ReportLab imports uharfbuzz whenever it is installed (about 25 ms on every start) although it
    only shapes paragraphs whose style asks for it, and no rxstretch style does: right-to-left text
    is shaped by render/bidi.py, which imports uharfbuzz itself when a handout needs it. A ``None``
    entry in ``sys.modules`` makes ReportLab's ``import uharfbuzz`` fail as if it were missing.
    """
    if "reportlab.pdfbase.ttfonts" in sys.modules or "uharfbuzz" in sys.modules:
        return
    sys.modules["uharfbuzz"] = None  # type: ignore[assignment]
    try:
        import reportlab.pdfbase.ttfonts  # noqa: F401
    finally:
        del sys.modules["uharfbuzz"]


_import_reportlab_fonts_without_harfbuzz()
# Paragraph's URL pattern alone takes ~30 ms to compile, and only hyphenating URLs uses it.
import_with_patterns_on_first_use(
    "reportlab.platypus", owners=("reportlab.platypus.paragraph", "reportlab.lib.textsplit")
)
