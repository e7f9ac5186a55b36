"""Slim the bundled TrueType fonts for embedding: what every handout carries in its font subsets.

ReportLab's subsetter copies a face's ``name``, ``cvt ``, ``fpgm`` and ``prep`` tables whole and keeps
each glyph's hinting instructions. In the bundled DejaVu Sans that is about half of every
subset: the licence text stored twice in the ``name`` table (~15 KB per face, before compression)
and TrueType hinting, which only grid-fits glyphs on low-resolution screens and does nothing on
paper. This tool removes both, in place and idempotently:

- hinting: glyph programs, ``fpgm``, ``prep``, ``cvt ``, and the tables derived from hinting
  (``hdmx``, ``LTSH``, ``VDMX``; ``gasp`` is rewritten to "smooth at every size");
- the licence-description record (name id 13). The copyright (id 0) and the licence URL (id 14)
  stay, and the full licences ship beside the fonts (LICENSE-*.txt), as both licences require.

Both licences allow modified versions: DejaVu's (Bitstream Vera terms) as long as the name holds
neither "Bitstream" nor "Vera"; Atkinson Hyperlegible's OFL declares no Reserved Font Name.
Glyph outlines, metrics, cmap and layout tables are untouched, so text sets exactly as before.

Usage (fontTools is in the dev extra): python tools/slim_fonts.py [FONT.ttf ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables import ttProgram

FONTS = Path(__file__).resolve().parent.parent / "src" / "rxstretch" / "fonts"
LICENCE_DESCRIPTION = 13
HINTING_TABLES = ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX")
GASP_SMOOTH_EVERYWHERE = {0xFFFF: 0x000A}  # grayscale + symmetric smoothing, no grid-fitting


def slim(path: Path) -> tuple[int, int]:
    """Remove hinting and the licence-description record from ``path``; returns (before, after) bytes."""
    before = path.stat().st_size
    font = TTFont(path, recalcTimestamp=False)  # keep upstream dates: reruns are byte-identical
    font["name"].names = [record for record in font["name"].names if record.nameID != LICENCE_DESCRIPTION]
    glyphs = font["glyf"]
    for name in font.getGlyphOrder():
        glyph = glyphs[name]
        if hasattr(glyph, "program"):
            glyph.program = ttProgram.Program()
            glyph.program.fromBytecode(b"")
    for tag in HINTING_TABLES:
        if tag in font:
            del font[tag]
    gasp = newTable("gasp")
    gasp.version = 1
    gasp.gaspRange = dict(GASP_SMOOTH_EVERYWHERE)
    font["gasp"] = gasp
    maxp = font["maxp"]
    for field in ("maxSizeOfInstructions", "maxFunctionDefs", "maxInstructionDefs", "maxStackElements"):
        setattr(maxp, field, 0)
    font.save(path)
    return before, path.stat().st_size


def main(arguments: list[str]) -> None:
    paths = [Path(argument) for argument in arguments] or sorted(FONTS.glob("*.ttf"))
    for path in paths:
        before, after = slim(path)
        sys.stdout.write(f"{path.name}: {before:,} -> {after:,} bytes\n")


if __name__ == "__main__":
    main(sys.argv[1:])
