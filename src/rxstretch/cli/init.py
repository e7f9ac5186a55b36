"""rxstretch init: start a clinic folder."""

from __future__ import annotations

from pathlib import Path

import click

from rxstretch.cli.options import reported_errors


@click.command(name="init")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Create a clinic folder: brand.yaml, your own library with an example, a prescription.

    Existing files are never overwritten.

    \b
    Example:
      rxstretch init my-clinic
    """
    from rxstretch.loaders.starter import create_starter

    with reported_errors():
        result = create_starter(folder)
    for path in result.created:
        click.echo(f"created {path}")
    for path in result.kept:
        click.echo(f"kept    {path} (already there)")
    brand, library, prescription = folder / "brand.yaml", folder / "library", folder / "prescription.yaml"
    click.echo(
        "\nNext:\n"
        f"  1. Put your clinic's details (and logo) in {brand}.\n"
        f"  2. Add your own exercises to {library / 'exercises'} (copy the example).\n"
        f"  3. Check everything:  rxstretch validate {library} {brand} {prescription} --library {library}\n"
        f"  4. Print a handout:   rxstretch generate {prescription} --brand {brand} --library {library}"
        " -o handout.pdf"
    )
