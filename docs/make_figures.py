"""Regenerate docs/figures.png, the contact sheet of every bundled exercise figure.

Run from the repository root:

    python docs/make_figures.py [--lang en] [-o docs/figures.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rxstretch.api import load_library
from rxstretch.output import write_atomic
from rxstretch.render.figures import contact_sheet, export_drawing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en", help="language of the exercise names")
    parser.add_argument("-o", "--output", type=Path, default=Path(__file__).with_name("figures.png"))
    args = parser.parse_args()
    library = load_library(use_env=False)
    items = [
        (exercise.text.get(args.lang, exercise.text["en"]).name, exercise.figure)
        for exercise in (library.exercises[i] for i in library.exercises)
        if exercise.figure is not None
    ]
    write_atomic(args.output, export_drawing(contact_sheet(items), "png", dpi=110), force=True)


if __name__ == "__main__":
    main()
